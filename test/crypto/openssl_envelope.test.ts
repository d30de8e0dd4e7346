import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CryptoErrorCode,
  decodeEnvelope,
  evpBytesToKey,
  type KdfDigest,
  opensslDecrypt,
  opensslEncrypt,
} from "../../src/crypto/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import {
  bigProfile,
  expectCode,
  OPENSSL,
  runOk,
  type TempDir,
  tempDir,
  VECTOR_PASSPHRASE,
  VECTOR_PLAINTEXT,
  VECTOR_SALT,
} from "./helpers.ts";

describe("§3.6.4 test vector", () => {
  it("derives the MD5 key and IV", () => {
    const { key, iv } = evpBytesToKey(VECTOR_PASSPHRASE, VECTOR_SALT, "md5");
    expect(key.toString("hex")).toBe(
      "75618538a4502fa7161d6dc303f2a1f1c0ee19362ee647e725505c3c52364c82",
    );
    expect(iv.toString("hex")).toBe("04ca41f7b4e382da569224b0c61b445a");
  });

  it("derives the SHA-256 key and IV", () => {
    const { key, iv } = evpBytesToKey(VECTOR_PASSPHRASE, VECTOR_SALT, "sha256");
    expect(key.toString("hex")).toBe(
      "ec2a2d45a836181f7fa96d7e6204d9c24cd45ff1e1062e3b2dae7e7baa7d63a8",
    );
    expect(iv.toString("hex")).toBe("e10dd0d54aefddc59586871b1a7bd83c");
  });

  it("produces the exact file bytes for the given salt (MD5 KDF, the default)", () => {
    const file = opensslEncrypt(VECTOR_PLAINTEXT, VECTOR_PASSPHRASE, { salt: VECTOR_SALT });
    expect(file.toString("hex")).toBe(
      "53616c7465645f5f0102030405060708" +
        "996f307f2b5c6dd1953d01930c7a4389f93f02df5323eb0fc6be7be9649ed2bc" +
        "0f2c85bdc25871caa8d546fa5f36136a2e5a77ca2624be60a97a7a28cadfbef6",
    );
    expect(opensslDecrypt(file, VECTOR_PASSPHRASE)).toEqual(VECTOR_PLAINTEXT);
  });

  it("agrees with `openssl enc -P` for both digests", async () => {
    for (const digest of ["md5", "sha256"] as const) {
      const out = (
        await runOk(OPENSSL, [
          "enc",
          "-aes-256-cbc",
          "-md",
          digest,
          "-k",
          VECTOR_PASSPHRASE,
          "-S",
          "0102030405060708",
          "-P",
        ])
      ).toString("utf8");
      const ours = evpBytesToKey(VECTOR_PASSPHRASE, VECTOR_SALT, digest);
      expect(out).toContain(`key=${ours.key.toString("hex").toUpperCase()}`);
      expect(out).toContain(`iv =${ours.iv.toString("hex").toUpperCase()}`);
    }
  });
});

describe("interop with Debian openssl enc", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  // Sizes around the block boundary (0 → one full padding block) and a ~400 KB profile.
  const payloads: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["1 byte", Buffer.from("<")],
    ["15 bytes", Buffer.from("<flat-profile/>")],
    ["16 bytes", Buffer.from("<flat-profile/>\n")],
    ["17 bytes", Buffer.from("<flat-profile/>\n\n")],
    ["binary", randomBytes(1000)],
    ["10,000 parameters", bigProfile(10_000)],
  ];
  const keys = ["SecretPhrase1234", "83c1e792d5ef00aa", 'päss wörd $SA "quoted"'];

  for (const digest of ["md5", "sha256"] as const) {
    it(`openssl -d -md ${digest} decrypts what we encrypt`, async () => {
      for (const [name, payload] of payloads) {
        for (const key of keys) {
          const encrypted = await dir.write(
            `ours-${digest}.cfg`,
            opensslEncrypt(payload, key, { digest }),
          );
          const decrypted = await runOk(OPENSSL, [
            "enc",
            "-d",
            "-aes-256-cbc",
            "-md",
            digest,
            "-k",
            key,
            "-in",
            encrypted,
          ]);
          expect(decrypted.equals(payload), `${name} / ${key}`).toBe(true);
        }
      }
    });

    it(`we decrypt what openssl -e -md ${digest} encrypts`, async () => {
      for (const [name, payload] of payloads) {
        for (const key of keys) {
          const input = await dir.write("plain.bin", payload);
          const encrypted = await runOk(OPENSSL, [
            "enc",
            "-e",
            "-aes-256-cbc",
            "-md",
            digest,
            "-k",
            key,
            "-in",
            input,
          ]);
          expect(encrypted.subarray(0, 8).toString("ascii")).toBe("Salted__");
          expect(
            opensslDecrypt(encrypted, key, { digest }).equals(payload),
            `${name} / ${key}`,
          ).toBe(true);
        }
      }
    });
  }

  it("decodeEnvelope tells an MD5 file from a SHA-256 file by padding + content", async () => {
    const input = await dir.write("vector.xml", VECTOR_PLAINTEXT);
    for (const digest of ["md5", "sha256"] as const) {
      const encrypted = await runOk(OPENSSL, [
        "enc",
        "-e",
        "-aes-256-cbc",
        "-md",
        digest,
        "-k",
        VECTOR_PASSPHRASE,
        "-in",
        input,
      ]);
      const decoded = decodeEnvelope(encrypted, VECTOR_PASSPHRASE);
      expect(decoded.digest).toBe(digest);
      expect(decoded.plaintext).toEqual(VECTOR_PLAINTEXT);
    }
  });

  it("the `spa` family setting (MD5 only) refuses an openssl ≥ 1.1 default (SHA-256) file", async () => {
    const input = await dir.write("vector.xml", VECTOR_PLAINTEXT);
    const encrypted = await runOk(OPENSSL, [
      "enc",
      "-e",
      "-aes-256-cbc",
      "-k",
      VECTOR_PASSPHRASE,
      "-in",
      input,
    ]);
    expect(decodeEnvelope(encrypted, VECTOR_PASSPHRASE).digest).toBe("sha256");
    expectCode(
      () => decodeEnvelope(encrypted, VECTOR_PASSPHRASE, { digests: ["md5"] }),
      CryptoErrorCode.BadKey,
    );
  });
});

