/**
 * Drift: what a device reports it holds against what it should hold. The reported side is
 * the latest full configuration report with the `--delta` reports received after it laid
 * over it; the expected side is the effective configuration (the very merge the device is
 * served). Two findings:
 * - `differs`: the server sets the parameter and the unit holds another value, though its
 *   user cannot change it (`na`/`ro`) — the profile did not take, or someone changed it
 *   with the admin password;
 * - `changed-on-device`: the unit's user may change it (`ua="rw"`) and did — it differs from
 *   what the server sets, or from the factory default when the server sets nothing.
 * Secret values are compared but never shown.
 */
import {
  builtInModel,
  type Catalogue,
  type DeviceFamily,
  defaultCatalogue,
} from "../profile/index.ts";
import type { Device, DeviceReport, ReportEntry, Store } from "../store/index.ts";
import type { EffectiveConfigResolver } from "./effective_config.ts";

export type DriftKind = "differs" | "changed-on-device";

export interface DriftItem {
  readonly name: string;
  readonly kind: DriftKind;
  /** What the device should hold (null when secret). */
  readonly expected: string | null;
  /** What it reported (null when secret). */
  readonly reported: string | null;
  /** Where the expected value comes from: a layer key, or `default` (factory default). */
  readonly expectedFrom: string;
  /** The access the server gives the parameter (`na`, `ro`, `rw`). */
  readonly access: string;
  /** The `ua` the device reported, if any. */
  readonly reportedAccess: string | null;
  readonly secret: boolean;
}

export interface ExpectedParameter {
  readonly name: string;
  /** The value served (secrets revealed for the comparison); null: the server sets none. */
  readonly value: string | null;
  readonly access: string;
  readonly valueFrom: string | null;
  readonly secret: boolean;
}

/** Reported entries by name: the latest full report, later deltas laid over it. */
export function reportedView(
  config: DeviceReport | null,
  deltas: readonly DeviceReport[],
): Map<string, ReportEntry> {
  const view = new Map<string, ReportEntry>();
  for (const e of config?.entries ?? []) view.set(e.name, e);
  const later = [...deltas]
    .filter((d) => config === null || d.receivedAt.getTime() >= config.receivedAt.getTime())
    .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  for (const d of later) for (const e of d.entries) view.set(e.name, e);
  return view;
}

/** Pure: the drift between expected parameters and a reported view. Sorted by name. */
export function computeDrift(
  expected: readonly ExpectedParameter[],
  reported: ReadonlyMap<string, ReportEntry>,
  defaultOf: (name: string) => string | undefined,
  isSecret: (name: string) => boolean,
): DriftItem[] {
  const items: DriftItem[] = [];
  const byName = new Map(expected.map((p) => [p.name, p]));
  for (const [name, entry] of reported) {
    if (entry.value === null) continue; // no value reported (or a secret that no longer opens)
    const served = byName.get(name);
    const secret = entry.secret || served?.secret === true || isSecret(name);
    const userMay = served?.access === "rw" || entry.access === "rw";
    let want: string | undefined;
    let from: string;
    if (served !== undefined && served.value !== null) {
      want = served.value;
      from = served.valueFrom ?? "default";
    } else {
      if (!userMay) continue; // the server does not manage it and the user cannot touch it
      want = defaultOf(name);
      from = "default";
      if (want === undefined) continue;
    }
    if (want === entry.value) continue;
    items.push({
      name,
      kind: userMay ? "changed-on-device" : "differs",
      expected: secret ? null : want,
      reported: secret ? null : entry.value,
      expectedFrom: from,
      access: served?.access ?? "rw",
      reportedAccess: entry.access,
      secret,
    });
  }
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface DeviceDrift {
  readonly mac: string;
  /** The reports the view is made of (the full one first), newest last. */
  readonly basedOn: readonly { id: string; kind: string; receivedAt: string }[];
  /** Parameters compared (those the reports carry). */
  readonly compared: number;
  readonly items: readonly DriftItem[];
}

/** The reports a drift is computed from: the latest full one and the deltas after it. */
export async function reportsForDrift(
  store: Store,
  device: Device,
): Promise<{ config: DeviceReport | null; deltas: DeviceReport[] }> {
  const config = await store.reports.latest(device.mac, ["config"]);
  const history = await store.reports.history(device.mac, 1_000);
  const since = config?.receivedAt.getTime() ?? Number.NEGATIVE_INFINITY;
  const deltaIds = history
    .filter((h) => h.kind === "delta" && h.receivedAt.getTime() >= since)
    .map((h) => h.id);
  const deltas: DeviceReport[] = [];
  for (const id of deltaIds) {
    const d = await store.reports.find(id);
    if (d !== null) deltas.push(d);
  }
  return { config, deltas };
}

export async function deviceDrift(
  store: Store,
  resolver: EffectiveConfigResolver,
  device: Device,
  catalogue: Catalogue = defaultCatalogue,
): Promise<DeviceDrift> {
  const { config, deltas } = await reportsForDrift(store, device);
  const view = reportedView(config, deltas);
  const [effective, shown] = await Promise.all([
    resolver.resolve(device, { revealSecrets: true }),
    // Which values are secret (also those a value template renders from a secret).
    resolver.resolve(device),
  ]);
  const secretNames = new Set(shown.parameters.filter((p) => p.secret).map((p) => p.name));
  const named = device.modelPn === null ? undefined : builtInModel(device.modelPn)?.family;
  const family: DeviceFamily | undefined =
    named === "spa" || named === "mpp" || named === "sipura" ? named : undefined;
  const items = computeDrift(
    effective.parameters.map((p) => ({
      name: p.name,
      value: p.value,
      access: p.access,
      valueFrom: p.valueFrom,
      secret: secretNames.has(p.name) || catalogue.isSecret(p.name),
    })),
    view,
    (name) => catalogue.defaultValue(name, family),
    (name) => catalogue.isSecret(name),
  );
  const basedOn = [...(config === null ? [] : [config]), ...deltas].map((r) => ({
    id: r.id,
    kind: r.kind,
    receivedAt: r.receivedAt.toISOString(),
  }));
  return { mac: device.mac, basedOn, compared: view.size, items };
}

/** A report as the API and the CLI show it: secret values redacted. */
export function reportJson(report: DeviceReport): Record<string, unknown> {
  return {
    id: report.id,
    mac: report.mac,
    tenantId: report.tenantId,
    receivedAt: report.receivedAt.toISOString(),
    kind: report.kind,
    remoteAddress: report.remoteAddress,
    identifiedBy: report.identifiedBy,
    entries: report.entries.map((e) => ({
      name: e.name,
      value: e.secret ? null : e.value,
      access: e.access,
      secret: e.secret,
    })),
  };
}
