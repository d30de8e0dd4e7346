/**
 * The two timing rules besides schedule lists (spec §6.2.1, §6.2.3, Appendix B.4):
 * the boot random delay and the daily `Resync_At` window. Pure arithmetic; the clock and the
 * random draw belong to the caller.
 */

/** `Resync_Random_Delay` unit [conflict C1]: 20 s (adopted) or 1 s. */
export type RandomDelayUnitSeconds = 20 | 1;

/** Upper bound in seconds of the random wait before the first resync after boot. */
export function bootDelayMaxSeconds(
  resyncRandomDelay: number,
  unitSeconds: RandomDelayUnitSeconds = 20,
): number {
  if (!Number.isFinite(resyncRandomDelay) || resyncRandomDelay <= 0) return 0;
  return Math.floor(resyncRandomDelay) * unitSeconds;
}

export interface DailyTime {
  /** 0–24; 24 only as `2400` (midnight at the end of the day). */
  readonly hour: number;
  readonly minute: number;
}

const HHMM = /^(\d\d)(\d\d)$/;

/** `Resync_At__HHmm_`: four digits `0000`–`2400`; anything else ⇒ undefined (feature off). */
export function parseResyncAt(text: string): DailyTime | undefined {
  const m = HHMM.exec(text.trim());
  if (m === null) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) return undefined;
  return { hour, minute };
}

/**
 * Width W in minutes of the daily window `[HH:mm, HH:mm + W]`:
 * `floor((max(Resync_At_Random_Delay, 600) + 30) / 60)` — values below 600 count as 600.
 */
export function resyncAtWindowMinutes(resyncAtRandomDelay: number): number {
  const seconds = Number.isFinite(resyncAtRandomDelay) ? Math.max(resyncAtRandomDelay, 600) : 600;
  return Math.floor((seconds + 30) / 60);
}
