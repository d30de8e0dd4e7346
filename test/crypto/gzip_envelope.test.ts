import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CryptoErrorCode, gzipCompress, gzipDecompress, isGzip } from "../../src/crypto/index.ts";
import {
  bigProfile,
  expectCode,
  GUNZIP,
  GZIP,
  run,
  runOk,
  type TempDir,
  tempDir,
  VECTOR_PLAINTEXT,
} from "./helpers.ts";

describe("gzip layer (§3.5)", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  const payloads: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["vector", VECTOR_PLAINTEXT],
    ["binary", randomBytes(5000)],
    ["10,000 parameters", bigProfile(10_000)],
  ];

  it("GNU gunzip inflates what we compress", async () => {
    for (const [name, payload] of payloads) {
      const file = await dir.write("ours.xml.gz", gzipCompress(payload));
      const out = await runOk(GUNZIP, ["-c", file]);
      expect(out.equals(payload), name).toBe(true);
      // gzip -t checks CRC and length too.
      expect((await run(GZIP, ["-t", file])).code, name).toBe(0);
    }
  });

  it("we inflate what GNU gzip compresses (with and without a file name in the header)", async () => {
    for (const [name, payload] of payloads) {
      const input = await dir.write("plain.xml", payload);
      for (const flags of [["-c"], ["-c", "-n"], ["-c", "-9"], ["-c", "-1"]]) {
        const compressed = await runOk(GZIP, [...flags, input]);
        expect(isGzip(compressed)).toBe(true);
        expect(gzipDecompress(compressed).equals(payload), `${name} ${flags.join(" ")}`).toBe(true);
      }
    }
  });

  it("is deterministic: identical input gives identical bytes (ETags), MTIME 0, OS Unix", () => {
    const profile = bigProfile(1000);
    const a = gzipCompress(profile);
    const b = gzipCompress(Buffer.from(profile));
    expect(a.equals(b)).toBe(true);
    expect(a.readUInt32LE(4)).toBe(0); // MTIME
    expect(a[9]).toBe(3); // OS = Unix
    expect(a.subarray(0, 3)).toEqual(Buffer.of(0x1f, 0x8b, 0x08));
  });

  it("inflates multi-member streams (cat a.gz b.gz)", () => {
    const joined = Buffer.concat([
      gzipCompress(Buffer.from("<a/>")),
      gzipCompress(Buffer.from("<b/>")),
    ]);
    expect(gzipDecompress(joined).toString()).toBe("<a/><b/>");
  });

  it("stops a zip bomb at the limit with CRYPTO_GZIP_TOO_LARGE", () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }); // ~64 KB → 64 MiB
    expect(bomb.length).toBeLessThan(100_000);
    expectCode(() => gzipDecompress(bomb), CryptoErrorCode.GzipTooLarge);
    expectCode(
      () => gzipDecompress(gzipCompress(bigProfile(100)), { maxOutputBytes: 1000 }),
      CryptoErrorCode.GzipTooLarge,
    );
    expect(gzipDecompress(gzipCompress(Buffer.alloc(1000)), { maxOutputBytes: 1000 }).length).toBe(
      1000,
    );
  });

  it("reports corrupt and truncated streams with CRYPTO_GZIP_CORRUPT", () => {
    const good = gzipCompress(bigProfile(100));
    expectCode(
      () => gzipDecompress(good.subarray(0, good.length - 4)),
      CryptoErrorCode.GzipCorrupt,
    );
    expectCode(() => gzipDecompress(good.subarray(0, 2)), CryptoErrorCode.GzipCorrupt);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 6] = (flipped[flipped.length - 6] ?? 0) ^ 0xff; // CRC32
    expectCode(() => gzipDecompress(flipped), CryptoErrorCode.GzipCorrupt);
    expectCode(() => gzipDecompress(VECTOR_PLAINTEXT), CryptoErrorCode.GzipCorrupt);
    expectCode(
      () => gzipDecompress(Buffer.concat([good, Buffer.from("junk")])),
      CryptoErrorCode.GzipCorrupt,
    );
  });

  it("validates its options", () => {
    expectCode(() => gzipCompress(VECTOR_PLAINTEXT, { level: 10 }), CryptoErrorCode.OptionInvalid);
    expectCode(
      () => gzipDecompress(gzipCompress(VECTOR_PLAINTEXT), { maxOutputBytes: 0 }),
      CryptoErrorCode.OptionInvalid,
    );
  });
});
