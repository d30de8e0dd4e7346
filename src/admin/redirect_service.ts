/**
 * The redirect service's admin side, shared by the API and the CLI: JSON shapes, a MAC list
 * (CSV with a `mac` column, or one MAC per line) registered in batches with progress, and
 * the conflict a provider gets for a MAC another provider holds (it names nobody).
 */
import type {
  MacAddress,
  RedirectProfile,
  RedirectRegisterResult,
  RedirectUnit,
  Store,
} from "../store/index.ts";
import { heldElsewhere, tryParseMac } from "../store/index.ts";
import { readCsv } from "./csv.ts";

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

/** One MAC for one provider: a conflict when another provider holds it. */
export async function registerOne(
  store: Store,
  tenantId: string,
  profileName: string,
  mac: MacAddress,
  actor: string,
): Promise<RedirectRegisterResult> {
  const result = await store.redirects.register(tenantId, profileName, [mac], { actor });
  if (result.conflicts.length > 0) {
    throw heldElsewhere(mac);
  }
  return result;
}
