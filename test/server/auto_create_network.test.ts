/**
 * The network an address's auto-create budget is shared with: an IPv4 /24, an IPv6 /64.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../src/server/auto_create.ts";

describe("networkOf", () => {
  it("groups IPv4 addresses by /24 (IPv4-mapped IPv6 included)", () => {
    expect(networkOf("192.0.2.7")).toBe(networkOf("192.0.2.200"));
    expect(networkOf("::ffff:192.0.2.9")).toBe(networkOf("192.0.2.7"));
    expect(networkOf("::ffff:c000:209")).toBe(networkOf("192.0.2.7"));
    expect(networkOf("0:0:0:0:0:FFFF:192.0.2.9")).toBe(networkOf("192.0.2.7"));
    expect(networkOf("192.0.3.7")).not.toBe(networkOf("192.0.2.7"));
  });

  it("groups IPv6 addresses by /64, whatever the spelling", () => {
    expect(networkOf("2001:db8:1:2::1")).toBe(networkOf("2001:0db8:0001:0002:ffff:1:2:3"));
    expect(networkOf("2001:DB8:1:2:a::")).toBe(networkOf("2001:db8:1:2::9"));
    expect(networkOf("2001:db8:1:3::1")).not.toBe(networkOf("2001:db8:1:2::1"));
    expect(networkOf("::1")).toBe("net:0:0:0:0::/64");
  });

  it("never equals an address, so budgets per address and per network do not mix", () => {
    for (const a of ["10.0.0.1", "::1", "fe80::1"]) expect(networkOf(a)).not.toBe(a);
  });
});
