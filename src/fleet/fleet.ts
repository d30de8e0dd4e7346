/**
 * A fleet of emulated units in one process, on one fleet clock: each unit is a full
 * `Device` (the same resync engine as `provisio emulate`), its fetches measured. The units
 * power on spread over a ramp — or all at the same instant for a reboot storm (power back
 * after an outage) — and run for the given virtual duration.
 */
import {
  type CompatSwitches,
  Device,
  type DhcpOptions,
  deviceError,
  networkFetcher,
  type ProvisioningStateName,
} from "../device/index.ts";
import { FleetClock, type FleetSpeed } from "./fleet_clock.ts";
import { type FleetDeviceSpec, familyOfModel } from "./fleet_devices.ts";
import { FleetStats, type LatencySummary } from "./fleet_stats.ts";
import { measuringFetcher } from "./measuring_fetcher.ts";

export interface FleetOptions {
  readonly devices: readonly FleetDeviceSpec[];
  /** Set on every unit before it powers on (an admin edit: the unit is SP-CUST). */
  readonly profileRule?: string;
  /** Other parameters set on every unit before it powers on (admin edits). */
  readonly settings?: Readonly<Record<string, string>>;
  /** DHCP option 66 (`host[:port]`) for units whose rule names no server. */
  readonly dhcpTftp?: string;
  /** CA certificates (PEM) the units trust for HTTPS servers. */
  readonly trustedServerCas?: readonly string[];
  /** Behaviour switches of every unit (over its family's defaults). */
  readonly compat?: Partial<CompatSwitches>;
  /** MPP: the load in every unit's inactive partition. */
  readonly inactiveLoad?: string;
  readonly durationMs: number;
  readonly speed: FleetSpeed;
  /** Device work in flight at most; default 64. */
  readonly concurrency?: number;
  /** `max` speed: how far time may run ahead of the oldest resync in flight; default 10 s. */
  readonly maxSkewMs?: number;
  /** Every unit powers on at the same instant. */
  readonly rebootStorm?: boolean;
  /** Power-ons spread uniformly over this span (virtual ms); default min(duration, 10 min). */
  readonly rampMs?: number;
  readonly seed?: number;
  readonly startMs?: number;
  /**
   * Spread the units' HTTP(S) connections over this many loopback source addresses
   * (127.1.0.1, 127.1.0.2, …; Linux routes all of 127/8 to lo), so a local server sees many
   * clients as it would in the field rather than one. Default 1 (the system's choice).
   */
  readonly sourceAddresses?: number;
  /** HTTP(S) answer deadline of each unit; default 30 s (wall clock). */
  readonly httpTimeoutMs?: number;
  /** Called about every `progressEveryMs` of wall time while running. */
  readonly onProgress?: (progress: FleetProgress) => void;
  readonly progressEveryMs?: number;
}

export interface FleetProgress {
  readonly virtualMs: number;
  readonly durationMs: number;
  readonly poweredOn: number;
  readonly resyncsOk: number;
  readonly resyncsFailed: number;
  readonly inFlight: number;
}

export interface ChartSeries {
  /** Bucket starts, seconds since the run's start (virtual). */
  readonly t: readonly number[];
  readonly resyncsOk: readonly number[];
  readonly resyncsFailed: readonly number[];
  readonly overloaded: readonly number[];
  readonly p50Ms: readonly number[];
  readonly p99Ms: readonly number[];
}

export interface FleetSummary {
  readonly devices: number;
  readonly model: string;
  readonly speed: FleetSpeed;
  readonly rebootStorm: boolean;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly resyncsOk: number;
  readonly resyncsFailed: number;
  readonly fetches: number;
  /** Device-side latency of each fetch, wall-clock ms. */
  readonly latency: LatencySummary;
  /** HTTP status of refused fetches (404, 429, 503…) ▸ count. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly failureReasons: Readonly<Record<string, number>>;
  readonly causes: Readonly<Record<string, number>>;
  readonly states: Readonly<Record<string, number>>;
  readonly firmware: Readonly<Record<string, number>>;
  readonly indicators: Readonly<Record<string, number>>;
  readonly peakInFlight: number;
  readonly peakRssBytes: number;
  readonly series: ChartSeries;
}

/** The k-th fleet source address: 127.1.0.1 onwards, skipping .0 and .255. */
export function loopbackAddress(k: number): string {
  const host = (k % 254) + 1;
  const net = Math.floor(k / 254);
  return `127.${1 + Math.floor(net / 256)}.${net % 256}.${host}`;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function record(map: ReadonlyMap<string | number, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1]).map(([k, v]) => [String(k), v]));
}

export class Fleet {
  private readonly clock: FleetClock;
  private readonly stats: FleetStats;
  private readonly units: Device[] = [];
  private readonly startMs: number;
  private poweredOn = 0;
  private peakRss = 0;

