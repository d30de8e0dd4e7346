/**
 * When the daily resync fires (§6.2.3): a random moment in the next window
 * `[HH:mm, HH:mm + W]` of device local time, W from `Resync_At_Random_Delay`.
 */
import { type DailyTime, type RandomSource, resyncAtWindowMinutes } from "../rules/index.ts";
import { uniformSeconds } from "./random.ts";

const DAY_MS = 86_400_000;

/**
 * Epoch ms of the next daily resync after `nowMs`: the next window start strictly after
 * now (local time = UTC + offset), plus a whole number of seconds drawn from [0, W × 60].
 */
export function nextDailyResync(
  nowMs: number,
  at: DailyTime,
  randomDelaySeconds: number,
  utcOffsetMinutes: number,
  random: RandomSource,
): number {
  const offsetMs = utcOffsetMinutes * 60_000;
  const local = nowMs + offsetMs;
  let start = Math.floor(local / DAY_MS) * DAY_MS + (at.hour * 60 + at.minute) * 60_000;
  while (start <= local) start += DAY_MS;
  const windowSeconds = resyncAtWindowMinutes(randomDelaySeconds) * 60;
  return start - offsetMs + uniformSeconds(random, windowSeconds) * 1000;
}
