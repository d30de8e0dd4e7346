import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { tryParseMac } from "../mac_address.ts";
import type { Core } from "./core.ts";
import type { DeviceReportTable } from "./schema.ts";
import type { MacAddress } from "./types.ts";

/** What a report upload carried (Report_Rule without option, `--delta`, `--status`). */
export const REPORT_KINDS = ["config", "delta", "status"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Reports kept per device by default; older ones are pruned when a new one is stored. */
export const DEFAULT_REPORT_HISTORY = 20;
/** Entries one report may hold (a full MPP configuration has about 3,000). */
export const MAX_REPORT_ENTRIES = 20_000;

export interface ReportEntry {
  readonly name: string;
  /** The reported value; null for an element without a value (`<X ua="rw"/>`). */
  readonly value: string | null;
  /** The `ua` attribute as reported, if any. */
  readonly access: "na" | "ro" | "rw" | null;
  /** A secret parameter (passwords): sealed at rest; callers must redact it when showing it. */
  readonly secret: boolean;
}

export interface DeviceReport {
  readonly id: string;
  readonly mac: MacAddress;
  readonly tenantId: string;
  readonly receivedAt: Date;
  readonly kind: ReportKind;
  readonly remoteAddress: string | null;
  /** How the uploading device was identified (`certificate`, `path`, `user-agent`). */
  readonly identifiedBy: string | null;
  readonly entries: readonly ReportEntry[];
}

export interface DeviceReportInput {
  readonly mac: MacAddress;
  readonly tenantId: string;
  readonly receivedAt: Date;
  readonly kind: ReportKind;
  readonly remoteAddress: string | null;
  readonly identifiedBy: string | null;
  readonly entries: readonly ReportEntry[];
}

/** Summary of a stored report without its entries (history listings). */
export type DeviceReportSummary = Omit<DeviceReport, "entries"> & { readonly entryCount: number };

/**
 * Configuration reports devices upload: status, not configuration (no revision bump, no
 * audit), a bounded history per device. Secret values are sealed with the master key, bound to
 * their report and parameter; one that no longer opens (its key retired) reads as null.
 */
export interface ReportRepository {
  /** Stores a report and prunes the device's history to `keep` (default 20). */
  add(input: DeviceReportInput, options?: { readonly keep?: number }): Promise<DeviceReport>;
  /** The newest report of the device, optionally of some kinds only. */
  latest(mac: MacAddress, kinds?: readonly ReportKind[]): Promise<DeviceReport | null>;
  /** Reports of the device, newest first, without entries. */
  history(mac: MacAddress, limit?: number): Promise<DeviceReportSummary[]>;
  /** One report by id (with entries), or null. */
  find(id: string): Promise<DeviceReport | null>;
  /**
   * The newest report per device among `macs` (one query per 500 MACs), optionally of some
   * kinds only: what a rollout reads for versions and upgrade outcomes.
   */
  latestMany(
    macs: readonly MacAddress[],
    kinds?: readonly ReportKind[],
  ): Promise<Map<MacAddress, DeviceReport>>;
}

interface StoredEntry {
  readonly n: string;
  readonly v: string | null;
  readonly a: "na" | "ro" | "rw" | null;
  /** Sealed value of a secret entry (then `v` is null). */
  readonly s?: string;
}

const sealContext = (id: string, name: string) => `report:${id}:${name}`;

export class Reports implements ReportRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async add(input: DeviceReportInput, options: { keep?: number } = {}): Promise<DeviceReport> {
    const id = randomUUID();
    const keep = Math.max(1, Math.min(options.keep ?? DEFAULT_REPORT_HISTORY, 1_000));
    const entries = input.entries.slice(0, MAX_REPORT_ENTRIES);
    const stored: StoredEntry[] = entries.map((e) =>
      e.secret && e.value !== null
        ? {
            n: e.name,
            v: null,
            a: e.access,
            s: this.#core.sealer.seal(e.value, sealContext(id, e.name)),
          }
        : { n: e.name, v: e.value, a: e.access },
    );
    const row = {
      id,
      mac: input.mac,
      tenant_id: input.tenantId,
      received_at: input.receivedAt.getTime(),
      kind: input.kind,
      remote_address: input.remoteAddress?.slice(0, 64) ?? null,
      identified_by: input.identifiedBy?.slice(0, 32) ?? null,
      entry_count: entries.length,
      entries: JSON.stringify(stored),
    };
    await this.#core.run(() =>
      this.#core.dialect.writeTransaction(async (conn) => {
        await conn.insertInto("device_reports").values(row).execute();
        const old = await conn
          .selectFrom("device_reports")
          .select("id")
          .where("mac", "=", input.mac)
          .orderBy("received_at", "desc")
          .orderBy("id", "desc")
          .offset(keep)
          .limit(10_000)
          .execute();
        if (old.length > 0) {
          await conn
            .deleteFrom("device_reports")
            .where(
              "id",
              "in",
              old.map((o) => o.id),
            )
            .execute();
        }
      }),
    );
    return { ...this.#summary(row), entries };
  }

  async latest(mac: MacAddress, kinds?: readonly ReportKind[]): Promise<DeviceReport | null> {
    let q = this.#core.db
      .selectFrom("device_reports")
      .selectAll()
      .where("mac", "=", mac)
      .orderBy("received_at", "desc")
      .orderBy("id", "desc")
      .limit(1);
    if (kinds !== undefined) q = q.where("kind", "in", [...kinds]);
    const row = await this.#core.run(() => q.executeTakeFirst());
    return row === undefined ? null : this.#full(row);
  }

  async latestMany(
    macs: readonly MacAddress[],
    kinds?: readonly ReportKind[],
  ): Promise<Map<MacAddress, DeviceReport>> {
    const out = new Map<MacAddress, DeviceReport>();
    for (let i = 0; i < macs.length; i += 500) {
      const slice = macs.slice(i, i + 500);
      let q = this.#core.db
        .selectFrom("device_reports")
        .selectAll()
        .where("mac", "in", [...slice])
        .orderBy("received_at", "desc")
        .orderBy("id", "desc");
      if (kinds !== undefined) q = q.where("kind", "in", [...kinds]);
      // Newest first: the first row seen per MAC is its latest. Histories are bounded, so
      // this reads at most `keep` rows per device.
      const rows = await this.#core.run(() => q.execute());
      for (const row of rows) {
        const mac = row.mac as MacAddress;
        if (!out.has(mac)) out.set(mac, this.#full(row));
      }
    }
    return out;
  }

  async history(mac: MacAddress, limit = 20): Promise<DeviceReportSummary[]> {
    const rows = await this.#core.run(() =>
      this.#core.db
        .selectFrom("device_reports")
        .select([
          "id",
          "mac",
          "tenant_id",
          "received_at",
          "kind",
          "remote_address",
          "identified_by",
          "entry_count",
        ])
        .where("mac", "=", mac)
        .orderBy("received_at", "desc")
        .orderBy("id", "desc")
        .limit(Math.max(1, Math.min(limit, 1_000)))
        .execute(),
    );
    return rows.map((r) => this.#summary(r));
  }

  async find(id: string): Promise<DeviceReport | null> {
    const row = await this.#core.run(() =>
      this.#core.db
        .selectFrom("device_reports")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst(),
    );
    return row === undefined ? null : this.#full(row);
  }

  #summary(row: Omit<Selectable<DeviceReportTable>, "entries">): DeviceReportSummary {
    return {
      id: row.id,
      mac: (tryParseMac(row.mac) ?? row.mac) as MacAddress,
      tenantId: row.tenant_id,
      receivedAt: new Date(Number(row.received_at)),
      kind: (REPORT_KINDS as readonly string[]).includes(row.kind)
        ? (row.kind as ReportKind)
        : "config",
      remoteAddress: row.remote_address,
      identifiedBy: row.identified_by,
      entryCount: Number(row.entry_count),
    };
  }

  #full(row: Selectable<DeviceReportTable>): DeviceReport {
    const { entryCount: _count, ...summary } = this.#summary(row);
    let stored: StoredEntry[] = [];
    try {
      const parsed: unknown = JSON.parse(row.entries);
      if (Array.isArray(parsed)) stored = parsed as StoredEntry[];
    } catch {
      stored = [];
    }
    const entries = stored.map((e): ReportEntry => {
      if (e.s === undefined) return { name: e.n, value: e.v, access: e.a, secret: false };
      let value: string | null = null;
      try {
        value = this.#core.sealer.open(e.s, sealContext(row.id, e.n));
      } catch {
        value = null; // sealed under a retired key
      }
      return { name: e.n, value, access: e.a, secret: true };
    });
    return { ...summary, entries };
  }
}
