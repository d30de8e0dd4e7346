import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CryptoErrorCode,
  type DecodeProfileOptions,
  decodeProfileBytes,
  detectEnvelope,
  encodeProfileBytes,
} from "../../src/crypto/index.ts";
import { isProvisioError } from "../../src/errors.ts";

/**
 * Device-facing input is hostile: whatever bytes arrive, the decoder returns a result or
 * throws a ProvisioError with a CRYPTO_* code — no TypeError, RangeError, zlib error or hang.
 */

const KEY = "fuzz-key-0123456789abcdef";
const CODES = new Set<string>(Object.values(CryptoErrorCode));
const SEED_PROFILES = [
  Buffer.from("<flat-profile><GPP_A>12345678</GPP_A></flat-profile>\n"),
  Buffer.from(
    `<flat-profile>${"<Resync_Periodic>3600</Resync_Periodic>".repeat(40)}</flat-profile>`,
  ),
  Buffer.alloc(0),
];

/** Valid envelopes of every kind, to be mutated; fixed salt so fast-check seeds replay. */
const SALT = Buffer.from("fuzzsalt", "ascii");
const SEEDS: Buffer[] = SEED_PROFILES.flatMap((p) => [
  p,
  encodeProfileBytes(p, { gzip: true }),
  encodeProfileBytes(p, { key: KEY, salt: SALT }),
  encodeProfileBytes(p, { key: KEY, gzip: true, salt: SALT }),
  encodeProfileBytes(p, { key: KEY, gzip: true, digest: "sha256", salt: SALT }),
]);

const optionsArb: fc.Arbitrary<DecodeProfileOptions> = fc.record(
  {
    key: fc.oneof(fc.constant(KEY), fc.string({ maxLength: 20 })),
    digests: fc.constantFrom(["md5"] as const, ["sha256"] as const, ["md5", "sha256"] as const),
    allowUnencrypted: fc.boolean(),
    maxOutputBytes: fc.integer({ min: 1, max: 1 << 20 }),
  },
  { requiredKeys: [] },
);

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; at: number }
  | { kind: "append"; bytes: Uint8Array }
  | { kind: "splice"; at: number; bytes: Uint8Array };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({
    kind: fc.constant("splice" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 16 }),
  }),
);

function mutate(seed: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(seed);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : ("at" in m ? m.at : 0) % (out.length + 1);
    if (m.kind === "flip" && out.length > 0) {
      const i = at % out.length;
      out[i] = (out[i] ?? 0) ^ (1 << m.bit);
    } else if (m.kind === "truncate") {
      out = out.subarray(0, at);
    } else if (m.kind === "append") {
      out = Buffer.concat([out, m.bytes]);
    } else if (m.kind === "splice") {
      out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at + m.bytes.length)]);
    }
  }
  return out;
}

function decodeOrCode(bytes: Uint8Array, options: DecodeProfileOptions): void {
  expect(["plain", "gzip", "encrypted"]).toContain(detectEnvelope(bytes));
  try {
    const result = decodeProfileBytes(bytes, options);
    expect(Buffer.isBuffer(result.bytes)).toBe(true);
  } catch (error) {
    if (!isProvisioError(error) || !CODES.has(error.code)) throw error;
  }
}

describe("envelope decoder fuzz (10,000 cases per property; bench/crypto_fuzz.ts runs 1,000,000)", () => {
  it("random bytes (with random magic prefixes): result or CRYPTO_* error", () => {
    const prefix = fc.constantFrom(
      Buffer.alloc(0),
      Buffer.from("Salted__"),
      Buffer.of(0x1f, 0x8b),
      Buffer.of(0x1f, 0x8b, 0x08, 0x00),
      Buffer.from("<"),
    );
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 300 }), optionsArb, (p, tail, options) => {
        decodeOrCode(Buffer.concat([p, tail]), options);
      }),
      { numRuns: 10_000 },
    );
  });

  it("mutated valid envelopes: result or CRYPTO_* error", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        optionsArb,
        (seed, mutations, options) => {
          decodeOrCode(mutate(seed, mutations), options);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("mutated encrypted envelopes with the right key never yield a wrong profile silently", () => {
    const profile = SEED_PROFILES[1] ?? Buffer.alloc(0);
    const seed = encodeProfileBytes(profile, { key: KEY, gzip: true, salt: SALT });
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 2 }), (mutations) => {
        const bytes = mutate(seed, mutations);
        try {
          const result = decodeProfileBytes(bytes, { key: KEY });
          // Success is only possible when the mutation left the ciphertext intact enough
          // for gzip's CRC32 to pass: then the output is the original profile.
          expect(result.bytes.equals(profile)).toBe(true);
        } catch (error) {
          if (!isProvisioError(error) || !CODES.has(error.code)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
