import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BUILT_IN_MODELS,
  checkProfile,
  createCatalogue,
  ProfileWarningCode,
  parseXmlProfile,
} from "../../src/profile/index.ts";
import { runCli } from "../cli/run_cli.ts";

// Issue 11 acceptance: every parameter name a public full configuration export of a family
// carries (the names only, listed under test/fixtures/catalogue/ with where each list came
// from) is known to the catalogue for a model of that family, and a profile setting all of
// them compiles with zero unknown-parameter warnings.

interface ExportList {
  /** Fixture file (test/fixtures/catalogue/<family>.names.txt). */
  readonly family: string;
  /** The model of that family whose per-model catalogue must know every name. */
  readonly model: string;
}

const LISTS: readonly ExportList[] = [
  { family: "spa1xx", model: "SPA122" },
  { family: "spa-ata", model: "SPA2102" },
  { family: "mpp-ata", model: "ATA192-MPP" },
  { family: "spa9x2", model: "SPA962" },
  { family: "mpp-phone", model: "CP-8851-3PCC" },
  { family: "spa50x", model: "SPA504G" },
  { family: "spa525g2", model: "SPA525G2" },
];

/**
 * Names an export carries that the catalogue does not represent, with the reason. Each entry
 * is a deliberate gap, not a missing row: the test fails if an excluded name is in fact known
 * (so the list cannot go stale) or is not in the family's fixture.
 */
const EXCLUDED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // The SPA122 and ATA192 exports' <router-configuration> trees are not in the lists at all
  // (nested elements, not flat-profile parameters; see the fixture's scope line).
  spa1xx: {},
  "spa-ata": {},
  "mpp-ata": {},
  spa9x2: {},
  "mpp-phone": {},
  spa525g2: {},
};

/**
 * Exclusions by rule. The SPA50x firmware writes 12 extensions (the SPA508G/509G have that
 * many); the catalogued SPA303/SPA504G have 3 and 4, so extensions 5-12 of every per-line
 * name (`Proxy_7_`, `Default_Ring__9__`, `Log_Missed_Calls_for_EXT_12`) are not theirs.
 */
const EXCLUDED_BY_RULE: Readonly<Record<string, (name: string) => string | undefined>> = {
  spa50x: (name) => {
    const n = /(?:__(\d+)__|_(\d+)_|^Log_Missed_Calls_for_EXT_(\d+))$/.exec(name);
    const index = n ? Number(n[1] ?? n[2] ?? n[3]) : 0;
    return index > 4
      ? "extension 5-12: the SPA504G has 4 (the export is of 12-line firmware)"
      : undefined;
  },
};

function exclusionOf(family: string, name: string): string | undefined {
  return EXCLUDED[family]?.[name] ?? EXCLUDED_BY_RULE[family]?.(name);
}

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "catalogue");

function readList(family: string): { sources: string[]; names: string[] } {
  const text = readFileSync(join(FIXTURES, `${family}.names.txt`), "utf8");
  const lines = text.split("\n").filter((l) => l.length > 0);
  return {
    sources: lines.filter((l) => l.startsWith("# source: ")),
    names: lines.filter((l) => !l.startsWith("#")),
  };
}

/** A flat profile setting every name, to the model's factory default where it has one. */
function profileOf(names: readonly string[], model: string): string {
  const catalogue = createCatalogue(undefined, { model });
  const xmlText = (v: string): string =>
    v.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  const body = names.map((n) => `  <${n}>${xmlText(catalogue.defaultValue(n) ?? "")}</${n}>`);
  return `<flat-profile>\n${body.join("\n")}\n</flat-profile>\n`;
}

const dir = mkdtempSync(join(tmpdir(), "provisio-exports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(LISTS)("public export names of $family", ({ family, model }) => {
  const { sources, names } = readList(family);
  const excluded = names.filter((n) => exclusionOf(family, n) !== undefined);
  const kept = names.filter((n) => exclusionOf(family, n) === undefined);

  it("the list says where it came from, is sorted and has no name twice", () => {
    expect(sources.length).toBeGreaterThan(0);
    expect(BUILT_IN_MODELS.find((m) => m.pn === model)?.family).toBe(family);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it(`every name is known to the ${model} catalogue (exclusions are real gaps)`, () => {
    const catalogue = createCatalogue(undefined, { model });
    expect(kept.filter((n) => catalogue.lookup(n) === undefined)).toEqual([]);
    for (const name of Object.keys(EXCLUDED[family] ?? {})) expect(names).toContain(name);
    expect(excluded.filter((n) => catalogue.lookup(n) !== undefined)).toEqual([]);
  });

  it(`a profile setting all of them has no unknown name for ${model}, and compiles without unknown-parameter warnings`, async () => {
    const xml = profileOf(kept, model);
    const parsed = parseXmlProfile(xml);
    expect(parsed.entries.map((e) => e.name)).toEqual(kept);
    const unknown = checkProfile(parsed, createCatalogue(undefined, { model })).filter(
      (w) => w.code === ProfileWarningCode.UnknownName,
    );
    expect(unknown.map((w) => w.name)).toEqual([]);

    const file = join(dir, `${family}.xml`);
    writeFileSync(file, xml);
    const result = await runCli(["compile", file]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/is not a known parameter/);
    // The compiled profile still carries every name.
    const out = parseXmlProfile(result.stdout.toString("utf8"));
    expect(new Set(out.entries.map((e) => e.name))).toEqual(new Set(kept));
  });
});

describe("names one family indexes per user and another per line", () => {
  // Message_Waiting_n_ / Default_Ring_n_ are per user on the SPA ATAs and per extension on
  // MPP phones; each model gets exactly its own count (a 10-line phone lost 9-10, a 4-line
  // phone gained 5-8, while the first family's index kind was kept).
  it.each([
    ["CP-6841-3PCC", 4],
    ["CP-8851-3PCC", 10],
    ["CP-7861-3PCC", 16],
    ["SPA8000", 8],
    ["SPA2102", 2],
  ] as const)("%s carries Message_Waiting and Default_Ring 1..%i", (model, lines) => {
    const catalogue = createCatalogue(undefined, { model });
    for (const base of ["Message_Waiting", "Default_Ring"]) {
      expect(catalogue.lookup(`${base}_${lines}_`)).toBeDefined();
      expect(catalogue.lookup(`${base}_${lines + 1}_`)).toBeUndefined();
    }
  });
});
