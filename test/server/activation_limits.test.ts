/**
 * The activation guess budgets on an injected clock: per source address (an IPv6 /64 is one
 * source), per tenant, and for attempts nobody can be attributed to (guesses spread over
 * many addresses); each window ends and the budget is back.
 */
import { describe, expect, it } from "vitest";
import { ActivationLimits } from "../../src/server/activation_limits.ts";

describe("activation guess budgets", () => {
  it("a source is refused after its budget, an IPv6 /64 counting as one source, until the window ends", () => {
    const limits = new ActivationLimits({ perSource: 3, windowMs: 1000 });
    for (let i = 0; i < 3; i++) {
      expect(limits.beforeLookup(`2001:db8:1:2::${i + 1}`, 0)).toBeUndefined();
      limits.fail(`2001:db8:1:2::${i + 1}`, undefined, 0);
    }
    expect(limits.beforeLookup("2001:db8:1:2::99", 10)).toBe("source");
    expect(limits.beforeLookup("2001:db8:1:3::1", 10)).toBeUndefined();
    expect(limits.beforeLookup("2001:db8:1:2::1", 1000)).toBeUndefined();
  });

  it("guesses spread over many addresses spend the unattributed budget; a tenant's budget is its own", () => {
    const limits = new ActivationLimits({
      perSource: 10,
      perTenant: 2,
      unattributed: 5,
      windowMs: 1000,
    });
    for (let i = 0; i < 5; i++) limits.fail(`198.51.100.${i}`, undefined, 0);
    expect(limits.beforeLookup("203.0.113.7", 1)).toBe("unattributed");
    limits.fail("203.0.113.8", "acme", 1);
    expect(limits.tenantSpent("acme", 1)).toBe(false);
    limits.fail("203.0.113.9", "acme", 1);
    expect(limits.tenantSpent("acme", 1)).toBe(true);
    expect(limits.tenantSpent("beta", 1)).toBe(false);
    expect(limits.tenantSpent("acme", 1001)).toBe(false);
    expect(limits.beforeLookup("203.0.113.7", 1001)).toBeUndefined();
  });

  it("the attempt that spends a shared budget is named once a window, so it can be told to the operator", () => {
    const limits = new ActivationLimits({
      perSource: 100,
      perTenant: 3,
      unattributed: 2,
      windowMs: 1000,
    });
    const tenant = [0, 1, 2, 3, 4].map((i) => limits.fail(`198.51.100.${i}`, "acme", 0));
    expect(tenant).toEqual([undefined, undefined, "tenant", undefined, undefined]);
    expect(limits.fail("198.51.100.9", "beta", 0)).toBeUndefined();
    const other = [0, 1, 2].map((i) => limits.fail(`203.0.113.${i}`, undefined, 0));
    expect(other).toEqual([undefined, "unattributed", undefined]);
    // A new window: spent again, named again.
    expect([1000, 1000, 1000].map((t, i) => limits.fail(`192.0.2.${i}`, "acme", t))).toEqual([
      undefined,
      undefined,
      "tenant",
    ]);
  });
});
