/**
 * The redirect service's admin side, shared by the API and the CLI: JSON shapes, a MAC list
 * (CSV with a `mac` column, or one MAC per line) registered in batches with progress, and
 * the conflict a provider gets for a MAC another provider holds (it names nobody).
 */
import type { ProvisioError } from "../errors.ts";
import type {
  MacAddress,
  RedirectGrant,
  RedirectProfile,
  RedirectRegisterResult,
  RedirectUnit,
  Store,
} from "../store/index.ts";
import { heldElsewhere, tryParseMac } from "../store/index.ts";
import { readCsv } from "./csv.ts";
import { apiError } from "./errors.ts";

const iso = (d: Date): string => d.toISOString();

/** Display names of the customization statuses, as a unit's Info page spells them. */
const STATUS_LABELS: Readonly<Record<string, string>> = {
  open: "Open",
  pending: "Pending",
  "custom-pending": "Custom-Pending",
  acquired: "Acquired",
  aborted: "Aborted",
  unavailable: "Unavailable",
};

export function customizationLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

export function redirectProfileJson(p: RedirectProfile, tenantSlug?: string) {
  return {
    id: p.id,
    tenant: tenantSlug ?? p.tenantId,
    name: p.name,
    restrictedDomains: [...p.restrictedDomains],
    primaryDns: p.primaryDns,
    secondaryDns: p.secondaryDns,
    provisionEnable: p.provisionEnable,
    resyncPeriodic: p.resyncPeriodic,
    resyncErrorRetryDelay: p.resyncErrorRetryDelay,
    profileRule: p.profileRule,
    version: p.version,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function redirectUnitJson(u: RedirectUnit, profileName: string | null, tenantSlug?: string) {
  return {
    mac: u.mac,
    tenant: tenantSlug ?? u.tenantId,
    profile: profileName,
    status: u.status,
    customization: customizationLabel(u.status),
    statusAt: iso(u.statusAt),
    version: u.version,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  };
}

export interface MacListLineError {
  readonly line: number;
  readonly message: string;
}

/**
 * Reads MACs: a CSV whose header has a `mac` column (other columns ignored), or bare MACs one
 * per line. Unreadable MACs are reported by line and skipped.
 */
export async function readMacList(
  source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
): Promise<{ macs: MacAddress[]; lines: number[]; errors: MacListLineError[] }> {
  const macs: MacAddress[] = [];
  /** The file line of each MAC, in order. */
  const lines: number[] = [];
  const errors: MacListLineError[] = [];
  let column = 0;
  let first = true;
  for await (const record of readCsv(source)) {
    const cells = record.fields.map((f) => f.trim());
    if (cells.every((c) => c === "")) continue;
    if (first) {
      first = false;
      const index = cells.findIndex((c) => c.toLowerCase() === "mac");
      if (index >= 0) {
        column = index;
        continue;
      }
    }
    const text = cells[column] ?? "";
    const mac = tryParseMac(text);
    if (mac === undefined) {
      errors.push({
        line: record.line,
        message: `not a MAC address: ${JSON.stringify(text.slice(0, 40))}`,
      });
    } else {
      macs.push(mac);
      lines.push(record.line);
    }
  }
  return { macs, lines, errors };
}

/** The refusal of a MAC outside the provider's grants (whether anyone holds it is not said). */
export function notGranted(mac: MacAddress): ProvisioError {
  return apiError(
    "API_REDIRECT_NOT_GRANTED",
    `MAC ${mac} is outside the MAC ranges granted to this provider; the installation's administrator grants ranges (provisio redirect grant)`,
  );
}

/**
 * One MAC for one provider: a conflict when another provider holds it. `grantedOnly` (a
 * provider's own token): refused outside its grants, before anything else is looked at.
 */
export async function registerOne(
  store: Store,
  tenantId: string,
  profileName: string,
  mac: MacAddress,
  actor: string,
  grantedOnly: boolean,
): Promise<RedirectRegisterResult> {
  const result = await store.redirects.register(tenantId, profileName, [mac], {
    actor,
    grantedOnly,
  });
  if (result.outside.length > 0) throw notGranted(mac);
  if (result.conflicts.length > 0) throw heldElsewhere(mac);
  return result;
}

export function redirectGrantJson(g: RedirectGrant, tenantSlug?: string) {
  return {
    id: g.id,
    tenant: tenantSlug ?? g.tenantId,
    first: g.first,
    last: g.last,
    size: g.size,
    note: g.note,
    createdAt: iso(g.createdAt),
  };
}

/**
 * A MAC range as an operator writes it: `FIRST-LAST` (each MAC in any accepted spelling) or a
 * prefix of 6 to 12 hex digits (`000e0812` is 000e08120000-000e0812ffff).
 */
export function parseMacRange(text: string): { first: MacAddress; last: MacAddress } {
  const t = text.trim();
  const bad = (why: string): ProvisioError =>
    apiError("API_VALIDATION", `not a MAC range: ${JSON.stringify(t.slice(0, 60))} (${why})`);
  const dash = /^([0-9a-fA-F:.-]{12,17})\s*-\s*([0-9a-fA-F:.-]{12,17})$/.exec(t);
  if (dash !== null) {
    const first = tryParseMac(dash[1]!);
    const last = tryParseMac(dash[2]!);
    if (first === undefined || last === undefined) throw bad("two MACs, FIRST-LAST");
    if (first > last) throw bad("the first MAC is after the last");
    return { first, last };
  }
  const prefix = t.replace(/[:.-]/g, "").toLowerCase();
  if (/^[0-9a-f]{6,12}$/.test(prefix)) {
    return {
      first: prefix.padEnd(12, "0") as MacAddress,
      last: prefix.padEnd(12, "f") as MacAddress,
    };
  }
  throw bad("FIRST-LAST, or a prefix of 6 to 12 hex digits");
}
