/**
 * Report_Rule uploads on the device-facing listeners: `POST` (what units send) or `PUT` of a
 * `<flat-profile>` or `<status>` document to a path under `/report/`. The device is
 * identified as for a resync — its client certificate, else a MAC in the path, else the
 * User-Agent — and a tenant that requires client certificates refuses a report without one.
 * Uploads are bounded in size and counted per source and per device; every refusal is an
 * outcome the pipeline logs (security events for what looks like abuse).
 *
 * An MPP unit whose Report_Rule has no `--key` and which holds an IKM sends its report
 * `aes128gcm`-encoded (`Content-Encoding: aes128gcm` over HTTP; over TFTP the bytes tell):
 * it is decoded with the IKM the device's configuration sets, the one its profile gives it.
 *
 * The kind: a `<status>` document is a status report; a path with a `delta` segment
 * (`/report/delta/$MA.xml`) or a `delta` query parameter is a `--delta` report; anything
 * else is a full configuration report.
 *
 * Upgrade status: a unit whose Profile_Rule or Report_Rule URL carries its upgrade state
 * (`?upgst=$UPGST&upgerr=$UPGERR`, optionally `&upgtmr=$UPGTMR`) tells the server when its last
 * upgrade attempt failed and why. A change to a failed state (`$UPGST` 2), seen on the unit's
 * own profile fetch or an accepted upload, is handed to `upgradeStatus` (an event row, and a
 * failure for the rollout that offered the unit its hop) — only when the request is the
 * unit's beyond doubt: its own certificate, or the address this node already saw it resync
 * from (anyone can fetch a profile by a MAC in its path and add a query).
 */
import type { Logger } from "pino";
import { isProvisioError } from "../errors.ts";
import { type Catalogue, defaultCatalogue } from "../profile/index.ts";
import type { Device, MacAddress, ReportKind, ResyncEventInput, Store } from "../store/index.ts";
import { ClientCertPolicy } from "./client_cert_policy.ts";
import type { ClientCertificate } from "./client_certificate.ts";
import { configuredIkm } from "./content_encoding.ts";
import { identifyDevice } from "./device_identity.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import type { ConfigCache } from "./profile_cache.ts";
import type { ProfileRenderer } from "./profile_renderer.ts";
import { dropOldestUnused } from "./record_cache.ts";
import {
  DEFAULT_MAX_REPORT_BYTES,
  decodeReport,
  parseReportBody,
  reportCoding,
} from "./report_body.ts";
import { NOT_FOUND_REASON, type Outcome, refuse, refuseAsUnknown } from "./resync_outcome.ts";
import type { ResyncRequest, Transport } from "./resync_request.ts";

export const REPORT_PATH_PREFIX = "/report/";

export interface ReportFlowOptions {
  readonly store: Pick<Store, "reports" | "devices">;
  readonly cache: ConfigCache<unknown>;
  /** Resolves the IKM (`IKM_HTTP_Encrypt_Content`) an `aes128gcm` report is decoded with. */
  readonly renderer: ProfileRenderer;
  readonly builtInClientCas: readonly string[];
  readonly logger: Logger;
  readonly catalogue?: Catalogue;
  readonly maxBytes?: number;
  /** Uploads one source address may make per minute (default 30). */
  readonly perSourcePerMinute?: number;
  /** Uploads stored per device per minute (default 6). */
  readonly perDevicePerMinute?: number;
  /** Reports kept per device (default 20). */
  readonly keep?: number;
  readonly now?: () => number;
  /** A unit reported that its last upgrade attempt failed (`$UPGST` 2): see the file comment. */
  readonly upgradeStatus?: (report: UpgradeFailureReport) => void;
}

/** A failed upgrade attempt as the unit reported it in a request's query. */
export interface UpgradeFailureReport {
  readonly mac: MacAddress;
  readonly tenantId: string;
  /** `$UPGERR`: why the attempt failed (the unit's `$ERR`, e.g. `http_get failed`). */
  readonly error: string;
  /**
   * When the attempt was made: from `$UPGTMR` when sent, else the request that showed the
   * change from a state this node saw before; undefined when it cannot tell (the first state
   * this node sees may be older than anything the server offered since).
   */
  readonly attemptedAt: number | undefined;
  readonly transport: Transport;
  readonly path: string;
  readonly remoteAddress: string;
  readonly at: number;
}

