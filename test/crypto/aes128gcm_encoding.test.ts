import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CryptoErrorCode,
  decodeAes128gcm,
  encodeAes128gcm,
  parseAes128gcmHeader,
} from "../../src/crypto/index.ts";
import { isProvisioError } from "../../src/errors.ts";

const b64u = (s: string) => Buffer.from(s, "base64url");
const PLAINTEXT = Buffer.from("I am the walrus");

/** RFC 8188 §3.1: one record, rs 4096, no key id. */
const V1 = {
  ikm: b64u("yqdlZ-tYemfogSmv7Ws5PQ"),
  salt: b64u("I1BsxtFttlv3u_Oo94xnmw"),
  body: b64u("I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg"),
};
/** RFC 8188 §3.2: two records of rs 25, key id "a1", one padding byte in the first record. */
const V2 = {
  ikm: b64u("BO3ZVPxUlnLORbVGMpbT1Q"),
  body: b64u(
    "uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA",
  ),
};

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isProvisioError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("RFC 8188 aes128gcm", () => {
  it("reproduces the §3.1 body byte for byte and reads it back", () => {
    const body = encodeAes128gcm(PLAINTEXT, V1.ikm, { salt: V1.salt, recordSize: 4096 });
    expect(body.toString("base64url")).toBe(V1.body.toString("base64url"));
    const decoded = decodeAes128gcm(V1.body, V1.ikm);
    expect(decoded.plaintext.toString()).toBe("I am the walrus");
    expect(decoded.recordSize).toBe(4096);
    expect(decoded.keyId.length).toBe(0);
  });

  it("reproduces the §3.2 two-record body (rs 25, key id a1, padding) and reads it back", () => {
    const header = parseAes128gcmHeader(V2.body);
    expect(header.recordSize).toBe(25);
    expect(header.keyId.toString()).toBe("a1");
    const body = encodeAes128gcm(PLAINTEXT, V2.ikm, {
      salt: header.salt,
      recordSize: 25,
      keyId: Buffer.from("a1"),
      padding: [1, 0],
    });
    expect(body.toString("base64url")).toBe(V2.body.toString("base64url"));
    expect(decodeAes128gcm(V2.body, V2.ikm).plaintext.toString()).toBe("I am the walrus");
  });

  it("a wrong IKM fails authentication", () => {
    expect(codeOf(() => decodeAes128gcm(V1.body, V2.ikm))).toBe(
      CryptoErrorCode.Aes128gcmAuthFailed,
    );
  });

  it("dropping the last record is a truncation, not a shorter plaintext", () => {
    expect(codeOf(() => decodeAes128gcm(V2.body.subarray(0, 23 + 25), V2.ikm))).toBe(
      CryptoErrorCode.Aes128gcmMalformed,
    );
  });

  it("round-trips any plaintext, record size and padding", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 18, max: 200 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 3 }), { maxLength: 4 }),
        (plain, rs, ikm, padding) => {
          const fitted = padding.map((p) => Math.min(p, rs - 18));
          const body = encodeAes128gcm(plain, ikm, { recordSize: rs, padding: fitted });
          expect(decodeAes128gcm(body, ikm).plaintext).toEqual(Buffer.from(plain));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("flipping any byte but the key id fails with an aes128gcm code", () => {
    // RFC 8188 does not authenticate the key id: it only names which IKM to use, and the
    // IKM here is given. Every other byte (salt, rs, idlen, records) is covered.
    const keyIdAt = new Set([21, 22]);
    const positions = [...V2.body.keys()].filter((i) => !keyIdAt.has(i));
    fc.assert(
      fc.property(fc.constantFrom(...positions), fc.integer({ min: 1, max: 255 }), (i, mask) => {
        const body = Buffer.from(V2.body);
        body[i] = body[i]! ^ mask;
        const code = codeOf(() => decodeAes128gcm(body, V2.ikm));
        expect([CryptoErrorCode.Aes128gcmAuthFailed, CryptoErrorCode.Aes128gcmMalformed]).toContain(
          code,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes give a result or an aes128gcm error, never another exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const code = codeOf(() => decodeAes128gcm(bytes, V1.ikm));
        if (code !== undefined) expect(code).toMatch(/^CRYPTO_AES128GCM_/);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses an empty IKM, a record size below 18 and a plaintext above the limit", () => {
    expect(codeOf(() => encodeAes128gcm(PLAINTEXT, ""))).toBe(CryptoErrorCode.KeyEmpty);
    expect(codeOf(() => encodeAes128gcm(PLAINTEXT, "k", { recordSize: 17 }))).toBe(
      CryptoErrorCode.OptionInvalid,
    );
    const body = encodeAes128gcm(Buffer.alloc(100), "k", { recordSize: 40 });
    expect(codeOf(() => decodeAes128gcm(body, "k", { maxPlaintextBytes: 50 }))).toBe(
      CryptoErrorCode.Aes128gcmMalformed,
    );
  });
});
