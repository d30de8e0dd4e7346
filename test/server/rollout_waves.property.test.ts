/**
 * Rollout arithmetic: waves hold exactly their share of the units, every unit once; a wave
 * halts at its threshold and not before, and advances only when every unit has settled.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignWaves, decideWave } from "../../src/server/index.ts";
import { type MacAddress, MEMBER_STATUSES, type MemberStatus } from "../../src/store/index.ts";

const waves = fc
  .uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 5 })
  .map((ps) => [...ps.sort((a, b) => a - b), 100]);

describe("rollout waves", () => {
  it("wave k holds ceil(p_k × N / 100) units in all, each unit once", () => {
    fc.assert(
      fc.property(waves, fc.integer({ min: 0, max: 400 }), fc.string(), (ws, n, key) => {
        const units = Array.from({ length: n }, (_, i) => ({
          mac: (0x000e08000000 + i).toString(16).padStart(12, "0") as MacAddress,
        }));
        const assigned = assignWaves(key, units, ws);
        expect(new Set(assigned.map((a) => a.unit.mac)).size).toBe(n);
        ws.forEach((p, k) => {
          const upTo = assigned.filter((a) => a.wave <= k).length;
          expect(upTo).toBe(Math.ceil((p * n) / 100));
        });
      }),
    );
  });

  it("halts exactly when the failures reach the threshold; advances only when all settled", () => {
    fc.assert(
      fc.property(
        fc.record(
          Object.fromEntries(MEMBER_STATUSES.map((s) => [s, fc.nat(60)])) as Record<
            MemberStatus,
            fc.Arbitrary<number>
          >,
        ),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 3 }),
        (counts, threshold, wave) => {
          const size = Object.values(counts).reduce((a, b) => a + b, 0);
          const d = decideWave(wave, 4, threshold, { wave, size, counts });
          const halts = size > 0 && counts.failed > 0 && counts.failed * 100 >= threshold * size;
          expect(d.action === "halt").toBe(halts);
          if (!halts) {
            const settled = counts.upgraded + counts.failed + counts.unreached === size;
            expect(d.action === "wait").toBe(!settled);
            if (settled) expect(d.action).toBe(wave === 3 ? "complete" : "advance");
          }
        },
      ),
    );
  });

  it("a canary of 10 units at 10 % halts at the first failure", () => {
    const counts = { waiting: 3, offered: 5, upgraded: 1, failed: 1, unreached: 0 };
    expect(decideWave(0, 4, 10, { wave: 0, size: 10, counts }).action).toBe("halt");
    expect(
      decideWave(1, 4, 10, { wave: 1, size: 90, counts: { ...counts, waiting: 83 } }).action,
    ).toBe("wait");
  });
});
