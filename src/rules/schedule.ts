/**
 * Schedule values (spec §6.4): Resync_Periodic, Resync_Error_Retry_Delay,
 * Upgrade_Error_Retry_Delay.
 *
 *   schedule = item { "," item } ;   item = seconds [ "+" seconds ] ;
 *
 * `a+b` is a + uniform_random(0, b); successive attempts walk the list and the last item
 * repeats forever. The whole parameter `0` (or empty) disables. Which attempt index to use
 * (periodic: successes since boot; retry: consecutive failures) is the caller's state;
 * this module stays pure — randomness is injected.
 */
import { ProvisioError } from "../errors.ts";
import type { RuleErrorCode } from "./errors.ts";

export interface ScheduleItem {
  /** Seconds. */
  readonly base: number;
  /** Upper bound of the random extra, seconds (0 when written without `+`). */
  readonly extra: number;
}

/** Returns a number in [0, 1), like `Math.random`. Injected so tests and fleets can seed. */
export type RandomSource = () => number;

export interface DisabledSchedule {
  readonly kind: "disabled";
  delayFor(attempt: number, random?: RandomSource): undefined;
  rangeFor(attempt: number): undefined;
}

export interface ActiveSchedule {
  readonly kind: "active";
  readonly items: readonly [ScheduleItem, ...ScheduleItem[]];
  /** Delay in whole seconds before attempt `attempt` (0-based); the last item repeats. */
  delayFor(attempt: number, random?: RandomSource): number;
  /** The inclusive bounds `delayFor` draws from. */
  rangeFor(attempt: number): { readonly min: number; readonly max: number };
}

export type Schedule = DisabledSchedule | ActiveSchedule;

export const DISABLED_SCHEDULE: DisabledSchedule = Object.freeze({
  kind: "disabled",
  delayFor: () => undefined,
  rangeFor: () => undefined,
});

const ITEM = /^\s*(\d{1,15})\s*(?:\+\s*(\d{1,15})\s*)?$/;

function active(items: readonly [ScheduleItem, ...ScheduleItem[]]): ActiveSchedule {
  const itemFor = (attempt: number): ScheduleItem => {
    const i = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt)) : items.length - 1;
    return items[Math.min(i, items.length - 1)]!;
  };
  return Object.freeze({
    kind: "active",
    items,
    delayFor(attempt: number, random: RandomSource = Math.random): number {
      const item = itemFor(attempt);
      if (item.extra === 0) return item.base;
      const drawn = random();
      // Clamp a misbehaving source into [0, 1) rather than return NaN or exceed the bound.
      const r = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1 - Number.EPSILON) : 0;
      return item.base + Math.floor(r * (item.extra + 1));
    },
    rangeFor(attempt: number) {
      const item = itemFor(attempt);
      return { min: item.base, max: item.base + item.extra };
    },
  });
}

/** Strict parse: throws RULE_SCHEDULE_SYNTAX (for validating what an admin typed). */
export function parseSchedule(text: string): Schedule {
  if (text.trim() === "") return DISABLED_SCHEDULE;
  const items: ScheduleItem[] = [];
  let column = 1;
  for (const part of text.split(",")) {
    const m = ITEM.exec(part);
    if (m === null) {
      throw new ProvisioError<RuleErrorCode>(
        "RULE_SCHEDULE_SYNTAX",
        `"${part.trim()}" is not a delay: expected seconds or seconds+seconds (e.g. 3600+600)`,
        { column },
      );
    }
    items.push({ base: Number(m[1]), extra: m[2] === undefined ? 0 : Number(m[2]) });
    column += part.length + 1;
  }
  const first = items[0]!;
  // "0 ⇒ disables" applies to the whole parameter being 0 (§6.4).
  if (items.length === 1 && first.base === 0 && first.extra === 0) return DISABLED_SCHEDULE;
  return active([first, ...items.slice(1)]);
}

/**
 * Device behaviour: any unparsable item makes the whole parameter `0`, i.e. disabled
 * (§6.4, §6.2.2 "0, empty, or unparsable ⇒ no periodic resync").
 */
export function scheduleFromParameter(text: string): Schedule {
  try {
    return parseSchedule(text);
  } catch {
    return DISABLED_SCHEDULE;
  }
}
