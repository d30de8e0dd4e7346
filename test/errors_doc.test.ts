import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { documentedCodes, renderErrorsDoc } from "../scripts/errors_doc.ts";

const SRC = new URL("../src/", import.meta.url).pathname;
const PREFIXES = "PROFILE|RULE|CRYPTO|STORE|SERVER|API|ADMIN|TFTP|CLI|DEVICE|SIP|MAC|FINGERPRINT";
const CODE_LITERAL = new RegExp(`["'\`]((?:${PREFIXES})_[A-Z0-9_]*[A-Z0-9])["'\`]`, "g");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("the error family", () => {
  it("docs/errors.md is what scripts/errors_doc.ts generates (run it with --write)", () => {
    const checkedIn = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
    expect(checkedIn).toBe(renderErrorsDoc());
  });

  it("every code used in src/ is in a module's code list", () => {
    const documented = documentedCodes();
    const missing: string[] = [];
    for (const file of sources(SRC)) {
      for (const match of readFileSync(file, "utf8").matchAll(CODE_LITERAL)) {
        const code = match[1]!;
        if (!documented.has(code)) missing.push(`${file.slice(SRC.length)}: ${code}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("nothing in src/ throws a bare Error or defines another error class", () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      if (file === join(SRC, "errors.ts")) continue;
      const text = readFileSync(file, "utf8");
      for (const pattern of [/\bnew Error\(/g, /\bextends Error\b/g]) {
        for (const m of text.matchAll(pattern)) {
          const line = text.slice(0, m.index).split("\n").length;
          offenders.push(`${file.slice(SRC.length)}:${line}: ${m[0]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