  constructor(private readonly options: FleetOptions) {
    if (options.devices.length === 0) {
      throw deviceError("DEVICE_OPTION_INVALID", "a fleet needs at least one device");
    }
    if (!Number.isFinite(options.durationMs) || options.durationMs <= 0) {
      throw deviceError("DEVICE_OPTION_INVALID", "the duration must be positive");
    }
    this.clock = new FleetClock({
      speed: options.speed,
      ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.maxSkewMs === undefined ? {} : { maxSkewMs: options.maxSkewMs }),
    });
    this.startMs = this.clock.now();
    this.stats = new FleetStats(this.startMs, Math.max(1000, options.durationMs / 120));
  }

  /** Ends the run early (Ctrl-C); `run` resolves with what happened so far. */
  stop(): void {
    this.clock.stop();
  }

  async run(): Promise<FleetSummary> {
    const o = this.options;
    const wallStart = performance.now();
    const sources = o.sourceAddresses ?? 1;
    if (!Number.isInteger(sources) || sources < 1 || sources > 65_000) {
      throw deviceError("DEVICE_OPTION_INVALID", "source addresses must be from 1 to 65000");
    }
    const fetchers = Array.from({ length: sources }, (_, k) =>
      measuringFetcher(
        networkFetcher({
          httpTimeoutMs: o.httpTimeoutMs ?? 30_000,
          ...(sources === 1 ? {} : { localAddress: loopbackAddress(k) }),
        }),
        () => this.clock.now(),
        (sample) => this.stats.addFetch(sample),
      ),
    );
    const dhcp: DhcpOptions | undefined =
      o.dhcpTftp === undefined ? undefined : { option66: o.dhcpTftp };
    const ramp = o.rebootStorm === true ? 0 : (o.rampMs ?? Math.min(o.durationMs, 600_000));
    const seed = o.seed ?? 1;
    o.devices.forEach((spec, i) => {
      const unit = new Device({
        mac: spec.mac,
        productName: spec.model,
        family: familyOfModel(spec.model),
        ...(spec.serial === undefined ? {} : { serial: spec.serial }),
        clock: this.clock,
        seed: seed + i,
        fetcher: fetchers[i % sources]!,
        ...(dhcp === undefined ? {} : { dhcp }),
        ...(o.trustedServerCas === undefined ? {} : { trustedServerCas: o.trustedServerCas }),
        ...(o.compat === undefined ? {} : { compat: o.compat }),
        ...(o.inactiveLoad === undefined ? {} : { inactiveLoad: o.inactiveLoad }),
        // A fleet keeps counts, not each unit's log (so no unit builds its log lines).
        logCapacity: 0,
      });
      if (o.settings !== undefined) unit.configure(o.settings);
      if (o.profileRule !== undefined) unit.configure({ Profile_Rule: o.profileRule });
      unit.on("resync", (r) => this.stats.addResync(r.finishedAt, r.ok, r.cause, r.err));
      this.units.push(unit);
      // Spread evenly (not randomly) so the load's shape does not depend on the seed.
      const at = ramp === 0 ? 0 : (ramp * i) / o.devices.length;
      this.clock.setTimeout(() => {
        unit.powerOn();
        this.poweredOn++;
      }, at);
    });
    const every = o.progressEveryMs ?? 250;
    const tick = () => {
      this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
      o.onProgress?.(this.progress());
    };
    const timer = setInterval(tick, every);
    try {
      await this.clock.runUntil(this.startMs + o.durationMs);
    } finally {
      clearInterval(timer);
      for (const unit of this.units) unit.powerOff();
    }
    tick();
    return this.summary(performance.now() - wallStart);
  }

  progress(): FleetProgress {
    return {
      virtualMs: this.clock.now() - this.startMs,
      durationMs: this.options.durationMs,
      poweredOn: this.poweredOn,
      resyncsOk: this.stats.resyncsOk,
      resyncsFailed: this.stats.resyncsFailed,
      inFlight: this.clock.inFlight,
    };
  }

  private summary(wallMs: number): FleetSummary {
    const states = new Map<ProvisioningStateName, number>();
    const firmware = new Map<string, number>();
    const indicators = new Map<string, number>();
    const models = new Set<string>();
    for (const unit of this.units) {
      count(states, unit.provisioningState);
      count(firmware, `${unit.identity.productName} ${unit.identity.swVersion}`);
      count(indicators, unit.provisioningIndicator);
      models.add(unit.identity.productName);
    }
    const s = this.stats;
    const percentiles = s.bucketPercentiles();
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      devices: this.units.length,
      model: [...models].join(", "),
      speed: this.options.speed,
      rebootStorm: this.options.rebootStorm === true,
      virtualMs: this.clock.now() - this.startMs,
      wallMs,
      resyncsOk: s.resyncsOk,
      resyncsFailed: s.resyncsFailed,
      fetches: s.fetches,
      latency: s.latencySummary(),
      statuses: record(s.statuses),
      failureReasons: record(s.resyncErrors),
      causes: record(s.resyncCauses),
      states: record(states),
      firmware: record(firmware),
      indicators: record(indicators),
      peakInFlight: this.clock.peakInFlight,
      peakRssBytes: this.peakRss,
      series: {
        t: s.buckets.map((b) => b.startMs / 1000),
        resyncsOk: s.buckets.map((b) => b.resyncsOk),
        resyncsFailed: s.buckets.map((b) => b.resyncsFailed),
        overloaded: s.buckets.map((b) => b.overloaded),
        p50Ms: percentiles.map((p) => round(p.p50)),
        p99Ms: percentiles.map((p) => round(p.p99)),
      },
    };
  }
}