describe("wrong keys", () => {
  const profile = bigProfile(50);
  const right = "3e9f0c5a1b7d2e4f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";

  it("over many random keys, decodeEnvelope always fails with CRYPTO_BAD_KEY", () => {
    for (const digest of ["md5", "sha256"] as KdfDigest[]) {
      const encrypted = opensslEncrypt(profile, right, { digest });
      fc.assert(
        fc.property(fc.string({ minLength: 0, maxLength: 80 }), (key) => {
          fc.pre(key !== right);
          expectCode(() => decodeEnvelope(encrypted, key), CryptoErrorCode.BadKey);
        }),
        { numRuns: 3000 },
      );
    }
  });

  it("padding alone lets ~1/256 wrong keys through; the content check stops every one", () => {
    const encrypted = opensslEncrypt(profile, right);
    let passedPadding = 0;
    for (let i = 0; i < 20_000; i++) {
      const key = randomBytes(16).toString("hex");
      let plaintext: Buffer | undefined;
      try {
        plaintext = opensslDecrypt(encrypted, key);
      } catch (error) {
        expect(isProvisioError(error) && error.code === CryptoErrorCode.BadKey).toBe(true);
        continue;
      }
      passedPadding++;
      // The garbage that slipped past the padding check is caught by the profile check.
      expect(plaintext.equals(profile)).toBe(false);
      expectCode(() => decodeEnvelope(encrypted, key), CryptoErrorCode.BadKey);
      expect(decodeEnvelope(encrypted, key, { contentCheck: "none" }).plaintext).toEqual(plaintext);
    }
    // Binomial(20000, ~1/255): mean 78, far from both bounds.
    expect(passedPadding).toBeGreaterThan(30);
    expect(passedPadding).toBeLessThan(160);
  });

  it("a wrong key never returns garbage from opensslDecrypt with an invalid padding", () => {
    // Fixed salt: deterministic (a random one would give valid padding 1 time in 256).
    const encrypted = opensslEncrypt(VECTOR_PLAINTEXT, VECTOR_PASSPHRASE, { salt: VECTOR_SALT });
    expectCode(() => opensslDecrypt(encrypted, "SecretPhrase1235"), CryptoErrorCode.BadKey);
    expectCode(
      () => opensslDecrypt(encrypted, VECTOR_PASSPHRASE, { digest: "sha256" }),
      CryptoErrorCode.BadKey,
    );
  });
});

describe("malformed envelopes", () => {
  it("rejects bad lengths without a key-dependent answer", () => {
    const good = opensslEncrypt(VECTOR_PLAINTEXT, "k");
    expectCode(() => opensslDecrypt(good.subarray(0, 16), "k"), CryptoErrorCode.EnvelopeMalformed);
    expectCode(
      () => opensslDecrypt(good.subarray(0, good.length - 1), "k"),
      CryptoErrorCode.EnvelopeMalformed,
    );
    expectCode(
      () => opensslDecrypt(Buffer.concat([good, Buffer.of(0)]), "k"),
      CryptoErrorCode.EnvelopeMalformed,
    );
    expectCode(() => opensslDecrypt(Buffer.from("Salted_"), "k"), CryptoErrorCode.NotEncrypted);
    expectCode(() => opensslDecrypt(VECTOR_PLAINTEXT, "k"), CryptoErrorCode.NotEncrypted);
  });

  it("rejects unknown digests and wrong salt sizes", () => {
    expectCode(() => evpBytesToKey("k", Buffer.alloc(7)), CryptoErrorCode.OptionInvalid);
    expectCode(
      () => opensslEncrypt(VECTOR_PLAINTEXT, "k", { digest: "sha1" as KdfDigest }),
      CryptoErrorCode.OptionInvalid,
    );
  });

  it("encrypts with a fresh random salt each call", () => {
    const a = opensslEncrypt(VECTOR_PLAINTEXT, "k");
    const b = opensslEncrypt(VECTOR_PLAINTEXT, "k");
    expect(a.subarray(8, 16).equals(b.subarray(8, 16))).toBe(false);
    expect(opensslDecrypt(a, "k")).toEqual(opensslDecrypt(b, "k"));
  });

  it("takes a string passphrase as its UTF-8 bytes (what openssl -k does)", () => {
    const encrypted = opensslEncrypt(VECTOR_PLAINTEXT, "päss");
    expect(opensslDecrypt(encrypted, Buffer.from("päss", "utf8"))).toEqual(VECTOR_PLAINTEXT);
    expectCode(
      () => decodeEnvelope(encrypted, Buffer.from("päss", "latin1")),
      CryptoErrorCode.BadKey,
    );
  });
});
