/**
 * Rotation without lock-out, the small version of bench/secprv_rotation.ts: 300 SPA units
 * bootstrapped with files targeted to their MACs, three tenant-wide rotations while they fetch
 * at random times (one asked for while many units hold a pair they have not fetched with yet),
 * 5 % offline through all three; then everyone comes back. Every unit must still get in, and
 * end on the server's current pair. PostgreSQL runs a smaller fleet of the same scenario.
 */
import { describe, expect, it } from "vitest";
import { runRotationScenario } from "../../bench/secprv_rotation.ts";
import { PG_URL } from "../store/dialects.ts";

describe("rotation across a fleet", () => {
  it("300 units on SQLite, 5 % offline through three rotations: none locked out", async () => {
    const result = await runRotationScenario({
      devices: 300,
      offline: 0.05,
      concurrency: 16,
      seed: 7,
    });
    expect(result.failures).toEqual([]);
    expect(result.lockedOut).toBe(0);
    expect(result.unsettled).toBe(0);
    expect(result.offline).toBe(15);
    // Every unit completed at least the rotation that was under way when it went offline.
    expect(result.maxGenerationsBehind).toBeLessThanOrEqual(2);
    expect(result.rotationsCompleted).toBeGreaterThanOrEqual(300);
  }, 600_000);

  it("100 units on PostgreSQL, same scenario: none locked out", async () => {
    const result = await runRotationScenario({
      devices: 100,
      offline: 0.05,
      concurrency: 16,
      seed: 11,
      database: PG_URL,
    });
    expect(result.failures).toEqual([]);
    expect(result.lockedOut).toBe(0);
    expect(result.unsettled).toBe(0);
    expect(result.rotationsCompleted).toBeGreaterThanOrEqual(100);
  }, 600_000);
});
