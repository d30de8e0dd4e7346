/**
 * Seedable randomness for every random delay (§12.7: "seedable RNG for all random
 * delays"). mulberry32: tiny, fast, good enough to spread timers; not for secrets.
 */
import type { RandomSource } from "../rules/index.ts";

export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number of seconds drawn uniformly from [0, max]. */
export function uniformSeconds(random: RandomSource, max: number): number {
  if (!(max > 0)) return 0;
  const r = random();
  const clamped = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
  return Math.floor(clamped * (Math.floor(max) + 1));
}
