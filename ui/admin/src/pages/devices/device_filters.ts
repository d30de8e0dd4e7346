/**
 * The device list's filters as the address bar holds them (so a search can be shared, and the
 * back button returns to the previous one), and as the API's query parameters.
 */
import type { Query } from "../../api/client.ts";

export const SEEN_OPTIONS = [
  { value: "1h", label: "In the last hour" },
  { value: "24h", label: "In the last 24 hours" },
  { value: "7d", label: "In the last 7 days" },
  { value: "stale", label: "Not in the last 7 days" },
  { value: "never", label: "Never" },
] as const;
export type SeenFilter = (typeof SEEN_OPTIONS)[number]["value"];

export const SORT_OPTIONS = [
  { value: "mac", label: "MAC address" },
  { value: "last_seen", label: "Last seen, newest first" },
  { value: "model", label: "Model" },
  { value: "state", label: "State" },
] as const;
export type SortOrder = (typeof SORT_OPTIONS)[number]["value"];

export const LIFECYCLE_OPTIONS = [
  { value: "MFG-RESET", label: "MFG-RESET (factory state)" },
  { value: "SP-CUST", label: "SP-CUST (provider's profile)" },
  { value: "SEC-PRV-1", label: "SEC-PRV-1 (secure, first key)" },
  { value: "SEC-PRV-2", label: "SEC-PRV-2 (secure, own key)" },
  { value: "none", label: "Never seen by the server" },
] as const;

/** The store's provisioning states (src/store/types.ts PROVISIONING_STATES). */
export const STATE_OPTIONS = [
  { value: "factory", label: "Factory" },
  { value: "staged", label: "Staged" },
  { value: "activation-pending", label: "Activation pending" },
  { value: "provisioned", label: "Provisioned" },
  { value: "disabled", label: "Disabled" },
] as const;

/** Every filter the address bar may carry; the text ones debounced as they are typed. */
export const FILTER_KEYS = [
  "q",
  "account",
  "group",
  "model",
  "state",
  "lifecycle",
  "firmware",
  "seen",
  "sort",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export function filtersOf(params: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value !== "") filters[key] = value;
  }
  return filters;
}

const HOUR = 3_600_000;
const SEEN_AFTER: Partial<Record<string, number>> = {
  "1h": HOUR,
  "24h": 24 * HOUR,
  "7d": 168 * HOUR,
};

/** The search's API parameters; times relative to `now` (computed when the page is fetched). */
export function searchQuery(filters: Filters, now: number): Query {
  const { seen, sort, ...rest } = filters;
  const query: Query = { ...rest };
  const window = seen === undefined ? undefined : SEEN_AFTER[seen];
  if (window !== undefined) query.seen_after = new Date(now - window).toISOString();
  if (seen === "stale") query.seen_before = new Date(now - 168 * HOUR).toISOString();
  if (seen === "never") query.never_seen = true;
  if (sort !== undefined && sort !== "mac") {
    query.sort = sort;
    if (sort === "last_seen") query.order = "desc";
  }
  return query;
}

/** Whether any filter (not the order) narrows the list. */
export function isFiltered(filters: Filters): boolean {
  return FILTER_KEYS.some((key) => key !== "sort" && filters[key] !== undefined);
}
