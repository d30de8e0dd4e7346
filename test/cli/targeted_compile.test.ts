import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeAes128gcm, inspectSpcContainer } from "../../src/crypto/index.ts";
import { runCli } from "./run_cli.ts";

// `provisio compile --target/--target-cert/--scramble/--aes` round-trips through
// `provisio decode --as-device/--device-key/--key`, every step through the real executable.

const MAC_A = "000e08aabbcc";
const MAC_B = "000e08aabbcd";
let dir: string;
let data: string;
let plain: string;

const SOURCE = `GPP_SA "3e9f0c1122334455" ;
GPP_B "Gp3sqLn4Rt" ;
Profile_Rule "[--key $SA] tftp://prov.example.com/p/$B/$MA.cfg" ;
`;

const p = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "provisio-target-cli-"));
  data = p("data");
  writeFileSync(p("spa.txt"), SOURCE);
  const [compiled, targeted, issuedA, issuedB] = await Promise.all([
    runCli(["compile", p("spa.txt")]),
    runCli(["compile", p("spa.txt"), "-o", p("mac.cfg"), "--target", MAC_A, "-d", data]),
    runCli(["pki", "issue-device", "--mac", MAC_A, "--out", p("a"), "-d", p("pki-data")]),
    runCli([
      "pki",
      "issue-device",
      "--mac",
      MAC_B,
      "--out",
      p("b"),
      "-d",
      p("pki-data"),
      "--key-type",
      "rsa-2048",
    ]),
  ]);
  expect(compiled.code).toBe(0);
  expect(targeted.stderr).toContain("created the installation's targeting secret");
  expect(targeted.code).toBe(0);
  expect(issuedA.code).toBe(0);
  expect(issuedB.code).toBe(0);
  plain = compiled.stdout.toString("utf8");
}, 400_000);

describe("provisio compile --target MAC", () => {
  it("keeps the installation's secret in DATA/target.key (0600) and names no MAC in the file", () => {
    expect(statSync(join(data, "target.key")).mode & 0o777).toBe(0o600);
    const file = readFileSync(p("mac.cfg"));
    expect(inspectSpcContainer(file).modes).toMatchObject({ targetMac: true });
    expect(file.includes(Buffer.from(MAC_A))).toBe(false);
    expect(file.includes(Buffer.from("Gp3sqLn4Rt"))).toBe(false);
  });

  it("round-trips through decode --as-device, and is refused for another MAC or no identity", async () => {
    const [mine, other, none, dotted] = await Promise.all([
      runCli(["decode", p("mac.cfg"), "--as-device", MAC_A, "-d", data]),
      runCli(["decode", p("mac.cfg"), "--as-device", MAC_B, "-d", data]),
      runCli(["decode", p("mac.cfg")]),
      runCli([
        "decode",
        p("mac.cfg"),
        "--as-device",
        "000e.08aa.bbcc",
        "--installation-secret-file",
        join(data, "target.key"),
      ]),
    ]);
    expect(mine.code).toBe(0);
    expect(mine.stdout.toString("utf8")).toBe(plain);
    expect(dotted.stdout.toString("utf8")).toBe(plain);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("[CRYPTO_CONTAINER_NOT_FOR_DEVICE]");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("--as-device");
    expect(none.stderr).toContain("[CRYPTO_CONTAINER_IDENTITY_REQUIRED]");
  }, 300_000);
});

describe("provisio compile --target-cert FILE", () => {
  it("round-trips through decode --device-key of that device only (EC and RSA keys)", async () => {
    const [toA, toB] = await Promise.all([
      runCli(["compile", p("spa.txt"), "-o", p("a.cfg"), "--target-cert", p("a/device.crt")]),
      runCli(["compile", p("spa.txt"), "-o", p("b.cfg"), "--target-cert", p("b/device.crt")]),
    ]);
    expect(toA.code).toBe(0);
    expect(toB.code).toBe(0);
    expect(inspectSpcContainer(readFileSync(p("a.cfg"))).recipientKind).toBe("ec-p256");
    expect(inspectSpcContainer(readFileSync(p("b.cfg"))).recipientKind).toBe("rsa-oaep");
    const [aa, ab, bb, ba] = await Promise.all([
      runCli(["decode", p("a.cfg"), "--device-key", p("a/device.key")]),
      runCli(["decode", p("a.cfg"), "--device-key", p("b/device.key")]),
      runCli(["decode", p("b.cfg"), "--device-key", p("b/device.key")]),
      runCli(["decode", p("b.cfg"), "--device-key", p("a/device.key")]),
    ]);
    expect(aa.stdout.toString("utf8")).toBe(plain);
    expect(bb.stdout.toString("utf8")).toBe(plain);
    for (const refused of [ab, ba]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("[CRYPTO_CONTAINER_NOT_FOR_DEVICE]");
    }
  }, 300_000);
});

describe("--scramble, --aes and --aes128gcm-ikm", () => {
  it("scrambled opens with nothing; scrambled + hex key with --key only, the wrong key fails", async () => {
    const key = "8e4ca259aa55bb66";
    const [made, scrambled] = await Promise.all([
      runCli([
        "compile",
        p("spa.txt"),
        "-o",
        p("aes.cfg"),
        "--scramble",
        "SomeSecretPhrase",
        "--aes",
        "--hex-key",
        key,
      ]),
      runCli(["compile", p("spa.txt"), "-o", p("scrambled.cfg"), "--scramble"]),
    ]);
    expect(made.code).toBe(0);
    expect(scrambled.code).toBe(0);
    expect(readFileSync(p("scrambled.cfg")).includes(Buffer.from("Gp3sqLn4Rt"))).toBe(false);
    expect(inspectSpcContainer(readFileSync(p("aes.cfg"))).modes).toMatchObject({
      scrambled: true,
      key: "hex",
    });
    const [good, bad, conflict, unscrambled] = await Promise.all([
      runCli(["decode", p("aes.cfg"), "--key", key]),
      runCli(["decode", p("aes.cfg"), "--key", "8e4ca259aa55bb67"]),
      runCli(["compile", p("spa.txt"), "--key", "x", "--target", MAC_A, "-d", data]),
      runCli(["decode", p("scrambled.cfg")]),
    ]);
    // decode opens what needs no key by itself: a scrambled file.
    expect(unscrambled.stdout.toString("utf8")).toBe(plain);
    expect(good.stdout.toString("utf8")).toBe(plain);
    expect(bad.stderr).toContain("[CRYPTO_CONTAINER_AUTH_FAILED]");
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain("[CLI_BAD_OPTION]");
  }, 300_000);

  it("an aes128gcm body decodes with the IKM, by the library and by decode", async () => {
    const ikm = "phone-ikm-0123456789";
    const made = await runCli([
      "compile",
      p("spa.txt"),
      "-o",
      p("gcm.bin"),
      "--gzip",
      "--aes128gcm-ikm",
      ikm,
    ]);
    expect(made.code).toBe(0);
    const body = readFileSync(p("gcm.bin"));
    expect(decodeAes128gcm(body, ikm).plaintext.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const back = await runCli(["decode", p("gcm.bin"), "--aes128gcm-ikm", ikm]);
    expect(back.stdout.toString("utf8")).toBe(plain);
  }, 300_000);
});
