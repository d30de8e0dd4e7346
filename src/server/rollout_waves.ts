/**
 * Staged rollout arithmetic (pure): which wave each unit belongs to, and what a wave's
 * outcomes decide. Units are ranked by a hash of the rollout and the MAC — stable, spread
 * over models and address ranges, and different for every rollout, so the same units are not
 * always the canaries. Wave k holds the units ranked below ceil(p_k × N / 100) and not in an
 * earlier wave.
 */
import { createHash } from "node:crypto";
import type { MacAddress, MemberStatus, WaveProgress } from "../store/index.ts";

export function assignWaves<T extends { readonly mac: MacAddress }>(
  rolloutKey: string,
  units: readonly T[],
  waves: readonly number[],
): { unit: T; wave: number }[] {
  const ranked = units
    .map((unit) => ({
      unit,
      rank: createHash("sha256").update(`${rolloutKey}:${unit.mac}`).digest("hex"),
    }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  const n = ranked.length;
  const bounds = waves.map((p) => Math.ceil((p * n) / 100));
  return ranked.map((r, i) => ({ unit: r.unit, wave: bounds.findIndex((b) => i < b) }));
}

export type WaveDecision =
  | { readonly action: "wait" }
  | { readonly action: "halt"; readonly reason: string }
  | { readonly action: "advance"; readonly wave: number }
  | { readonly action: "complete" };

const SETTLED: readonly MemberStatus[] = ["upgraded", "failed", "unreached"];

/**
 * The current wave's verdict: halt as soon as its failures reach the threshold (a share of
 * the whole wave, so a few early failures in a big wave do not halt it, and a canary of 20
 * halts at the 20 × threshold-th failure); advance (or complete) once every unit of the wave
 * has settled below it.
 */
export function decideWave(
  wave: number,
  waveCount: number,
  thresholdPercent: number,
  progress: WaveProgress | undefined,
): WaveDecision {
  const size = progress?.size ?? 0;
  const counts = progress?.counts;
  const failed = counts?.failed ?? 0;
  if (size > 0 && failed > 0 && failed * 100 >= thresholdPercent * size) {
    const pct = Math.round((failed * 1000) / size) / 10;
    return {
      action: "halt",
      reason: `wave ${wave + 1}: ${failed} of ${size} units failed (${pct}%, threshold ${thresholdPercent}%)`,
    };
  }
  const settled = SETTLED.reduce((sum, s) => sum + (counts?.[s] ?? 0), 0);
  if (settled < size) return { action: "wait" };
  return wave + 1 >= waveCount ? { action: "complete" } : { action: "advance", wave: wave + 1 };
}
