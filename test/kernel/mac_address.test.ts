import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { formatMac, parseMac, tryParseMac } from "../../src/mac_address.ts";

describe("MAC addresses", () => {
  it("parses every accepted spelling to the canonical form", () => {
    for (const input of [
      "001122aabbcc",
      "001122AABBCC",
      "00:11:22:aa:bb:cc",
      "00-11-22-AA-BB-CC",
      "0011.22aa.bbcc",
      " 00:11:22:AA:BB:CC ",
    ]) {
      expect(parseMac(input)).toBe("001122aabbcc");
    }
  });

  it("rejects malformed input with the caller's code (400)", () => {
    for (const input of [
      "",
      "001122aabbc",
      "001122aabbccd",
      "00:11:22-aa:bb:cc",
      "00112g aabbcc",
      "zz:11:22:aa:bb:cc",
      "00:11:22:aa:bb",
    ]) {
      expect(tryParseMac(input)).toBeUndefined();
      try {
        parseMac(input, "STORE_INVALID_MAC");
        expect.unreachable();
      } catch (error) {
        expect(isProvisioError(error) && error.code).toBe("STORE_INVALID_MAC");
        expect(isProvisioError(error) && error.status).toBe(400);
      }
    }
  });

  it("round-trips through every display format", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 6, maxLength: 6 }),
        fc.constantFrom(":", "-", ""),
        (bytes, sep) => {
          const mac = parseMac(Buffer.from(bytes).toString("hex"));
          expect(parseMac(formatMac(mac, sep).toUpperCase())).toBe(mac);
        },
      ),
    );
  });
});
