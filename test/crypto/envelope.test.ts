import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CryptoErrorCode,
  decodeProfileBytes,
  detectEnvelope,
  encodeProfileBytes,
  gzipCompress,
  looksLikeProfilePlaintext,
  looksLikeProfileSource,
  opensslEncrypt,
} from "../../src/crypto/index.ts";
import {
  bigProfile,
  expectCode,
  GUNZIP,
  GZIP,
  OPENSSL,
  runOk,
  type TempDir,
  tempDir,
  VECTOR_PASSPHRASE,
  VECTOR_PLAINTEXT,
  VECTOR_SALT,
} from "./helpers.ts";

const KEY = "8e4ca2590b1c7d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6";

describe("detectEnvelope (§3.1: the device inspects the bytes)", () => {
  it("classifies by magic bytes", () => {
    expect(detectEnvelope(VECTOR_PLAINTEXT)).toBe("plain");
    expect(detectEnvelope(Buffer.alloc(0))).toBe("plain");
    expect(detectEnvelope(Buffer.of(0x1f))).toBe("plain");
    expect(detectEnvelope(gzipCompress(VECTOR_PLAINTEXT))).toBe("gzip");
    expect(detectEnvelope(opensslEncrypt(VECTOR_PLAINTEXT, "k"))).toBe("encrypted");
    expect(detectEnvelope(Buffer.from("Salted__"))).toBe("encrypted");
    expect(detectEnvelope(Buffer.from("Salted_"))).toBe("plain");
  });
});

describe("encodeProfileBytes / decodeProfileBytes", () => {
  const profile = bigProfile(200);

  it("round-trips every layer combination and reports the layers", () => {
    const cases = [
      { options: {}, layers: [], outer: "plain" },
      { options: { gzip: true }, layers: ["gzip"], outer: "gzip" },
      { options: { key: KEY }, layers: ["encrypted"], outer: "encrypted" },
      { options: { key: KEY, gzip: true }, layers: ["encrypted", "gzip"], outer: "encrypted" },
      {
        options: { key: KEY, gzip: true, digest: "sha256" as const },
        layers: ["encrypted", "gzip"],
        outer: "encrypted",
      },
    ] as const;
    for (const { options, layers, outer } of cases) {
      const encoded = encodeProfileBytes(profile, options);
      expect(detectEnvelope(encoded)).toBe(outer);
      const decoded = decodeProfileBytes(encoded, "key" in options ? { key: KEY } : {});
      expect(decoded.bytes.equals(profile)).toBe(true);
      expect(decoded.layers).toEqual(layers);
      expect(decoded.encrypted).toBe(layers.includes("encrypted" as never));
      expect(decoded.gzip).toBe(layers.includes("gzip" as never));
      expect(decoded.digest).toBe(
        "key" in options ? ("digest" in options ? options.digest : "md5") : undefined,
      );
    }
  });

  it("compresses before encrypting: the decrypted layer is gzip (§3.5)", () => {
    const encoded = encodeProfileBytes(profile, { key: KEY, gzip: true });
    const inner = decodeProfileBytes(encoded, { key: KEY });
    expect(inner.layers[0]).toBe("encrypted");
    expect(encoded.length).toBeLessThan(profile.length / 2);
  });

  it("reproduces the §3.6.4 file when given its salt", () => {
    const encoded = encodeProfileBytes(VECTOR_PLAINTEXT, {
      key: VECTOR_PASSPHRASE,
      salt: VECTOR_SALT,
    });
    expect(encoded.subarray(16, 32).toString("hex")).toBe("996f307f2b5c6dd1953d01930c7a4389");
  });

  it("encrypted input without a key → CRYPTO_KEY_REQUIRED", () => {
    expectCode(
      () => decodeProfileBytes(encodeProfileBytes(profile, { key: KEY })),
      CryptoErrorCode.KeyRequired,
    );
  });

  it("a key for unencrypted input → CRYPTO_NOT_ENCRYPTED, unless allowUnencrypted (§3.6.5)", () => {
    for (const encoded of [profile, encodeProfileBytes(profile, { gzip: true })]) {
      expectCode(() => decodeProfileBytes(encoded, { key: KEY }), CryptoErrorCode.NotEncrypted);
      const lenient = decodeProfileBytes(encoded, { key: KEY, allowUnencrypted: true });
      expect(lenient.bytes.equals(profile)).toBe(true);
      expect(lenient.encrypted).toBe(false);
    }
  });

  it("encrypt-then-gzip (the wrong order) is refused as such, with or without a key", () => {
    const wrongOrder = gzipCompress(opensslEncrypt(profile, KEY));
    expectCode(() => decodeProfileBytes(wrongOrder, { key: KEY }), CryptoErrorCode.LayerOrder);
    // Without a key the gzip layer comes off and what is left is ciphertext, not a profile.
    expectCode(() => decodeProfileBytes(wrongOrder), CryptoErrorCode.LayerOrder);
  });

  it("a wrong key → CRYPTO_BAD_KEY (gzip layer never reached)", () => {
    const encoded = encodeProfileBytes(profile, { key: KEY, gzip: true });
    expectCode(() => decodeProfileBytes(encoded, { key: `${KEY}x` }), CryptoErrorCode.BadKey);
    expectCode(() => decodeProfileBytes(encoded, { key: "" }), CryptoErrorCode.BadKey);
  });

  it("a SHA-256 file with digests [md5] → CRYPTO_BAD_KEY", () => {
    const encoded = encodeProfileBytes(profile, { key: KEY, digest: "sha256" });
    expectCode(
      () => decodeProfileBytes(encoded, { key: KEY, digests: ["md5"] }),
      CryptoErrorCode.BadKey,
    );
  });

  it("a zip bomb inside the encryption is stopped", () => {
    const bomb = encodeProfileBytes(Buffer.alloc(2_000_000, 0x20), { key: KEY, gzip: true });
    expectCode(
      () => decodeProfileBytes(bomb, { key: KEY, maxOutputBytes: 1_000_000 }),
      CryptoErrorCode.GzipTooLarge,
    );
  });

  it("refuses to wrap a layer twice or to encrypt with an empty key", () => {
    const gz = encodeProfileBytes(profile, { gzip: true });
    expectCode(() => encodeProfileBytes(gz, { gzip: true }), CryptoErrorCode.OptionInvalid);
    const enc = encodeProfileBytes(profile, { key: KEY });
    expectCode(() => encodeProfileBytes(enc, { key: KEY }), CryptoErrorCode.OptionInvalid);
    expectCode(() => encodeProfileBytes(profile, { key: "" }), CryptoErrorCode.KeyEmpty);
  });

  it("identical gzip-only encodes are byte-identical (ETag-stable)", () => {
    expect(
      encodeProfileBytes(profile, { gzip: true }).equals(
        encodeProfileBytes(profile, { gzip: true }),
      ),
    ).toBe(true);
  });
});

