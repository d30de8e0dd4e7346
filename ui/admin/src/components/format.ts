/** How the UI writes the API's values: MACs with colons, times in the operator's locale. */

/** `000e08012345` (or any notation) → `00:0e:08:01:23:45`; anything else as it is. */
export function formatMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return hex.length === 12 ? (hex.match(/../g) ?? []).join(":") : mac;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** An ISO time as a local date and time; `—` for none. */
export function formatDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : dateTime.format(at);
}

const STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** An ISO time relative to now ("5 minutes ago"); `never` for none. */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (iso === null || iso === undefined) return "never";
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  let amount = (at - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return dateTime.format(new Date(at));
}

const count = new Intl.NumberFormat();

/** A count with the locale's grouping (12,345). */
export function formatCount(n: number): string {
  return count.format(n);
}
