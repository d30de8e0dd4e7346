/**
 * `Resync_Trigger_1/2` (§6.2.6, C3): evaluated with the device's current variables.
 * SPA reads them as triggers (a true one starts a resync), MPP as a gate (a scheduled
 * resync runs only if some non-empty trigger is true). Parse errors count as false.
 */
import type { DeviceFamily } from "../profile/index.ts";
import { evaluateResyncTrigger, type MacroVariables } from "../rules/index.ts";

export const TRIGGER_NAMES = ["Resync_Trigger_1", "Resync_Trigger_2"] as const;

export interface TriggerState {
  /** Some trigger is non-empty (not commented out). */
  readonly active: boolean;
  /** The first trigger that evaluates true, if any. */
  readonly firing: (typeof TRIGGER_NAMES)[number] | undefined;
}

export function evaluateTriggers(
  read: (name: string) => string | undefined,
  vars: MacroVariables,
  family: DeviceFamily,
): TriggerState {
  let active = false;
  for (const name of TRIGGER_NAMES) {
    const r = evaluateResyncTrigger(read(name) ?? "", vars, { family });
    if (!r.active) continue;
    active = true;
    if (r.value) return { active, firing: name };
  }
  return { active, firing: undefined };
}

/** MPP gate: closed when some trigger is active and none is true. */
export function gateClosed(state: TriggerState): boolean {
  return state.active && state.firing === undefined;
}

/** Whether a trigger is written at all (the SPA poll runs only then). */
export function anyTriggerWritten(read: (name: string) => string | undefined): boolean {
  return TRIGGER_NAMES.some((n) => (read(n) ?? "").trim() !== "");
}