describe("looksLikeProfilePlaintext", () => {
  it("accepts what a device would apply", () => {
    for (const text of [
      "<flat-profile/>",
      "\uFEFF<flat-profile/>",
      "\r\n  \t<?xml version='1.0'?>\n<flat-profile>\n</flat-profile>",
      "",
      "   \n",
    ]) {
      expect(looksLikeProfilePlaintext(Buffer.from(text, "utf8")), JSON.stringify(text)).toBe(true);
    }
    expect(looksLikeProfilePlaintext(gzipCompress(VECTOR_PLAINTEXT))).toBe(true);
  });

  it("rejects what a wrong key's garbage looks like", () => {
    for (const bytes of [
      Buffer.from("x<flat-profile/>"),
      Buffer.from("<flat\u0000profile/>"),
      Buffer.from("<flat\u0007profile/>"),
      Buffer.of(0x8b, 0x1f),
    ]) {
      expect(looksLikeProfilePlaintext(bytes), bytes.toString("hex")).toBe(false);
    }
  });
});

describe('contentCheck "source": SPC plain-text source, for tools', () => {
  const source = Buffer.from('# customer profile\nGPP_A ! "x" ;\nimport base.txt\n');
  it("an encrypted text profile decodes with the right key under source, not under profile", () => {
    const encrypted = encodeProfileBytes(source, { key: KEY });
    expect(decodeProfileBytes(encrypted, { key: KEY, contentCheck: "source" }).bytes).toEqual(
      source,
    );
    // A device (default check) cannot apply plain text, so it calls the key wrong.
    expectCode(() => decodeProfileBytes(encrypted, { key: KEY }), CryptoErrorCode.BadKey);
  });
  it("accepts XML, gzip and text starting with a name or a comment; rejects control bytes", () => {
    for (const text of ["<flat-profile/>", 'GPP_A "1";', "# c\n", "  \n\tProxy[1] ;"]) {
      expect(looksLikeProfileSource(Buffer.from(text)), JSON.stringify(text)).toBe(true);
    }
    expect(looksLikeProfileSource(gzipCompress(source))).toBe(true);
    for (const bytes of [
      Buffer.from('1A "x";'),
      Buffer.from('GPP_A "\u0001";'),
      Buffer.of(0xff, 0x41),
    ]) {
      expect(looksLikeProfileSource(bytes), bytes.toString("hex")).toBe(false);
    }
  });
});

describe("combined gzip + encryption with the real tools", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  const profile = bigProfile(10_000);

  for (const digest of ["md5", "sha256"] as const) {
    it(`gzip | openssl enc -e -md ${digest} → decodeProfileBytes`, async () => {
      const input = await dir.write("profile.xml", profile);
      await runOk(GZIP, ["-f", "-k", "-n", input]); // → profile.xml.gz, as §3.6.1 documents
      const encrypted = await runOk(OPENSSL, [
        "enc",
        "-e",
        "-aes-256-cbc",
        "-md",
        digest,
        "-k",
        KEY,
        "-in",
        `${input}.gz`,
      ]);
      const decoded = decodeProfileBytes(encrypted, { key: KEY });
      expect(decoded.layers).toEqual(["encrypted", "gzip"]);
      expect(decoded.digest).toBe(digest);
      expect(decoded.bytes.equals(profile)).toBe(true);
    });

    it(`encodeProfileBytes → openssl enc -d -md ${digest} | gunzip`, async () => {
      const encoded = await dir.write(
        "profile.cfg",
        encodeProfileBytes(profile, { gzip: true, key: KEY, digest }),
      );
      const gz = await dir.write(
        "decrypted.xml.gz",
        await runOk(OPENSSL, [
          "enc",
          "-d",
          "-aes-256-cbc",
          "-md",
          digest,
          "-k",
          KEY,
          "-in",
          encoded,
        ]),
      );
      const xml = await runOk(GUNZIP, ["-c", gz]);
      expect(xml.equals(profile)).toBe(true);
    });
  }
});