/** Longest `$UPGERR` kept. */
const MAX_UPGRADE_ERROR = 200;

/** Fixed one-minute windows per key, bounded in size (keys are the clients' to choose). */
class MinuteCounter {
  readonly #limit: number;
  readonly #counts = new Map<string, { window: number; n: number }>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Counts one more; false when the key is over its limit in this minute. */
  take(key: string, now: number): boolean {
    const window = Math.floor(now / 60_000);
    const entry = this.#counts.get(key);
    if (entry === undefined || entry.window !== window) {
      if (this.#counts.size >= 50_000) this.#counts.clear();
      this.#counts.set(key, { window, n: 1 });
      return this.#limit > 0;
    }
    entry.n++;
    return entry.n <= this.#limit;
  }
}

const MAC_IN_PATH = /(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])/gi;

/** The MACs a report path names (`/report/SPA504G_000e08abcdef_88012BA01234.xml`). */
export function macsInReportPath(path: string): MacAddress[] {
  const found = new Set<string>();
  for (const m of path.slice(REPORT_PATH_PREFIX.length).matchAll(MAC_IN_PATH)) {
    found.add(m[0].toLowerCase());
  }
  return [...found] as MacAddress[];
}

export function reportKindOf(path: string, query: string, document: string): ReportKind {
  if (document === "status") return "status";
  const segments = path.slice(REPORT_PATH_PREFIX.length).toLowerCase().split("/");
  if (segments.slice(0, -1).includes("delta")) return "delta";
  if (query.split("&").some((p) => p === "delta" || p.startsWith("delta="))) return "delta";
  return "config";
}

export class ReportFlow implements FlowHook {
  readonly #o: ReportFlowOptions;
  readonly #now: () => number;
  readonly #certs: ClientCertPolicy;
  readonly #perSource: MinuteCounter;
  readonly #perDevice: MinuteCounter;
  readonly #catalogue: Catalogue;
  /** Where and when each device's own profile was last served from this node (bounded). */
  readonly #resyncFrom = new Map<string, ResyncSource>();
  /** The upgrade state (`$UPGST`, `$UPGERR`) each device last reported (bounded). */
  readonly #upgradeState = new Map<string, string>();

