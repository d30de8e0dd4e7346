import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeProfileBytes } from "../../src/crypto/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import { bigProfile, GZIP, OPENSSL, runOk, type TempDir, tempDir } from "./helpers.ts";

// `openssl enc` variants a device cannot read are refused with a message naming the likely
// cause, not just "wrong key" or "not encrypted". Every file here is made by the real openssl.

const KEY = "SecretPhrase1234";
const KDF_VARIANTS = [["-pbkdf2"], ["-iter", "1000"], ["-pbkdf2", "-iter", "20000"]];

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isProvisioError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a ProvisioError");
}

describe("openssl variants devices cannot read", () => {
  const profile = bigProfile(200);
  let dir: TempDir;
  const made = new Map<string, Buffer>();

  beforeAll(async () => {
    dir = await tempDir();
    const input = await dir.write("profile.xml", profile);
    const encrypt = (extra: string[]) =>
      runOk(OPENSSL, [
        "enc",
        "-e",
        "-aes-256-cbc",
        "-md",
        "md5",
        ...extra,
        "-k",
        KEY,
        "-in",
        input,
      ]);
    made.set("", await encrypt([]));
    for (const v of [...KDF_VARIANTS, ["-nosalt"]]) made.set(v.join(" "), await encrypt(v));
    await dir.write("profile.enc", made.get("")!);
    await runOk(GZIP, ["-f", "-k", "-n", dir.file("profile.enc")]);
    made.set("enc|gzip", await dir.read("profile.enc.gz"));
  });
  afterAll(async () => {
    await dir.remove();
  });

  it("the device's own format still decodes (control)", () => {
    expect(decodeProfileBytes(made.get("")!, { key: KEY }).bytes.equals(profile)).toBe(true);
  });

  it.each(KDF_VARIANTS.map((v) => v.join(" ")))(
    "openssl enc %s → CRYPTO_BAD_KEY naming -pbkdf2 and -iter",
    (variant) => {
      const error = failure(() => decodeProfileBytes(made.get(variant)!, { key: KEY }));
      expect(error.code).toBe("CRYPTO_BAD_KEY");
      expect(error.message).toContain("wrong key");
      expect(error.message).toContain("-pbkdf2");
      expect(error.message).toContain("-iter");
    },
  );

  it("openssl enc -nosalt → CRYPTO_NOT_ENCRYPTED naming -nosalt", () => {
    const error = failure(() => decodeProfileBytes(made.get("-nosalt")!, { key: KEY }));
    expect(error.code).toBe("CRYPTO_NOT_ENCRYPTED");
    expect(error.message).toContain("-nosalt");
  });

  it("openssl enc, then gzip → CRYPTO_LAYER_ORDER, with a key and without", () => {
    for (const options of [{ key: KEY }, {}]) {
      const error = failure(() => decodeProfileBytes(made.get("enc|gzip")!, options));
      expect(error.code).toBe("CRYPTO_LAYER_ORDER");
      expect(error.message).toContain("encrypted and then gzipped");
      expect(error.message).toContain("compress before encrypting");
    }
  });

  it("a plain or gzipped profile given a key keeps the plain message (no false hint)", () => {
    const error = failure(() => decodeProfileBytes(profile, { key: KEY }));
    expect(error.code).toBe("CRYPTO_NOT_ENCRYPTED");
    expect(error.message).not.toContain("-nosalt");
  });
});
