/**
 * One firmware upgrade attempt (§7.4): resolve, check the restricted domains, log the
 * request, download, validate the image (model, `Downgrade_Rev_Limit`, Sipura loop
 * protection) — or, on MPP, activate the requested load without download when the
 * inactive partition already holds it. Flashing and the reboot into the new image are
 * the device's business.
 */
import type { DeviceFamily } from "../profile/index.ts";
import {
  compareVersions,
  type LastRequest,
  requestTarget,
  tryParseVersion,
  type UpgradeAction,
} from "../rules/index.ts";
import type { DhcpOptions } from "./dhcp_options.ts";
import { defaultServer } from "./dhcp_options.ts";
import { ERR } from "./fetch_result.ts";
import { decodeFirmwareImage, type FirmwareImage, imageFits } from "./firmware_image.ts";
import type { ClientCertificate } from "./identity.ts";
import type { ParameterStore } from "./parameter_store.ts";
import { addressesOf, type ProfileFetcher, type ServerNameCheck } from "./profile_fetcher.ts";
import { hostAllowed } from "./restricted_domains.ts";

/** `$ERR` texts of upgrade failures that §6.6 does not list (emulator choices). */
export const UPGRADE_ERR = {
  downgradeLimit: "downgrade limit",
  wrongModel: "wrong model",
  loop: "upgrade loop",
  unsupported: "unsupported upgrade url",
} as const;

export interface UpgradeContext {
  readonly params: ParameterStore;
  readonly fetcher: ProfileFetcher;
  readonly dhcp: DhcpOptions | undefined;
  readonly family: DeviceFamily;
  readonly productName: string;
  readonly productSeries: string;
  readonly userAgent: string;
  readonly clientCertificate: ClientCertificate | undefined;
  readonly trustedCas: readonly string[];
  readonly nameCheck: ServerNameCheck;
  setLastRequest(request: LastRequest): void;
  syslog(which: "request" | "failure"): void;
  note(message: string, kind?: "note" | "error"): void;
  /** Sipura loop protection: would the rule, with `$SWVER` = `version`, select this URL again? */
  selectsAgain(version: string): boolean;
  /** Server address this exact rule and URL last installed from, if any (once-only, §7.3). */
  installedFrom: string | undefined;
  /** MPP: the version of the load in the inactive partition, if it holds one. */
  inactiveLoad?: string | undefined;
}

export type UpgradeOutcome =
  | { readonly kind: "installed"; readonly image: FirmwareImage; readonly serverIp: string }
  /** MPP: the requested load was in the inactive partition; switched to it, nothing downloaded. */
  | { readonly kind: "activated"; readonly version: string; readonly serverIp: string }
  | { readonly kind: "failed"; readonly err: string }
  /** Already installed from this URL and address (§7.3): nothing requested. */
  | { readonly kind: "skipped" };