  constructor(options: ReportFlowOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#catalogue = options.catalogue ?? defaultCatalogue;
    this.#certs = new ClientCertPolicy({
      builtInCas: options.builtInClientCas,
      tenants: () => options.cache.tenants,
      logger: options.logger,
      now: this.#now,
    });
    this.#perSource = new MinuteCounter(options.perSourcePerMinute ?? 30);
    this.#perDevice = new MinuteCounter(options.perDevicePerMinute ?? 6);
  }

  route(flow: FlowRequest): Promise<Outcome> | undefined {
    // Another flow's path: answered at once, without a promise (every request asks every hook).
    return flow.path.startsWith(REPORT_PATH_PREFIX) ? this.#route(flow) : undefined;
  }

  async #route(flow: FlowRequest): Promise<Outcome> {
    const { path, request } = flow;
    if (request.method !== "POST" && request.method !== "PUT") {
      return refuse(405, "reports are uploaded with POST or PUT");
    }
    const now = this.#now();
    if (!this.#perSource.take(request.remoteAddress, now)) {
      return refuse(429, "too many reports from this address", { security: "report-flood" });
    }
    const macs = macsInReportPath(path);
    if (macs.length > 1) return refuse(400, "the path names two different devices");
    const matches = macs.map((mac) => ({ facts: { mac } }));
    const identified = await identifyDevice(this.#o.cache, matches, flow.cert, flow.ua);
    if (identified.kind === "refused" && identified.security === "certificate-mismatch") {
      // Another unit's MAC with a device certificate: answered as an unknown unit would be,
      // as for a profile, so a certificate is no oracle for what exists.
      return refuseAsUnknown(identified.reason, {
        mac: identified.mac,
        security: identified.security,
      });
    }
    if (identified.kind === "refused") {
      return refuse(identified.status, identified.reason, {
        mac: identified.mac,
        security: identified.security,
      });
    }
    if (identified.kind === "unknown") {
      return refuse(404, NOT_FOUND_REASON, { miss: true, mac: identified.mac });
    }
    const { device } = identified;
    const tenant = this.#o.cache.tenant(device.tenantId);
    if (tenant === undefined) return refuse(404, NOT_FOUND_REASON, { miss: true });
    // Refusals name the device (its event log) but not its tenant: a refused upload must not
    // become the device's status (and so its "last address").
    const extra = { mac: device.mac };
    const refused = this.#certs.authorize(tenant, flow.cert, identified.by, extra);
    if (refused !== undefined) {
      // Not trusted by the unit's tenant, or no certificate where one is required: the
      // answer an unknown unit gets (as for a profile), the reason in the logs.
      return refuseAsUnknown(`report refused: ${refused.response.reason ?? ""}`, {
        mac: device.mac,
        security: refused.security,
      });
    }
    if (device.state === "disabled") return refuse(403, "device disabled", extra);
    if (identified.by !== "certificate") {
      const proven = await this.#provenSource(device, request.remoteAddress);
      if (proven !== "same") {
        return refuse(403, "report not sent from the device's address", {
          ...extra,
          security: "report-source-mismatch",
          logReason:
            proven === "none"
              ? "report for a device with no proven resync to compare its address with"
              : "report from an address other than the device's last resync",
        });
      }
    }
    if (!this.#perDevice.take(device.mac, now)) {
      return refuse(429, "too many reports for this device", extra);
    }
    const body = request.body ?? new Uint8Array();
    const maxBytes = this.#o.maxBytes ?? DEFAULT_MAX_REPORT_BYTES;
    let parsed: ReturnType<typeof parseReportBody>;
    try {
      let plain: Uint8Array = body;
      if (reportCoding(body, request.contentEncoding, request.transport === "tftp") !== "none") {
        const ikm = await configuredIkm(this.#o.cache, this.#o.renderer, device, tenant);
        plain = decodeReport(body, ikm, maxBytes);
      }
      parsed = parseReportBody(plain, this.#catalogue, maxBytes);
    } catch (e) {
      if (!isProvisioError(e)) throw e;
      return refuse(e.status, `report refused (${e.code}): ${e.message}`.slice(0, 300), extra);
    }
    const kind = reportKindOf(path, request.query, parsed.document);
    await this.#o.store.reports.add(
      {
        mac: device.mac,
        tenantId: tenant.id,
        receivedAt: new Date(now),
        kind,
        remoteAddress: request.remoteAddress || null,
        identifiedBy: identified.by,
        entries: parsed.entries,
      },
      { keep: this.#o.keep ?? 20 },
    );
    // Identified and from its proven source: the upload's own URL may carry the state too.
    this.#readUpgradeState(device, request, path, true, now);
    return {
      response: {
        status: 200,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
        body: Buffer.from(`${kind} report stored (${parsed.entries.length} entries)\n`),
        result: "ok",
      },
      mac: device.mac,
      tenantId: tenant.id,
    };
  }

  /** The device's own profile was served: remember where from (the source reports must share). */
  served(device: Device, flow: FlowRequest): void {
    // A TFTP request from a source that never completed a transfer may be forged: it proves
    // no address (and must not displace the unit's real one).
    if (flow.request.sourceProven === false) return;
    const from = flow.request.remoteAddress;
    const certified = certifies(flow.cert, device);
    const last = this.#resyncFrom.get(device.mac);
    const known = last?.from === from || certified;
    this.#readUpgradeState(device, flow.request, flow.path, known, flow.now);
    // Updated in place and marked used: a unit served since the sweep last passed it is not
    // the one dropped (`dropOldestUnused`).
    if (last !== undefined) {
      last.from = from;
      last.at = flow.now;
      last.certified = certified;
      last.used = true;
      return;
    }
    if (this.#resyncFrom.size >= 100_000) dropOldestUnused(this.#resyncFrom);
    this.#resyncFrom.set(device.mac, { from, at: flow.now, certified, used: false });
  }

  /**
   * Whether the unit's last resync was proven by its own client certificate, from `source`,
   * at most `withinMs` before `now`. This node's memory first; else the stored status, when
   * it records a profile served over HTTPS — to the unit's own certificate only where the
   * caller asks this of a tenant that requires one (another node served it, or this one
   * restarted). Addresses compare as IPv4 when one is IPv4-mapped (TFTP is IPv4, HTTP may
   * listen on both families).
   */
  async provenResync(
    mac: MacAddress,
    source: string,
    now: number,
    withinMs: number,
  ): Promise<boolean> {
    const known = this.#resyncFrom.get(mac);
    if (known !== undefined) {
      return known.certified && now - known.at <= withinMs && sameAddress(known.from, source);
    }
    const status = (await this.#o.store.devices.findByMac(mac))?.status;
    if (status === null || status === undefined || status.remoteAddress === null) return false;
    if (status.result !== "ok" && status.result !== "not-modified") return false;
    if (status.transport !== "https" || now - status.at.getTime() > withinMs) return false;
    return sameAddress(status.remoteAddress, source);
  }

  /** The upgrade state in the request's query; a new failed one goes to `upgradeStatus`. */
  #readUpgradeState(
    device: Device,
    request: ResyncRequest,
    path: string,
    trusted: boolean,
    now: number,
  ): void {
    if (this.#o.upgradeStatus === undefined || !trusted || !request.query.includes("upgst=")) {
      return;
    }
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(request.query);
    } catch {
      return;
    }
    const state = params.get("upgst")?.trim();
    if (state === undefined) return;
    const error = (params.get("upgerr") ?? "").trim().slice(0, MAX_UPGRADE_ERROR);
    const key = `${state}\u0000${error}`;
    const previous = this.#upgradeState.get(device.mac);
    if (previous === key) return;
    this.#upgradeState.delete(device.mac);
    if (this.#upgradeState.size >= 100_000) {
      this.#upgradeState.delete(this.#upgradeState.keys().next().value!);
    }
    this.#upgradeState.set(device.mac, key);
    if (state !== "2") return;
    const timer = params.get("upgtmr");
    const seconds = timer === null || timer.trim() === "" ? Number.NaN : Number(timer);
    const attemptedAt =
      Number.isFinite(seconds) && seconds >= 0
        ? now - seconds * 1000
        : previous === undefined
          ? undefined
          : now;
    this.#o.upgradeStatus({
      mac: device.mac,
      tenantId: device.tenantId,
      error: error === "" ? "unknown error" : error,
      attemptedAt,
      transport: request.transport,
      path,
      remoteAddress: request.remoteAddress,
      at: now,
    });
  }

  /**
   * A report identified only by path or User-Agent must come from the address the device
   * last fetched its profile from (anyone can write a MAC into a path): this node's memory
   * first, else the stored status when it records a served profile (`ok` or `not-modified`).
   * With neither — the unit never resynced, or its last recorded request was no served
   * profile — there is nothing to compare with, and the report is refused.
   */
  async #provenSource(device: Device, source: string): Promise<"same" | "other" | "none"> {
    const known = this.#resyncFrom.get(device.mac)?.from;
    if (known !== undefined) return known === source ? "same" : "other";
    const status = (await this.#o.store.devices.findByMac(device.mac))?.status;
    if (status === null || status === undefined || status.remoteAddress === null) return "none";
    if (status.result !== "ok" && status.result !== "not-modified") return "none";
    return status.remoteAddress === source ? "same" : "other";
  }
}

/** Where a unit's own profile was last served from, when, and whether to its own certificate. */
interface ResyncSource {
  from: string;
  at: number;
  certified: boolean;
  /** Served again since the eviction sweep last passed it. */
  used: boolean;
}

function sameAddress(a: string, b: string): boolean {
  const plain = (x: string) => (x.startsWith("::ffff:") && x.includes(".") ? x.slice(7) : x);
  return plain(a) === plain(b);
}

/** A verified device certificate naming this device (not a generic one). */
function certifies(cert: ClientCertificate | undefined, device: Device): boolean {
  return cert?.verified === true && !cert.identity.generic && cert.identity.mac === device.mac;
}

/** The event row of a failed upgrade a unit reported (its event log shows it). */
export function upgradeFailureEvent(u: UpgradeFailureReport): ResyncEventInput {
  return {
    mac: u.mac,
    tenantId: u.tenantId,
    at: new Date(u.at),
    transport: u.transport,
    result: "error",
    statusCode: null,
    path: u.path.slice(0, 512),
    bytes: null,
    durationMs: null,
    remoteAddress: u.remoteAddress,
    userAgent: null,
    message: `upgrade failed on the unit ($UPGST 2): ${u.error}`,
  };
}
