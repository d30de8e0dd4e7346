/**
 * The activation page's reading of the unit's address (ui/activation/src/device_address.ts):
 * only private-network IPv4 addresses (with an optional port) become a resync URL, so a typo
 * cannot send the activation code to a host on the Internet; whatever is typed, it answers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDeviceAddress, resyncUrl } from "../../ui/activation/src/device_address.ts";

const octet = fc.integer({ min: 0, max: 255 });

function isPrivate(a: number, b: number): boolean {
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    a === 127
  );
}

describe("the activation page's device address", () => {
  it("accepts an IPv4 address exactly when it is on a private network", () => {
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        const parsed = parseDeviceAddress(`${a}.${b}.${c}.${d}`);
        expect(parsed.ok).toBe(isPrivate(a, b));
        if (parsed.ok) expect(parsed.host).toBe(`${a}.${b}.${c}.${d}`);
      }),
      { numRuns: 5_000 },
    );
  });

  it("keeps a port other than 80 and builds the unit's resync URL", () => {
    expect(parseDeviceAddress(" http://192.168.1.23:8080/ ")).toEqual({
      ok: true,
      host: "192.168.1.23:8080",
    });
    expect(parseDeviceAddress("192.168.1.23:80")).toEqual({ ok: true, host: "192.168.1.23" });
    expect(parseDeviceAddress("192.168.1.23:0").ok).toBe(false);
    expect(resyncUrl("192.168.1.23", "https://prov.example.com/init/4821093357126640")).toBe(
      "http://192.168.1.23/admin/resync?https://prov.example.com/init/4821093357126640",
    );
  });

  it("answers any text without throwing, and never accepts a host name or a public address", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (text) => {
        const parsed = parseDeviceAddress(text);
        if (!parsed.ok) return;
        const [a = -1, b = -1] = parsed.host.split(/[.:]/).map(Number);
        expect(parsed.host).toMatch(/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/);
        expect(isPrivate(a, b)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
    for (const text of ["phone.local", "8.8.8.8", "example.com", "[fe80::1]", "192.168.1", ""]) {
      expect(parseDeviceAddress(text).ok, text).toBe(false);
    }
  });
});
