import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

// `provisio firmware` and `provisio rollout` on an installation: an image added with its
// checksum lands in the files directory; a wrong checksum is refused (nothing written);
// policies show their path; a rollout starts and shows its waves, and is aborted.
describe("provisio firmware / rollout", () => {
  it("adds an image, refuses a wrong checksum, sets a policy, runs a rollout's commands", {
    timeout: 300_000,
  }, async () => {
    const dir = tempDir("firmware-cli");
    const data = join(dir, "data");
    const run = (...args: string[]) => provisio([...args, "-d", data]);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const file = join(dir, "spa962-7.5.5.bin");
    writeFileSync(file, "an image the server treats as opaque bytes");
    const sha = createHash("sha256")
      .update("an image the server treats as opaque bytes")
      .digest("hex");
    await ok("model", "add", "SPA962", "--psn", "962", "--family", "spa");
    await ok("device", "add", "--mac", "000e08cc0001", "--model", "SPA962");
    await ok("device", "add", "--mac", "000e08cc0002", "--model", "SPA962");

    const wrong = await run(
      "firmware",
      "add",
      file,
      "--fw-version",
      "7.5.5",
      "--models",
      "SPA962",
      "--sha256",
      "f".repeat(64),
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("SHA-256");
    expect(existsSync(join(data, "files", "firmware", "default", "spa962-7.5.5.bin"))).toBe(false);

    expect(
      await ok(
        "firmware",
        "add",
        file,
        "--fw-version",
        "7.5.5",
        "--models",
        "SPA962",
        "--sha256",
        sha,
      ),
    ).toContain("units fetch /firmware/spa962-7.5.5.bin");
    expect(existsSync(join(data, "files", "firmware", "default", "spa962-7.5.5.bin"))).toBe(true);
    expect(await ok("firmware", "list")).toMatch(
      /default\s+7\.5\.5\s+SPA962\s+spa962-7\.5\.5\.bin/,
    );

    const set = await ok(
      "firmware",
      "policy",
      "set",
      "spa962",
      "--target",
      "7.6.2",
      "--via",
      "7.5.5",
      "--staged",
    );
    expect(set).toContain("7.5.5 → 7.6.2 (staged)");
    const [policy] = JSON.parse(await ok("firmware", "policy", "list", "--json")) as {
      id: string;
    }[];
    const started = await ok(
      "rollout",
      "start",
      policy!.id,
      "--waves",
      "50,100",
      "--threshold",
      "20",
    );
    expect(started).toMatch(/started over 2 units/);
    const [r] = JSON.parse(await ok("rollout", "list", "--json")) as { id: string }[];
    const shown = await ok("rollout", "show", r!.id);
    expect(shown).toContain("running, wave 1 of 2");
    expect(shown).toMatch(/^1\s+50\s+1\s+1\s+0\s+0\s+0\s+0$/m);
    expect(await ok("rollout", "abort", r!.id)).toContain("aborted");
    const resume = await run("rollout", "resume", r!.id);
    expect(resume.code).not.toBe(0);
    expect(resume.stderr).toContain("cannot resume");
    const audit = await ok("audit", "--json");
    expect(audit).toContain("firmware.refused");
    expect(audit).toContain("rollout.refused");
  });
});
