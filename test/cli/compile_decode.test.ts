import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { run, runCli } from "./run_cli.ts";

// `provisio compile` / `provisio decode` against Debian's openssl and gzip (issue 3 acceptance).

const KEY = "SecretPhrase1234";

/** Debian's `openssl enc -e -aes-256-cbc -md MD -k KEY` of `src` into `out`. */
function opensslEncrypt(src: string, out: string, md: string): Promise<Buffer> {
  return run("openssl", [
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
    out,
  ]);
}
let dir: string;
let plainXml: Buffer;

const SOURCE = `# a customer's profile
import base.txt
Profile_Rule ? "[--key $SA] http://prov.example.com/spa$MA.cfg" ;
Proxy[1]       "sip.example.com" ;
Display_Name[1] ! "Zoë <&> 'x'" ;
GPP_SA         "${KEY}" ;
`;

const BIN = join(import.meta.dirname, "..", "..", "bin", "provisio.js");

/** Writes a file in the test folder and returns its path. */
function write(name: string, data: string | Uint8Array): string {
  const path = join(dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, data);
  return path;
}

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

  it("§3.3.4 / C5: warns that `*` (keep access) becomes an XML element without ua", async () => {
    const file = write("star.txt", 'Primary_DNS * "192.0.2.53" ;\nGPP_A ! "x" ;\n');
    const r = await runCli(["compile", file]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain("<Primary_DNS>192.0.2.53</Primary_DNS>");
    expect(r.stderr).toMatch(
      /star\.txt:1:1: warning: Primary_DNS: `\*` keeps the user access.*factory default/,
    );
    expect(r.stderr).not.toContain("GPP_A");
    // Text output keeps the `*`: nothing to warn about.
    expect((await runCli(["compile", file, "--to", "text"])).stderr).toBe("");
  });

  it("a profile full of bad values does not bury the output: 50 warnings, then a count", async () => {
    const file = write(
      "bad-values.txt",
      Array.from({ length: 300 }, (_, i) => `Resync_Periodic "soon ${i}" ;`).join("\n"),
    );
    const r = await runCli(["compile", file, "-o", join(dir, "bad-values.xml")]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(51);
    expect(lines[49]).toMatch(
      /bad-values\.txt:50:1: warning: Resync_Periodic: expected a schedule/,
    );
    expect(lines[50]).toMatch(/250 more warnings like the above not listed/);
  });

  it("rejects malformed input with line, column and a code, exit 1", async () => {
    const file = join(dir, "broken.xml");
    writeFileSync(file, "<flat-profile>\n  <GPP_A>x</GPP_B>\n</flat-profile>\n");
    const r = await runCli(["compile", file]);
    expect(r.code).toBe(1);
    // `file:line:col: message [CODE]`, one line, like a compiler.
    expect(r.stderr).toMatch(/^\S*broken\.xml:2:11: .*<GPP_A>.*\[PROFILE_XML_MALFORMED\]\n$/);
    expect(r.stdout.length).toBe(0);
  });

  it("names the file and position of a text syntax error, also inside an imported file", async () => {
    writeFileSync(join(dir, "bad-base.txt"), 'GPP_A "1" ;\nGPP_B "2"\n');
    const file = join(dir, "imports-bad.txt");
    writeFileSync(file, 'GPP_C "3" ;\nimport bad-base.txt\n');
    const r = await runCli(["compile", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^\S*bad-base\.txt:3:1: .*expected ";" after GPP_B.*\[PROFILE_TEXT_SYNTAX\]\n$/,
    );
  });

  // Nasty inputs: each is one line on stderr naming the problem, a non-zero exit, and no
  // stack trace.
  const nasty: [string, () => string[], RegExp][] = [
    [
      "binary garbage",
      () => ["compile", write("garbage.bin", Buffer.from([0, 255, 7, 1, 2]))],
      /garbage\.bin:1:1: .*\[PROFILE_TEXT_SYNTAX\]/,
    ],
    ["a directory as input", () => ["compile", dir], /cannot read .*\[CLI_INPUT_UNREADABLE\]/],
    [
      "a missing input",
      () => ["compile", join(dir, "nope.txt")],
      /cannot read .*nope\.txt.*\[CLI_INPUT_UNREADABLE\]/,
    ],
    [
      "an import of a missing file",
      () => ["compile", write("imp.txt", 'GPP_A "1";\nimport missing.txt\n')],
      /imp\.txt:2:1: cannot import missing\.txt: ENOENT[^:]*: no such file[^\n]*\[PROFILE_IMPORT_FAILED\]/,
    ],
    [
      "an import cycle",
      () => {
        write("cyc-b.txt", "import cyc-a.txt\n");
        return ["compile", write("cyc-a.txt", "import cyc-b.txt\n")];
      },
      /cyc-b\.txt:1:1: import cycle: \S*cyc-a\.txt → \S*cyc-b\.txt → \S*cyc-a\.txt \[PROFILE_IMPORT_CYCLE\]/,
    ],
    [
      "an unwritable output path",
      () => ["compile", write("ok.txt", 'GPP_A "1";\n'), "-o", join(dir, "no-such-dir", "x.xml")],
      /cannot write .*\[CLI_OUTPUT_UNWRITABLE\]/,
    ],
    [
      "a directory as output",
      () => ["compile", write("ok.txt", 'GPP_A "1";\n'), "-o", dir],
      /cannot write .*\[CLI_OUTPUT_UNWRITABLE\]/,
    ],
    [
      "garbage to decode",
      () => ["decode", write("garbage.bin", Buffer.from([0, 255, 7, 1, 2]))],
      /garbage\.bin:1:1: .*\[PROFILE_TEXT_SYNTAX\]/,
    ],
    [
      "a truncated envelope",
      () => ["decode", write("short.cfg", "Salted__12345678abc"), "--key", "k"],
      /\[CRYPTO_ENVELOPE_MALFORMED\]/,
    ],
    [
      "corrupt gzip",
      () => ["decode", write("bad.gz", Buffer.from([0x1f, 0x8b, 1, 2, 3]))],
      /\[CRYPTO_GZIP_CORRUPT\]/,
    ],
  ];
  it.each(nasty)("%s: one line, a code, exit 1, no stack trace", async (_label, args, message) => {
    const r = await runCli(args());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a 100,000-character name is clipped in warnings and errors, the position and code kept", async () => {
    const name = `Z${"z".repeat(100_000)}`;
    const warned = await runCli(["compile", write("long-name.txt", `${name} "x" ;\n`)]);
    expect(warned.code).toBe(0);
    expect(warned.stderr.length).toBeLessThan(1000);
    expect(warned.stderr).toMatch(
      /^\S*long-name\.txt:1:1: warning: Zzzz.*characters left out.*\n$/,
    );
    const failed = await runCli(["compile", write("long-error.txt", `${name} "x"\n`)]);
    expect(failed.code).toBe(1);
    expect(failed.stderr.length).toBeLessThan(1000);
    expect(failed.stderr).toMatch(
      /^\S*long-error\.txt:2:1: .*characters left out.*\[PROFILE_TEXT_SYNTAX\]\n$/,
    );
  });

  it("empty and deeply nested inputs compile without crashing", async () => {
    const empty = await runCli(["compile", write("empty.txt", "")]);
    expect([empty.code, empty.stdout.toString()]).toEqual([0, "<flat-profile>\n</flat-profile>\n"]);
    const deep = `<flat-profile>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}<GPP_A>1</GPP_A></flat-profile>`;
    const r = await runCli(["compile", write("deep.xml", deep)]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain("<GPP_A>1</GPP_A>");
  });

  it("a reader that closes the pipe early (| head) is not an error", async () => {
    const many = write(
      "many.txt",
      Array.from({ length: 100_000 }, (_, i) => `GPP_A "${i}" ;`).join("\n"),
    );
    const err = join(dir, "pipe.err");
    await run("bash", [
      "-c",
      `"${process.execPath}" "${BIN}" compile "${many}" 2>"${err}" | head -c 10 >/dev/null`,
    ]);
    expect(readFileSync(err, "utf8")).toBe("");
  });

  it("refuses already-encrypted input and points at decode", async () => {
    const r = await runCli(["compile", join(dir, "spa-md5.cfg")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("provisio decode");
  });
});

describe("--help", () => {
  it.each(["compile", "decode", "rule"])("provisio %s --help shows examples", async (command) => {
    const r = await runCli([command, "--help"]);
    expect(r.code).toBe(0);
    const help = r.stdout.toString();
    expect(help).toMatch(/\nExamples:\n/);
    // At least two runnable example lines of this very command.
    expect(
      help.match(new RegExp(`^  (cat .*\\| )?provisio ${command} `, "gm"))?.length,
    ).toBeGreaterThanOrEqual(2);
  });
});

describe("provisio decode", () => {
  it.each(["md5", "sha256"] as const)("reads openssl enc -e -md %s output", async (md) => {
    const src = join(dir, "plain.xml");
    writeFileSync(src, plainXml);
    const enc = join(dir, `openssl-${md}.cfg`);
    await opensslEncrypt(src, enc, md);
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
    await opensslEncrypt(src, enc, "md5");
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

  it("reads back an encrypted SPC text profile (compile --to text --key, and openssl)", async () => {
    const out = join(dir, "spa-text.cfg");
    const c = await runCli([
      "compile",
      join(dir, "spa.txt"),
      "--to",
      "text",
      "--key",
      KEY,
      "-o",
      out,
    ]);
    expect(c.code).toBe(0);
    const r = await runCli(["decode", out, "--key", KEY]);
    expect(r.stderr).not.toContain("CRYPTO_BAD_KEY");
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('Proxy[1]          "sip.example.com" ;');
    const text = join(dir, "plain-text.txt");
    writeFileSync(text, 'GPP_A ! "from openssl" ;\n');
    const enc = join(dir, "openssl-text.cfg");
    await opensslEncrypt(text, enc, "md5");
    const o = await runCli(["decode", enc, "--key", KEY]);
    expect([o.code, o.stdout.toString()]).toEqual([0, 'GPP_A ! "from openssl" ;\n']);
    // …and a wrong key is still refused, not turned into garbage text.
    const wrong = await runCli(["decode", enc, "--key", "not-the-key"]);
    expect([wrong.code, wrong.stdout.length]).toEqual([1, 0]);
    expect(wrong.stderr).toContain("CRYPTO_BAD_KEY");
  });

  it("says a key is needed for an encrypted file", async () => {
    const r = await runCli(["decode", join(dir, "spa-md5.cfg")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/encrypted .*no key was given \[CRYPTO_KEY_REQUIRED\]/);
  });
});
