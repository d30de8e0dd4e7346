/**
 * The device search's text inputs, parsed: a MAC fragment in any notation people paste, and
 * the opaque page cursor. Bad input is a 400 `API_VALIDATION` with a message saying what is
 * wrong, never an exception of another kind.
 */
import {
  DEVICE_SORT_KEYS,
  type DeviceSearchPosition,
  type DeviceSortKey,
  tryParseMac,
} from "../store/index.ts";
import { apiError } from "./errors.ts";

const BARE = /^[0-9a-f]{1,12}$/;
const SEPARATED = /^[:.-]?[0-9a-f]{1,4}(?:[:.-][0-9a-f]{1,4})*[:.-]?$/;

/**
 * The hex digits of a MAC fragment: `00:0E:08`, `0e-08-ab`, `000e.08ab`, `e08ab`, with a
 * leading or trailing separator (`:ab:`); at most 12 digits. Undefined when the text is not
 * one (it is then only matched as a serial, label or account reference).
 */
export function parseMacFragment(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  if (BARE.test(lower)) return lower;
  if (!SEPARATED.test(lower)) return undefined;
  const digits = lower.replace(/[:.-]/g, "");
  return digits.length <= 12 ? digits : undefined;
}

interface CursorBody {
  readonly s: DeviceSortKey;
  readonly d: 0 | 1;
  readonly v: string | number | null;
  readonly m: string;
}

/** The cursor of the page after `position` in this order (base64url JSON: opaque to clients). */
export function encodeCursor(
  position: DeviceSearchPosition,
  sort: DeviceSortKey,
  descending: boolean,
): string {
  const body: CursorBody = { s: sort, d: descending ? 1 : 0, v: position.value, m: position.mac };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

function badCursor(why: string): never {
  throw apiError("API_VALIDATION", `cursor: ${why}; pass the \`cursor\` of the previous page`, {
    details: { field: "cursor" },
  });
}

/** The position a cursor names, checked against the order it is used with. */
export function decodeCursor(
  text: string,
  sort: DeviceSortKey,
  descending: boolean,
): DeviceSearchPosition {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) badCursor("not a cursor of this API");
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    badCursor("not a cursor of this API");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    badCursor("not a cursor of this API");
  }
  const { s, d, v, m } = body as Record<string, unknown>;
  if (
    typeof s !== "string" ||
    !(DEVICE_SORT_KEYS as readonly string[]).includes(s) ||
    (d !== 0 && d !== 1)
  ) {
    badCursor("not a cursor of this API");
  }
  if (s !== sort || d !== (descending ? 1 : 0)) {
    badCursor(`it belongs to another order (${s} ${d === 1 ? "desc" : "asc"})`);
  }
  const mac = typeof m === "string" ? tryParseMac(m) : undefined;
  if (mac === undefined) badCursor("not a cursor of this API");
  const valid =
    sort === "mac"
      ? v === mac
      : sort === "last_seen"
        ? v === null || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)
        : sort === "model"
          ? v === null || (typeof v === "string" && v.length <= 64)
          : typeof v === "string" && v.length <= 32;
  if (!valid) badCursor("not a cursor of this API");
  return { value: v as string | number | null, mac };
}
