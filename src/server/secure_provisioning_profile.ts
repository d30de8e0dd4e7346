/**
 * What secure provisioning (SEC-PRV) puts into a device's profile, and where its secure
 * location is. Pure: the flow (`secure_provisioning_flow.ts`) fetches and writes.
 *
 * - The key lives in the secret GPP `GPP_SA` (never shown on the unit's web page, never in its
 *   reports, expanded only as a `--key` argument), the random directory in `GPP_B`; both
 *   `ua="na"`. Secure provisioning owns these two parameters on a tenant that uses it.
 * - `Profile_Rule` becomes `[--key $SA] <base>/secure/$B/$MA.cfg`: the unit expands `$SA` only
 *   as the key and `$B` into the path, so the rule itself holds no secret and never changes on
 *   a rotation — a rotation changes only the two GPPs.
 * - `<base>` is where the unit reached this server: the configured public URL for the scheme,
 *   else the host it asked; over TFTP a path alone (the TFTP server DHCP names, the one the
 *   unit just used).
 */
import type { Tenant } from "../store/index.ts";
import type { FlowRequest } from "./flow_hook.ts";
import type { EffectiveParameter } from "./profile_renderer.ts";

/** The secure location: `/secure/<directory>/<mac>.cfg`. */
export const SECURE_PATH_PREFIX = "/secure/";
export const SECURE_FILE_SUFFIX = ".cfg";
/** The GPP holding the key (`$SA`) and the one holding the directory (`$B`). */
export const SECURE_KEY_PARAMETER = "GPP_SA";
export const SECURE_DIRECTORY_PARAMETER = "GPP_B";
/** Parameters a secure profile sets, whatever the layers say. */
export const SECURE_PARAMETERS: ReadonlySet<string> = new Set([
  SECURE_KEY_PARAMETER,
  SECURE_DIRECTORY_PARAMETER,
  "Profile_Rule",
]);

const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

export interface PublicBase {
  readonly http: string | undefined;
  readonly https: string | undefined;
}

/**
 * The base URL of the secure location for a request on this transport: `""` over TFTP (a
 * path, resolved against the unit's TFTP server), undefined when an HTTP(S) request names no
 * usable host and no public URL is configured.
 */
export function secureBase(
  request: Pick<FlowRequest["request"], "transport" | "host">,
  urls: PublicBase,
): string | undefined {
  if (request.transport === "tftp") return "";
  const https = request.transport === "https";
  const configured = https ? urls.https : urls.http;
  if (configured !== undefined) return configured.replace(/\/+$/, "");
  const host = request.host;
  if (host === undefined || !HOST.test(host)) return undefined;
  return `${https ? "https" : "http"}://${host}`;
}

/** The rule that sends a unit to its secure location with its key. */
export function secureProfileRule(base: string): string {
  return `[--key $SA] ${base}${SECURE_PATH_PREFIX}$B/$MA${SECURE_FILE_SUFFIX}`;
}

/** The parts of a secure path, or undefined when the path is not one. */
export function parseSecurePath(
  path: string,
): { readonly directory: string; readonly file: string } | undefined {
  if (!path.startsWith(SECURE_PATH_PREFIX)) return undefined;
  const rest = path.slice(SECURE_PATH_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0 || slash !== rest.lastIndexOf("/")) return undefined;
  const directory = rest.slice(0, slash);
  const file = rest.slice(slash + 1);
  if (directory.length > 64 || file.length === 0 || file.length > 64) return undefined;
  return { directory, file };
}

/** The file name a device's secure location ends in (`000e08abcdef.cfg`). */
export function secureFileName(mac: string): string {
  return `${mac}${SECURE_FILE_SUFFIX}`;
}

function fixed(name: string, value: string): EffectiveParameter {
  return {
    name,
    value,
    access: "na",
    valueFrom: "secure-provisioning",
    accessFrom: "secure-provisioning",
  };
}

/** The three parameters that install a pair and point the rule at it. */
export function securePairParameters(
  key: string,
  directory: string,
  rule: string,
): EffectiveParameter[] {
  return [
    fixed(SECURE_KEY_PARAMETER, key),
    fixed(SECURE_DIRECTORY_PARAMETER, directory),
    fixed("Profile_Rule", rule),
  ];
}

/**
 * The device's profile with a pair installed: its own parameters, less what secure
 * provisioning owns, then the pair and the rule (the order of the rest is kept).
 */
export function withSecurePair(
  parameters: readonly EffectiveParameter[],
  key: string,
  directory: string,
  rule: string,
): EffectiveParameter[] {
  return [
    ...parameters.filter((p) => !SECURE_PARAMETERS.has(p.name)),
    ...securePairParameters(key, directory, rule),
  ];
}

/** True when the tenant sends its units through secure provisioning. */
export function securesProvisioning(tenant: Tenant): boolean {
  return tenant.settings.secureProvisioning !== "off";
}

/** True when a scheduled rotation of a pair created at `createdAt` is due at `now`. */
export function rotationDue(tenant: Tenant, createdAt: Date, now: number): boolean {
  const days = tenant.settings.keyRotationDays;
  return days > 0 && now - createdAt.getTime() >= days * 86_400_000;
}
