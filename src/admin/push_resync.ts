/**
 * Push resync: make devices act now instead of at their next periodic resync. Over SIP
 * (default) an out-of-dialog NOTIFY goes to the device's SIP contact — `Event: check-sync`
 * for a resync (what SPA firmware and PBXs use; `resync` works as well), `reboot`,
 * `reboot_now`, `restart_now` or `report` — and a 401/407 challenge is answered with the
 * line's Digest credentials from the effective configuration. Over HTTP the device's own
 * admin URL (`/admin/resync`, `/admin/reboot`) is called with the admin password.
 *
 * Where the contact comes from, in order: the contact given with the request; else the
 * address the device last resynced from (its status) with the line's SIP port as the device
 * reported it (`SIP_Port_1_` in its latest configuration report), as the server sets it, or
 * 5060. Devices behind NAT are reached only where that address forwards SIP — the same
 * path the PBX's own NOTIFYs take.
 *
 * Many devices are paced (a rate per second and a bound on what is in flight) so a tenant-wide
 * push does not make every unit fetch its profile in the same second; such a push runs long
 * (minutes for a large tenant), so the API runs it as a background operation that reports
 * each result as it comes (`onResult`) and stops starting pushes when asked (`signal`). The
 * line password is used for the Digest only: it is never in a result, an audit entry or a
 * log line.
 */
import { request as httpRequest } from "node:http";
import { isProvisioError } from "../errors.ts";
import { type NotifyEvent, type SipContact, SipUdpClient } from "../sip/index.ts";
import type { Device, Store } from "../store/index.ts";
import type { EffectiveConfigResolver } from "./effective_config.ts";
import { apiError } from "./errors.ts";
import {
  MAX_PUSH_DEVICES,
  PUSH_EVENTS,
  type PushOutcome,
  type PushResult,
  type PushVia,
} from "./push_request.ts";

export interface PushOptions {
  readonly event: NotifyEvent;
  readonly via?: PushVia;
  /** An explicit contact (one device): `host` or `host:port`. */
  readonly contact?: SipContact;
  /** Which line's credentials and SIP port (default 1). */
  readonly line?: number;
  /** Pushes started per second (default 20, at most 500). */
  readonly perSecond?: number;
  /** Pushes in flight at once (default 32). */
  readonly concurrency?: number;
  readonly actor: string;
  /** A SIP client to use (tests, a long-lived service); one is opened and closed otherwise. */
  readonly sip?: SipUdpClient;
  /** Waits between starts (tests pass a virtual one). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly httpTimeoutMs?: number;
  /** Stops starting pushes (the ones not started are `cancelled`); those in flight finish. */
  readonly signal?: AbortSignal;
  /** Each device's result as soon as it is known (progress). */
  readonly onResult?: (result: PushResult) => void;
}

/** Pushes a background push operation runs at once: in all, and for one tenant. */
export const MAX_RUNNING_PUSHES = 4;
export const MAX_RUNNING_PUSHES_PER_TENANT = 2;

/**
 * Single-device pushes answered synchronously at once (each up to 32 s and one SIP socket):
 * in all on a node, and for one tenant.
 */
export const MAX_SINGLE_PUSHES = 16;
export const MAX_SINGLE_PUSHES_PER_TENANT = 4;

/** Counts the single-device pushes in flight; `enter` refuses beyond the bounds. */
export class SinglePushGate {
  readonly #perTenant = new Map<string, number>();
  #total = 0;

