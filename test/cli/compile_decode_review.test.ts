import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { run, runCli } from "./run_cli.ts";

// `provisio compile` / `decode`: the profile-language defects found in review (issue 11).

let dir: string;

function write(name: string, data: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

function warningLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.includes("warning:"));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "provisio-review-"));
});

describe("compile refuses what XML 1.0 cannot carry", () => {
  it("a control character in a value is refused by name, with no output (exit 1)", async () => {
    const src = write("ctl.txt", 'GPP_A "ok" ;\nGPP_B "a\u0001b" ;\nGPP_C "del\u007f" ;\n');
    const out = join(dir, "ctl.xml");
    const r = await runCli(["compile", src, "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ctl\.txt:2:1: value of GPP_B cannot be written as XML/);
    expect(r.stderr).toContain("U+0001");
    expect(r.stderr).toContain("PROFILE_VALUE_UNREPRESENTABLE");
    expect(() => statSync(out)).toThrow();
  });

  it("decode refuses an XML profile that references a forbidden control character", async () => {
    const src = write("ctl.xml", "<flat-profile>\n  <GPP_A>a&#1;b</GPP_A>\n</flat-profile>\n");
    const r = await runCli(["decode", src]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ctl\.xml:2:\d+: .*control character/);
  });
});

describe("decode", () => {
  it("prints each non-ASCII warning once", async () => {
    const src = write("zoe.xml", '<flat-profile>\n  <GPP_A ua="rw">Zoë</GPP_A>\n</flat-profile>\n');
    for (const to of ["xml", "text"]) {
      const r = await runCli(["decode", src, "--to", to]);
      expect(r.code).toBe(0);
      expect(warningLines(r.stderr).filter((l) => l.includes("non-ASCII"))).toHaveLength(1);
    }
  });

  it("reads back a --gzip profile that inflates past 16 MiB; --max-inflated sets a limit", async () => {
    const big = "x".repeat(17 * 1024 * 1024);
    const src = write("big.txt", `GPP_A ! "${big}" ;\n`);
    const gz = join(dir, "big.xml.gz");
    const compiled = await runCli(["compile", src, "--gzip", "-o", gz]);
    expect(compiled.code).toBe(0);
    const plain = gunzipSync(readFileSync(gz));
    expect(plain.length).toBeGreaterThan(16 * 1024 * 1024);

    const decoded = join(dir, "big.xml");
    const r = await runCli(["decode", gz, "-o", decoded]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(decoded).equals(plain)).toBe(true);

    const limited = await runCli(["decode", gz, "--max-inflated", "1048576"]);
    expect(limited.code).toBe(1);
    expect(limited.stderr).toContain("CRYPTO_GZIP_TOO_LARGE");
    expect((await runCli(["decode", gz, "--max-inflated", "lots"])).code).not.toBe(0);
  });
});

describe("XML → text keeps the reader informed about access", () => {
  const XML = `<flat-profile>
  <GPP_A ua="rw">set</GPP_A>
  <GPP_B>no access stated</GPP_B>
</flat-profile>
`;

  it("compile --to text warns that an element without ua becomes `*`", async () => {
    const src = write("noua.xml", XML);
    const r = await runCli(["compile", src, "--to", "text"]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/GPP_B +\* "no access stated" ;/);
    const lines = warningLines(r.stderr);
    expect(lines).toEqual([expect.stringMatching(/noua\.xml:3:\d+: warning: GPP_B: no ua/)]);
    expect(lines[0]).not.toMatch(/§|C5/);
  });

  it("decode --to text warns the same way", async () => {
    const src = write("noua2.xml", XML);
    const r = await runCli(["decode", src, "--to", "text"]);
    expect(r.code).toBe(0);
    expect(warningLines(r.stderr)).toEqual([expect.stringContaining("GPP_B: no ua")]);
    // Reading XML back as XML changes nothing: no warning.
    expect(warningLines((await runCli(["decode", src])).stderr)).toEqual([]);
  });
});

describe("compile checks rules, versions and booleans", () => {
  it("rule-valued parameters go through the rule parser", async () => {
    const src = write(
      "rules.txt",
      [
        'Profile_Rule ! "http://prov.example.com/spa$MA.cfg" ;',
        'Profile_Rule_B ! "http://prov.example.com" ;',
        'Upgrade_Rule ! "($SWVER lt 7.5.5)? http://fw.example.com/spa.bin" ;',
        'Upgrade_Rule ! "(  http://fw.example.com/spa.bin" ;',
        'Report_Rule ! "[--delta] http://prov.example.com/report" ;',
        'Report_Rule ! "[--bogus] http://prov.example.com/report" ;',
        'Resync_Trigger_1 ! "$REGTMR1 gt 300 and $PRVTMR ge 600" ;',
        'Resync_Trigger_2 ! "$REGTMR1 gt and" ;',
        'Profile_Rule_C ! "" ;',
        "",
      ].join("\n"),
    );
    const r = await runCli(["compile", src]);
    expect(r.code).toBe(0);
    const lines = warningLines(r.stderr).filter((l) => l.includes("does not parse"));
    expect(lines).toEqual([
      expect.stringMatching(/rules\.txt:2:1: warning: Profile_Rule_B: the rule does not parse/),
      expect.stringMatching(/rules\.txt:4:1: warning: Upgrade_Rule: the rule does not parse/),
      expect.stringMatching(/rules\.txt:6:1: warning: Report_Rule: the rule does not parse/),
      expect.stringMatching(/rules\.txt:8:1: warning: Resync_Trigger_2: the rule does not parse/),
    ]);
  });

  it("version-valued parameters go through the version parser", async () => {
    const src = write(
      "versions.txt",
      'Downgrade_Rev_Limit ! "7.4.8a" ;\nDowngrade_Rev_Limit ! "seven" ;\n',
    );
    const r = await runCli(["compile", src]);
    expect(r.code).toBe(0);
    expect(warningLines(r.stderr)).toEqual([
      expect.stringMatching(
        /versions\.txt:2:1: warning: Downgrade_Rev_Limit: "seven" is neither an SPA version/,
      ),
    ]);
  });

  it("text booleans become Yes/No where the parameter is boolean, and only there", async () => {
    const src = write(
      "bools.txt",
      [
        'Resync_On_Reset ! "Enable" ;',
        'Provision_Enable ! "1" ;',
        'Resync_From_SIP ! "no" ;',
        'Resync_After_Upgrade_Attempt ! "Yes" ;',
        'GPP_A ! "yes" ;',
        "",
      ].join("\n"),
    );
    const r = await runCli(["compile", src]);
    expect(r.code).toBe(0);
    expect(warningLines(r.stderr)).toEqual([]);
    const xml = r.stdout.toString();
    expect(xml).toContain('<Resync_On_Reset ua="rw">Yes</Resync_On_Reset>');
    expect(xml).toContain('<Provision_Enable ua="rw">Yes</Provision_Enable>');
    expect(xml).toContain('<Resync_From_SIP ua="rw">No</Resync_From_SIP>');
    expect(xml).toContain(
      '<Resync_After_Upgrade_Attempt ua="rw">Yes</Resync_After_Upgrade_Attempt>',
    );
    expect(xml).toContain('<GPP_A ua="rw">yes</GPP_A>');
  });
});

describe("decode names the likely cause of openssl files devices cannot read", () => {
  const KEY = "SecretPhrase1234";
  async function opensslEnc(name: string, ...extra: string[]): Promise<string> {
    const src = write(
      `${name}.xml`,
      '<flat-profile>\n  <GPP_A ua="rw">x</GPP_A>\n</flat-profile>\n',
    );
    const out = join(dir, `${name}.cfg`);
    await run("openssl", [
      "enc",
      "-e",
      "-aes-256-cbc",
      "-md",
      "md5",
      ...extra,
      "-k",
      KEY,
      "-in",
      src,
      "-out",
      out,
    ]);
    return out;
  }

  it("-pbkdf2 / -iter: wrong key or that key derivation", async () => {
    for (const extra of [["-pbkdf2"], ["-iter", "1000"]]) {
      const r = await runCli([
        "decode",
        await opensslEnc(`kdf${extra.length}`, ...extra),
        "--key",
        KEY,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("-pbkdf2");
      expect(r.stderr).toContain("[CRYPTO_BAD_KEY]");
    }
  });

  it("-nosalt, with the key and without", async () => {
    const file = await opensslEnc("nosalt", "-nosalt");
    for (const args of [["--key", KEY], []]) {
      const r = await runCli(["decode", file, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("-nosalt");
    }
  });
});
