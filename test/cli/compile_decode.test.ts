import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { run, runCli } from "./run_cli.ts";

// `provisio compile` / `provisio decode` against Debian's openssl and gzip (issue 3 acceptance).

const KEY = "SecretPhrase1234";
let dir: string;
let plainXml: Buffer;

const SOURCE = `# a customer's profile
import base.txt
Profile_Rule ? "[--key $SA] http://prov.example.com/spa$MA.cfg" ;
Proxy[1]       "sip.example.com" ;
Display_Name[1] ! "Zoë <&> 'x'" ;
GPP_SA         "${KEY}" ;
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "provisio-compile-"));
  writeFileSync(join(dir, "base.txt"), 'Resync_Periodic "3600" ;\nGPP_A ! "base" ;\n');
  writeFileSync(join(dir, "spa.txt"), SOURCE);
  const result = await runCli(["compile", join(dir, "spa.txt")]);
  // §3.2.4: SPA devices take ASCII only — one warning, the value kept intact.
  expect(result.stderr.trim().split("\n")).toEqual([
    expect.stringMatching(/spa\.txt:5:1: warning: Display_Name_1_ .*non-ASCII/),
  ]);
  expect(result.code).toBe(0);
  plainXml = result.stdout;
});

describe("provisio compile", () => {
  it("turns SPC text (with import and bracket indices) into an XML flat profile with ua tags", () => {
    const xml = plainXml.toString("utf8");
    expect(xml).toMatch(/^<flat-profile>\n/);
    expect(xml).toContain('<Resync_Periodic ua="na">3600</Resync_Periodic>');
    expect(xml).toContain('<GPP_A ua="rw">base</GPP_A>');
    expect(xml).toContain('<Proxy_1_ ua="na">sip.example.com</Proxy_1_>');
    expect(xml).toContain(
      '<Profile_Rule ua="ro">[--key $SA] http://prov.example.com/spa$MA.cfg</Profile_Rule>',
    );
    expect(xml).toContain("Zoë &lt;&amp;&gt;");
  });

  it.each(["md5", "sha256"] as const)(
    "--key output decrypts with openssl enc -md %s",
    async (md) => {
      const out = join(dir, `spa-${md}.cfg`);
      const r = await runCli([
        "compile",
        join(dir, "spa.txt"),
        "-o",
        out,
        "--key",
        KEY,
        "--digest",
        md,
      ]);
      expect(r.code).toBe(0);
      expect(readFileSync(out).subarray(0, 8).toString("latin1")).toBe("Salted__");
      const decrypted = await run("openssl", [
        "enc",
        "-d",
        "-aes-256-cbc",
        "-md",
        md,
        "-k",
        KEY,
        "-in",
        out,
      ]);
      expect(decrypted.equals(plainXml)).toBe(true);
    },
  );

  it("--gzip --key output is openssl-decryptable gzip of the same XML", async () => {
    const out = join(dir, "spa-gz.cfg");
    expect(
      (await runCli(["compile", join(dir, "spa.txt"), "-o", out, "--gzip", "--key", KEY])).code,
    ).toBe(0);
    const gz = await run("openssl", [
      "enc",
      "-d",
      "-aes-256-cbc",
      "-md",
      "md5",
      "-k",
      KEY,
      "-in",
      out,
    ]);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect((await run("gunzip", ["-c"], gz)).equals(plainXml)).toBe(true);
  });

  it("--gzip alone is plain gzip that gunzip reads", async () => {
    const out = join(dir, "spa.xml.gz");
    expect((await runCli(["compile", join(dir, "spa.txt"), "-o", out, "--gzip"])).code).toBe(0);
    expect((await run("gunzip", ["-c", out])).equals(plainXml)).toBe(true);
  });

  it("reads stdin and writes stdout with -", async () => {
    const r = await runCli(["compile", "-", "--to", "text"], { input: plainXml });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain("Proxy[1]");
    expect(r.stdout.toString()).toContain('GPP_A           ! "base" ;');
  });

  it("warns about an unknown parameter with its position and the nearest known name", async () => {
    const file = join(dir, "typo.txt");
    writeFileSync(file, 'Resync_Periodic "60" ;\nResync_Periodc "10" ;\n');
    const r = await runCli(["compile", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /typo\.txt:2:1: warning: Resync_Periodc is not a known parameter.*did you mean Resync_Periodic\b/,
    );
    expect((await runCli(["compile", file, "--strict"])).code).toBe(1);
  });

  it("rejects malformed input with line, column and a code, exit 1", async () => {
    const file = join(dir, "broken.xml");
    writeFileSync(file, "<flat-profile>\n  <GPP_A>x</GPP_B>\n</flat-profile>\n");
    const r = await runCli(["compile", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/2:\d+: .*\[PROFILE_XML_MALFORMED\]/);
    expect(r.stdout.length).toBe(0);
  });

  it("refuses already-encrypted input and points at decode", async () => {
    const r = await runCli(["compile", join(dir, "spa-md5.cfg")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("provisio decode");
  });
});

describe("provisio decode", () => {
  it.each(["md5", "sha256"] as const)("reads openssl enc -e -md %s output", async (md) => {
    const src = join(dir, "plain.xml");
    writeFileSync(src, plainXml);
    const enc = join(dir, `openssl-${md}.cfg`);
    await run("openssl", [
      "enc",
      "-e",
      "-aes-256-cbc",
      "-md",
      md,
      "-k",
      KEY,
      "-in",
      src,
      "-out",
      enc,
    ]);
    const r = await runCli(["decode", enc, "--key", KEY]);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(plainXml)).toBe(true);
  });

  it("reads gzip made by Debian's gzip, and gzip-then-encrypt made by gzip | openssl", async () => {
    const gz = await run("gzip", ["-c"], plainXml);
    expect((await runCli(["decode", "-"], { input: gz })).stdout.equals(plainXml)).toBe(true);
    const src = join(dir, "plain.xml.gz");
    writeFileSync(src, gz);
    const enc = join(dir, "gz.cfg");
    await run("openssl", [
      "enc",
      "-e",
      "-aes-256-cbc",
      "-md",
      "md5",
      "-k",
      KEY,
      "-in",
      src,
      "-out",
      enc,
    ]);
    const r = await runCli(["decode", enc, "--key", KEY, "--to", "text"]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('Proxy[1]          "sip.example.com" ;');
  });

  it("says the key is wrong instead of printing garbage", async () => {
    const r = await runCli(["decode", join(dir, "spa-md5.cfg"), "--key", "not-the-key"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CRYPTO_BAD_KEY");
    expect(r.stdout.length).toBe(0);
  });

  it("says a key is needed for an encrypted file", async () => {
    const r = await runCli(["decode", join(dir, "spa-md5.cfg")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[CRYPTO_[A-Z_]+\]/);
  });
});