  /** A release function, or the bound that is reached (nothing is taken then). */
  enter(tenantId: string): (() => void) | "tenant" | "all" {
    const mine = this.#perTenant.get(tenantId) ?? 0;
    if (mine >= MAX_SINGLE_PUSHES_PER_TENANT) return "tenant";
    if (this.#total >= MAX_SINGLE_PUSHES) return "all";
    this.#perTenant.set(tenantId, mine + 1);
    this.#total++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#total--;
      const n = (this.#perTenant.get(tenantId) ?? 1) - 1;
      if (n <= 0) this.#perTenant.delete(tenantId);
      else this.#perTenant.set(tenantId, n);
    };
  }
}

/** Progress of a push run as a background operation (what the API shows while it runs). */
export interface PushProgress {
  readonly event: NotifyEvent;
  readonly via: PushVia;
  readonly devices: number;
  done: number;
  readonly outcomes: Record<string, number>;
  /** One per device, in the order they finished. */
  readonly results: PushResult[];
}

/** A progress record that `pushDevices`' `onResult` fills in. */
export function pushProgress(
  event: NotifyEvent,
  via: PushVia,
  devices: number,
): { progress: PushProgress; onResult: (result: PushResult) => void } {
  const progress: PushProgress = { event, via, devices, done: 0, outcomes: {}, results: [] };
  return {
    progress,
    onResult(result) {
      progress.done++;
      progress.outcomes[result.outcome] = (progress.outcomes[result.outcome] ?? 0) + 1;
      progress.results.push(result);
    },
  };
}

interface LineFacts {
  readonly user: string | undefined;
  readonly credentials: { username: string; password: string } | undefined;
  readonly sipPort: number | undefined;
  readonly adminPassword: string;
}

const yes = (v: string | null | undefined) => /^(yes|true|1|on)$/i.test(v ?? "");

async function lineFacts(
  store: Store,
  resolver: EffectiveConfigResolver,
  device: Device,
  line: number,
): Promise<LineFacts> {
  const [effective, report] = await Promise.all([
    resolver.resolve(device, { revealSecrets: true }),
    store.reports.latest(device.mac, ["config"]),
  ]);
  const value = (name: string) => effective.parameters.find((p) => p.name === name)?.value ?? null;
  const userId = value(`User_ID_${line}_`) ?? undefined;
  const authId = yes(value(`Use_Auth_ID_${line}_`)) ? value(`Auth_ID_${line}_`) : null;
  const password = value(`Password_${line}_`);
  const reportedPort = report?.entries.find((e) => e.name === `SIP_Port_${line}_`)?.value;
  const port = Number(reportedPort ?? value(`SIP_Port_${line}_`) ?? Number.NaN);
  return {
    user: userId === "" ? undefined : userId,
    credentials:
      password === null || (authId ?? userId ?? "") === ""
        ? undefined
        : { username: authId ?? userId ?? "", password },
    sipPort: Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined,
    adminPassword: value("Admin_Passwd") ?? "",
  };
}

function httpAdmin(
  contact: SipContact,
  event: NotifyEvent,
  adminPassword: string,
  timeoutMs: number,
): Promise<{ outcome: PushOutcome; status: number | null; message: string | null }> {
  const path = event === "check-sync" || event === "resync" ? "/admin/resync" : "/admin/reboot";
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: contact.host,
        port: contact.port,
        path,
        method: "GET",
        timeout: timeoutMs,
        headers: {
          authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`,
          "user-agent": "Provisio",
        },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({
          outcome: status < 300 ? "accepted" : status === 401 ? "unauthorized" : "rejected",
          status,
          message: null,
        });
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", (e) => resolve({ outcome: "unreachable", status: null, message: e.message }));
    req.end();
  });
}

/** Pushes to each device, paced; one result per device, in the order given. Never throws per device. */
export async function pushDevices(
  store: Store,
  resolver: EffectiveConfigResolver,
  devices: readonly Device[],
  options: PushOptions,
): Promise<PushResult[]> {
  if (devices.length > MAX_PUSH_DEVICES) {
    throw apiError("API_VALIDATION", `a push addresses at most ${MAX_PUSH_DEVICES} devices`);
  }
  if (!PUSH_EVENTS.includes(options.event)) {
    throw apiError("API_VALIDATION", `unknown push event ${JSON.stringify(options.event)}`);
  }
  const via = options.via ?? "sip";
  if (via === "http" && options.event === "report") {
    throw apiError("API_VALIDATION", "a report can only be asked for over SIP");
  }
  const line = options.line ?? 1;
  const perSecond = Math.max(1, Math.min(options.perSecond ?? 20, 500));
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 32, 256));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const sip = via === "sip" ? (options.sip ?? (await SipUdpClient.open())) : undefined;
  const results: PushResult[] = new Array(devices.length);

  const one = async (device: Device): Promise<PushResult> => {
    const base = { mac: device.mac, via, event: options.event };
    let contact: SipContact | undefined = options.contact;
    let contactFrom: string | null = contact === undefined ? null : "request";
    try {
      const facts = await lineFacts(store, resolver, device, line);
      if (contact === undefined) {
        const host = device.status?.remoteAddress ?? null;
        if (host !== null && host !== "") {
          const port = via === "sip" ? (facts.sipPort ?? 5060) : 80;
          contact = { host: host.replace(/^::ffff:/, ""), port };
          contactFrom = "last-resync";
        }
      }
      if (contact === undefined) {
        return {
          ...base,
          outcome: "no-contact",
          contact: null,
          contactFrom: null,
          status: null,
          challenged: false,
          transmissions: 0,
          message: "no contact given and the device has not resynced yet",
        };
      }
      const where = `${contact.host}:${contact.port}`;
      if (sip === undefined) {
        const r = await httpAdmin(
          contact,
          options.event,
          facts.adminPassword,
          options.httpTimeoutMs ?? 5_000,
        );
        return { ...base, ...r, contact: where, contactFrom, challenged: false, transmissions: 1 };
      }
      const r = await sip.notify({
        contact,
        event: options.event,
        user: facts.user,
        credentials: facts.credentials,
      });
      return {
        ...base,
        outcome: r.outcome,
        contact: where,
        contactFrom,
        status: r.status ?? null,
        challenged: r.challenged,
        transmissions: r.transmissions,
        message:
          r.outcome === "unauthorized" && facts.credentials === undefined
            ? "challenged and the line has no credentials"
            : (r.reason ?? null),
      };
    } catch (e) {
      return {
        ...base,
        outcome: "error",
        contact: contact === undefined ? null : `${contact.host}:${contact.port}`,
        contactFrom,
        status: null,
        challenged: false,
        transmissions: 0,
        message: isProvisioError(e) ? e.message : "internal error",
      };
    }
  };

  const settle = (i: number, r: PushResult): void => {
    results[i] = r;
    options.onResult?.(r);
  };
  try {
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < devices.length; i++) {
      if (i > 0) await sleep(1000 / perSecond);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (options.signal?.aborted === true) {
        for (let j = i; j < devices.length; j++) {
          settle(j, {
            mac: devices[j]!.mac,
            via,
            event: options.event,
            outcome: "cancelled",
            contact: null,
            contactFrom: null,
            status: null,
            challenged: false,
            transmissions: 0,
            message: "not started: the server is shutting down",
          });
        }
        break;
      }
      const p: Promise<void> = one(devices[i]!).then((r) => {
        settle(i, r);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } finally {
    if (options.sip === undefined) await sip?.close();
  }
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const tenants = new Set(devices.map((d) => d.tenantId));
  await store.audit.append({
    actor: options.actor,
    action: `device.push.${options.event}`,
    entity: "device",
    key: devices.length === 1 ? devices[0]!.mac : null,
    tenantId: tenants.size === 1 ? [...tenants][0]! : null,
    after: { event: options.event, via, devices: devices.length, outcomes: counts },
  });
  return results;
}
