import { invalid } from "./errors.ts";

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const STATE = /^[a-z][a-z0-9-]{0,31}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function slug(value: unknown, field = "slug"): string {
  if (typeof value !== "string" || !SLUG.test(value)) {
    throw invalid(`${field} must match [a-z0-9][a-z0-9-]* (at most 63 characters)`, { field });
  }
  return value;
}

/** A required single-line text. */
export function text(value: unknown, field: string, max = 255): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > max ||
    CONTROL.test(value)
  ) {
    throw invalid(`${field} must be a non-empty single-line text of at most ${max} characters`, {
      field,
    });
  }
  return value;
}

/** An optional single-line text: undefined stays undefined (keep), null or "" clear. */
export function optionalText(value: unknown, field: string, max = 255): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === "") return null;
  return text(value, field, max);
}

export function state(value: unknown): string {
  if (typeof value !== "string" || !STATE.test(value)) {
    throw invalid("state must match [a-z][a-z0-9-]* (at most 32 characters)", { field: "state" });
  }
  return value;
}

export function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max}`, { field });
  }
  return value;
}

export function limit(value: number | undefined, fallback = 100, max = 10_000): number {
  if (value === undefined) return fallback;
  return integer(value, "limit", 1, max);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${field} must be one of ${allowed.join(", ")}`, { field });
  }
  return value as T;
}
