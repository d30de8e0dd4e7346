import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CryptoErrorCode,
  decodeProfileBytes,
  encodeProfileBytes,
  generateDeviceKey,
  generateDirectoryName,
  generateMasterKey,
  generatePassphrase,
  needsReseal,
  openSecret,
  openSecretBytes,
  parseMasterKey,
  sealedKeyId,
  sealSecret,
  secretsEqual,
} from "../../src/crypto/index.ts";
import { expectCode } from "./helpers.ts";

describe("generated secrets (§10.2, SEC-PRV-2)", () => {
  it("device keys are 256-bit, 64 lower-case hex digits, all different", () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateDeviceKey()));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(generateDeviceKey({ bits: 128 })).toMatch(/^[0-9a-f]{32}$/);
    expectCode(() => generateDeviceKey({ bits: 64 }), CryptoErrorCode.OptionInvalid);
  });

  it("a generated key works as a `--key` end to end", () => {
    const key = generateDeviceKey();
    const profile = Buffer.from("<flat-profile><GPP_B>x</GPP_B></flat-profile>");
    expect(decodeProfileBytes(encodeProfileBytes(profile, { key }), { key }).bytes).toEqual(
      profile,
    );
  });

  it("directory names are URL/TFTP/shell-safe and carry ≥ 128 bits", () => {
    const names = Array.from({ length: 2000 }, () => generateDirectoryName());
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9]{25}$/); // 25 × log2(36) = 129.2 bits
      expect(encodeURIComponent(name)).toBe(name);
    }
    // Every character of the alphabet shows up: the draw is not biased to a subset.
    expect(new Set(names.join("")).size).toBe(36);
    expect(generateDirectoryName({ bits: 64 })).toMatch(/^[a-z0-9]{13}$/);
  });

  it("passphrases are mixed-case alphanumeric with ≥ 128 bits", () => {
    const p = generatePassphrase();
    expect(p).toMatch(/^[A-Za-z0-9]{22}$/);
  });
});

describe("secretsEqual", () => {
  it("is equality, for strings and bytes", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(secretsEqual(a, b)).toBe(a === b);
        expect(secretsEqual(a, a)).toBe(true);
        expect(secretsEqual(Buffer.from(a), a)).toBe(true);
      }),
    );
    expect(secretsEqual("1234", "12345")).toBe(false);
    expect(secretsEqual("", "")).toBe(true);
  });
});

describe("sealed secrets (AES-256-GCM at rest)", () => {
  const k1 = generateMasterKey("k1");
  const k2 = generateMasterKey("k2");

  it("round-trips any text, with a fresh IV each time", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const sealed = sealSecret(k1, text);
        expect(sealed).toMatch(/^pv1:k1:[A-Za-z0-9_-]+$/);
        expect(openSecret(k1, sealed)).toBe(text);
      }),
    );
    expect(sealSecret(k1, "same")).not.toBe(sealSecret(k1, "same"));
    const bytes = Buffer.from([0, 255, 1, 2]);
    expect(openSecretBytes(k1, sealSecret(k1, bytes))).toEqual(bytes);
  });

  it("rotates: a ring seals with current and opens old values; needsReseal finds them", () => {
    const old = sealSecret(k1, "GPP_SA key");
    const ring = { current: k2, previous: [k1] };
    const fresh = sealSecret(ring, "new");
    expect(sealedKeyId(fresh)).toBe("k2");
    expect(openSecret(ring, old)).toBe("GPP_SA key");
    expect(openSecret(ring, fresh)).toBe("new");
    expect(needsReseal(ring, old)).toBe(true);
    expect(needsReseal(ring, fresh)).toBe(false);
    expectCode(() => openSecret(k2, old), CryptoErrorCode.SealedKeyUnknown);
  });

  it("detects tampering, a wrong key under the same id, a swapped key id, and a wrong context", () => {
    const sealed = sealSecret(k1, "secret", { context: "device:000e08abcdef:GPP_SA" });
    expect(openSecret(k1, sealed, { context: "device:000e08abcdef:GPP_SA" })).toBe("secret");
    expectCode(
      () => openSecret(k1, sealed, { context: "device:000e08000000:GPP_SA" }),
      CryptoErrorCode.SealedAuthFailed,
    );
    expectCode(() => openSecret(k1, sealed), CryptoErrorCode.SealedAuthFailed);
    const impostor = { id: "k1", key: generateMasterKey("x").key };
    expectCode(
      () => openSecret(impostor, sealed, { context: "device:000e08abcdef:GPP_SA" }),
      CryptoErrorCode.SealedAuthFailed,
    );
    // Same key material under another id: the id is authenticated, so this fails too.
    const renamed = { id: "k9", key: k1.key };
    expectCode(
      () =>
        openSecret(renamed, sealed.replace("pv1:k1:", "pv1:k9:"), {
          context: "device:000e08abcdef:GPP_SA",
        }),
      CryptoErrorCode.SealedAuthFailed,
    );
    const body = sealed.split(":")[2] ?? "";
    const raw = Buffer.from(body, "base64url");
    for (let i = 0; i < raw.length; i++) {
      const t = Buffer.from(raw);
      t[i] = (t[i] ?? 0) ^ 1;
      expectCode(
        () =>
          openSecret(k1, `pv1:k1:${t.toString("base64url")}`, {
            context: "device:000e08abcdef:GPP_SA",
          }),
        CryptoErrorCode.SealedAuthFailed,
      );
    }
  });

  it("rejects malformed values and keys with codes", () => {
    for (const bad of [
      "",
      "pv1:k1",
      "pv2:k1:AAAA",
      "pv1:k1:AAAA",
      "pv1::AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "plain text",
    ]) {
      expectCode(() => openSecret(k1, bad), CryptoErrorCode.SealedMalformed);
    }
    expectCode(() => parseMasterKey("k", "abcd"), CryptoErrorCode.MasterKeyInvalid);
    expectCode(
      () => sealSecret({ id: "k", key: new Uint8Array(16) }, "x"),
      CryptoErrorCode.MasterKeyInvalid,
    );
    expectCode(
      () => sealSecret({ id: "bad id!", key: k1.key }, "x"),
      CryptoErrorCode.MasterKeyInvalid,
    );
  });

  it("parses master keys from hex and base64 configuration text", () => {
    const hex = parseMasterKey("k1", k1.text);
    expect(Buffer.from(hex.key)).toEqual(Buffer.from(k1.key));
    const b64 = parseMasterKey("k1", Buffer.from(k1.key).toString("base64"));
    const b64url = parseMasterKey("k1", Buffer.from(k1.key).toString("base64url"));
    expect(Buffer.from(b64.key)).toEqual(Buffer.from(k1.key));
    expect(Buffer.from(b64url.key)).toEqual(Buffer.from(k1.key));
    expect(openSecret(hex, sealSecret(k1, "x"))).toBe("x");
  });
});