export async function attemptUpgrade(
  ctx: UpgradeContext,
  action: UpgradeAction,
): Promise<UpgradeOutcome> {
  const { url } = action;
  let host: string;
  let port = url.port;
  if (url.server.kind === "host") host = url.server.host;
  else {
    const d = defaultServer(ctx.dhcp, ctx.params.get("DHCP_Option_To_Use") ?? "66");
    host = d?.host ?? "";
    port = d?.port ?? port;
  }
  const path = requestTarget(url);
  let serverIp = "";
  const last = (error: string): LastRequest => ({
    scheme: url.scheme,
    server: host,
    serverIp,
    port,
    path,
    error,
  });
  const fail = (err: string, detail: string): UpgradeOutcome => {
    ctx.setLastRequest(last(err));
    ctx.note(`Upgrade_Rule: ${detail}`, "error");
    ctx.syslog("failure");
    return { kind: "failed", err };
  };
  if (host === "") return fail(ERR.noServer, "the URL names no server and DHCP gave none");
  if (!hostAllowed(host, ctx.params.get("Restricted_Access_Domains") ?? "")) {
    return fail(ERR.restricted, `${host} is outside Restricted_Access_Domains`);
  }
  const addresses = await addressesOf(ctx.fetcher, host);
  serverIp = addresses[0] ?? "";
  if (ctx.installedFrom !== undefined && ctx.installedFrom === serverIp) return { kind: "skipped" };
  ctx.setLastRequest(last(""));
  ctx.syslog("request");
  if (
    ctx.family === "mpp" &&
    ctx.inactiveLoad !== undefined &&
    requestedLoad(url.path) === ctx.inactiveLoad
  ) {
    const refused = belowDowngradeLimit(ctx, ctx.inactiveLoad);
    if (refused !== undefined) return fail(UPGRADE_ERR.downgradeLimit, refused);
    ctx.note(`load ${ctx.inactiveLoad} is in the inactive partition: activated without download`);
    return { kind: "activated", version: ctx.inactiveLoad, serverIp };
  }
  if (addresses.length === 0) return fail(ERR.dns, `cannot resolve ${host}`);
  const fetched = await ctx.fetcher.fetch({
    scheme: url.scheme,
    host,
    addresses,
    port,
    target: path,
    method: "GET",
    userAgent: ctx.userAgent,
    ...(ctx.clientCertificate === undefined ? {} : { clientCertificate: ctx.clientCertificate }),
    trustedCas: ctx.trustedCas,
    nameCheck: ctx.nameCheck,
  });
  serverIp = fetched.serverIp || serverIp;
  if (fetched.kind !== "ok") return fail(fetched.err, fetched.detail);
  const decoded = decodeFirmwareImage(fetched.body);
  if (!decoded.ok) return fail(ERR.corrupt, decoded.detail);
  const { image } = decoded;
  if (!imageFits(image, ctx.productName, ctx.productSeries)) {
    return fail(UPGRADE_ERR.wrongModel, `image ${image.version} is for ${image.models.join(", ")}`);
  }
  const refused = belowDowngradeLimit(ctx, image.version);
  if (refused !== undefined) return fail(UPGRADE_ERR.downgradeLimit, refused);
  if (
    ctx.family === "sipura" &&
    action.condition !== undefined &&
    ctx.selectsAgain(image.version)
  ) {
    return fail(
      UPGRADE_ERR.loop,
      `image ${image.version} still satisfies the condition that chose it`,
    );
  }
  return { kind: "installed", image, serverIp };
}

/**
 * `Downgrade_Rev_Limit` (§7.1, §7.3): why `version` is refused, or undefined. Empty is no
 * limit. A limit that does not parse as a version, or not in the image version's format,
 * makes the "older than" comparison a type error, which evaluates to false as every
 * comparison does (§4.3): the limit refuses nothing, and the unit logs an error.
 */
function belowDowngradeLimit(ctx: UpgradeContext, version: string): string | undefined {
  const limit = (ctx.params.get("Downgrade_Rev_Limit") ?? "").trim();
  if (limit === "") return undefined;
  const l = tryParseVersion(limit);
  const v = tryParseVersion(version);
  if (l === undefined || v === undefined || l.format !== v.format) {
    ctx.note(
      `Downgrade_Rev_Limit ${JSON.stringify(limit)} cannot be compared with ${version}: no limit applied`,
      "error",
    );
    return undefined;
  }
  return compareVersions(v, l) < 0
    ? `image ${version} is older than Downgrade_Rev_Limit ${limit}`
    : undefined;
}

/**
 * The MPP load a firmware path names: its file name without the `.loads` suffix
 * (`/sw/sip88xx.11-3-1MPP-678.loads` → `sip88xx.11-3-1MPP-678`, the `$SWVER` it installs).
 * A path to any other kind of file names no load.
 */
export function requestedLoad(path: string): string | undefined {
  const file = path.slice(path.lastIndexOf("/") + 1);
  return file.endsWith(".loads") && file.length > ".loads".length
    ? file.slice(0, -".loads".length)
    : undefined;
}
