import { LIFECYCLE_STATES, type LifecycleState } from "../store/index.ts";
import { apiError } from "./errors.ts";

/** `SP-CUST`, `sp-cust`, `none` ▸ the store's lifecycle filter (`none`: never seen). */
export function parseLifecycleFilter(text: string): LifecycleState | "none" {
  const value = text.trim().toLowerCase();
  if (value === "none") return "none";
  const state = LIFECYCLE_STATES.find((s) => s === value);
  if (state === undefined) {
    throw apiError(
      "API_VALIDATION",
      `lifecycle must be one of ${LIFECYCLE_STATES.map((s) => s.toUpperCase()).join(", ")} or none`,
    );
  }
  return state;
}
