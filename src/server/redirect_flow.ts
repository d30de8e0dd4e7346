/**
 * The redirect (RC) service as a device flow. A unit asks for its redirect path (keyed by
 * MAC); a registered unit gets its provider's redirect profile, anything else — an unknown
 * MAC, one whose provider marked it unavailable — the same `200 OK` with an empty
 * `<flat-profile></flat-profile>` (MPP shows `Unavailable`, an SPA stays `Open` and retries
 * on its schedule), so the answer reveals no owner. Serving a redirect moves the unit to
 * `pending`.
 *
 * On a provider's server the same flow watches devices being served their own profile: a
 * registered unit of that provider that was `pending` is now `acquired` (it followed the
 * redirect); one still `open` got there by other means (`aborted`). This needs the redirect
 * service's records, i.e. the provider's server shares the redirect service's database;
 * otherwise the provider reports it (`provisio redirect status MAC acquired`, or the API).
 */
import type { Logger } from "pino";
import { serializeXmlProfile } from "../profile/index.ts";
import type {
  CustomizationStatus,
  Device,
  MacAddress,
  RedirectProfile,
  Store,
} from "../store/index.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import type { RedirectDirectory } from "./redirect_directory.ts";
import type { RedirectPath, RedirectTarget } from "./redirect_path.ts";
import type { Outcome } from "./resync_outcome.ts";
import type { ResyncResponse } from "./resync_request.ts";

/** The answer for a unit that is not (or no longer) a customized unit of any provider. */
export const NOT_CUSTOMIZED: ResyncResponse = {
  status: 200,
  headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
  body: Buffer.from("<flat-profile></flat-profile>\n"),
  result: "not-found",
  reason: "not a customized unit",
};

/** The redirect profile as XML: values set, user access left as the unit has it. */
export function redirectProfileXml(profile: RedirectProfile): string {
  const entries: { name: string; value: string }[] = [];
  const add = (name: string, value: string | null): void => {
    if (value !== null) entries.push({ name, value });
  };
  add("Restricted_Access_Domains", profile.restrictedDomains.join(", "));
  add("Primary_DNS", profile.primaryDns);
  add("Secondary_DNS", profile.secondaryDns);
  add("Provision_Enable", profile.provisionEnable);
  add("Resync_Periodic", profile.resyncPeriodic);
  add("Resync_Error_Retry_Delay", profile.resyncErrorRetryDelay);
  add("Profile_Rule", profile.profileRule);
  return serializeXmlProfile(
    { format: "xml", entries: entries.map((e) => ({ ...e, access: undefined })) },
    { escapeNonAscii: true },
  ).text;
}

/** How long an acquired or aborted unit stays so when it asks the redirect service again. */
export const RESETTLE_MS = 10 * 60_000;

const SERVED_FROM: readonly CustomizationStatus[] = [
  "open",
  "custom-pending",
  "acquired",
  "aborted",
];

export interface RedirectFlowOptions {
  readonly directory: RedirectDirectory;
  readonly store: Pick<Store, "redirects">;
  /** The redirect path; undefined when this server is not a redirect service. */
  readonly path: RedirectPath | undefined;
  /** A tenant's slug (for paths with `$TENANT`). */
  readonly tenantSlug: (tenantId: string) => string | undefined;
  readonly logger: Logger;
}

export class RedirectFlow implements FlowHook {
  readonly #o: RedirectFlowOptions;
  /** Status writes in flight, so a burst of requests from one unit writes once. */
  readonly #writing = new Set<MacAddress>();
  /** Each profile's answer, built once per cached profile record. */
  readonly #answers = new WeakMap<RedirectProfile, ResyncResponse>();

  constructor(options: RedirectFlowOptions) {
    this.#o = options;
  }

  route(request: FlowRequest): Promise<Outcome> | undefined {
    // Another flow's path: answered at once, without a promise (every request asks every hook).
    const target = this.#o.path?.match(request.path);
    return target === undefined ? undefined : this.#route(target, request);
  }

  async #route(target: RedirectTarget, request: FlowRequest): Promise<Outcome> {
    const { mac } = target;
    const unit = await this.#o.directory.unit(mac);
    // Asked under another provider's path: as if unknown (the owner is not revealed).
    const mine =
      unit !== null &&
      unit.status !== "unavailable" &&
      (target.tenantSlug === undefined || this.#o.tenantSlug(unit.tenantId) === target.tenantSlug);
    const profile = mine ? await this.#o.directory.profile(unit.profileId) : null;
    if (unit === null || profile === null) {
      return { response: NOT_CUSTOMIZED, mac, miss: true, logReason: "not a customized unit" };
    }
    // A unit that settled moments ago and asks again is not moved back to pending: each move
    // is a status write and an audit row, and alternating this path with the provider's
    // profile path would otherwise write two per request pair, for anyone who sends them.
    const settled =
      (unit.status === "acquired" || unit.status === "aborted") &&
      request.now - unit.statusAt.getTime() < RESETTLE_MS;
    // Written before the answer goes out: the unit's next request, to its provider's server
    // (another process), must find it pending, or that server would take it for open.
    if (unit.status !== "pending" && !settled) {
      await this.#setStatus(mac, "pending", SERVED_FROM, request.now);
    }
    return {
      response: this.#answer(profile),
      mac,
      logReason: `redirect profile ${profile.name} served`,
    };
  }

  #answer(profile: RedirectProfile): ResyncResponse {
    let response = this.#answers.get(profile);
    if (response === undefined) {
      response = {
        status: 200,
        headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
        body: Buffer.from(redirectProfileXml(profile)),
        result: "ok",
        reason: "redirect profile served",
      };
      this.#answers.set(profile, response);
    }
    return response;
  }

  served(device: Device, request: FlowRequest): void {
    // Not registered, another tenant's or settled, as known in memory: nothing to write, and
    // no promise made for it (every warm resync passes here).
    const known = this.#o.directory.cachedUnit(device.mac);
    if (
      known === null ||
      (known !== undefined &&
        (known.tenantId !== device.tenantId ||
          known.status === "acquired" ||
          known.status === "aborted"))
    ) {
      return;
    }
    void this.#observe(device, request.now).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, mac: device.mac }, "redirect status not updated");
    });
  }

  async #observe(device: Device, now: number): Promise<void> {
    let unit = await this.#o.directory.unit(device.mac);
    if (unit === null || unit.tenantId !== device.tenantId) return;
    // Not settled yet: the redirect service (maybe another process) may have moved it moments
    // ago, so the decision is taken on the stored status, not on this process's copy.
    if (unit.status !== "acquired" && unit.status !== "aborted") {
      unit = await this.#o.directory.fresh(device.mac);
      if (unit === null || unit.tenantId !== device.tenantId) return;
    }
    if (unit.status === "pending" || unit.status === "custom-pending") {
      await this.#setStatus(device.mac, "acquired", ["pending", "custom-pending"], now);
    } else if (unit.status === "open") {
      await this.#setStatus(device.mac, "aborted", ["open"], now);
    }
  }

  #setStatus(
    mac: MacAddress,
    status: CustomizationStatus,
    from: readonly CustomizationStatus[],
    now: number,
  ): Promise<void> {
    if (this.#writing.has(mac)) return Promise.resolve();
    this.#writing.add(mac);
    this.#o.directory.noteStatus(mac, status, now);
    return this.#o.store.redirects
      .setStatus(mac, status, from, { actor: "system:redirect" })
      .then(
        () => undefined,
        (error: unknown) => {
          this.#o.logger.warn({ err: error, mac, status }, "redirect status not updated");
        },
      )
      .finally(() => this.#writing.delete(mac));
  }
}
