/**
 * The staging profiles: what a factory unit gets when it asks for its factory file.
 *
 * - The *generic* file (`/spa112.cfg` over TFTP, where nothing names the unit) only sends it
 *   on to its per-MAC staging path: `Profile_Rule` `/staging/$MA.cfg` (the device expands
 *   `$MA`), and short resync timers so it goes there soon.
 * - The *per-device* staging profile sets the unit's own `Profile_Rule` (its profile on this
 *   server: the tenant's first per-MAC profile path, over HTTPS when the tenant requires
 *   client certificates, HTTP otherwise, TFTP from the DHCP-named server when no public URL
 *   is configured), short resync timers, and the tenant's admin password and restricted
 *   domains; the tenant's staging layer (`provisio layer set --staging`) comes last and wins.
 *
 * Pure: the caller fetches the layers and renders value templates (`staging_flow.ts`).
 */
import { type Catalogue, type ConfigLayer, mergeLayers } from "../profile/index.ts";
import type { Layer, LayerParameter, Tenant } from "../store/index.ts";
import type { EffectiveParameter } from "./profile_renderer.ts";

/** The per-MAC staging path a generic factory file sends units to (`$MA`: its MAC). */
export const STAGING_PATH_PREFIX = "/staging/";
export const STAGING_PATH_SUFFIX = ".cfg";
export const STAGING_RULE_PATH = `${STAGING_PATH_PREFIX}$MA${STAGING_PATH_SUFFIX}`;

/** Seconds: a staged unit moves on to its next step soon (its full profile sets its own). */
export const STAGING_RESYNC_SECONDS = "30";

/** Where devices reach this server from outside (`public.http_url`, `public.https_url`). */
export interface PublicUrls {
  readonly http: string | undefined;
  readonly https: string | undefined;
}

/** Parameters of the tenant layer a staged unit gets too (it is the same provider's unit). */
const CARRIED_FROM_TENANT = new Set(["Admin_Passwd", "Restricted_Access_Domains"]);

function entries(parameters: readonly LayerParameter[]) {
  return parameters.map((p) => ({
    name: p.name,
    value: p.value ?? undefined,
    access: p.access ?? undefined,
  }));
}

/** The tenant's profile path a staged unit is sent to: the first one naming the MAC. */
export function deviceProfilePath(tenant: Tenant): string | undefined {
  const paths = tenant.settings.profilePaths;
  return paths.find((p) => /\$MA(?![A-Z])|\$MAU|\$\(MA\)|\$\(MAU\)/.test(p)) ?? paths[0];
}

/**
 * The `Profile_Rule` that points a staged unit at its own profile on this server; undefined
 * when the tenant has no profile path.
 */
export function deviceProfileRule(tenant: Tenant, urls: PublicUrls): string | undefined {
  const path = deviceProfilePath(tenant);
  if (path === undefined) return undefined;
  const base = tenant.settings.requireClientCert ? urls.https : (urls.http ?? urls.https);
  // No public URL: the TFTP server DHCP names (the staging LAN's, i.e. this one).
  return base === undefined ? path : `${base}${path}`;
}

/** The rule of the generic factory file: on to the per-MAC staging path, same transport. */
export function genericStagingRule(transport: string, urls: PublicUrls): string {
  const base = transport === "https" ? urls.https : transport === "http" ? urls.http : undefined;
  return base === undefined ? STAGING_RULE_PATH : `${base}${STAGING_RULE_PATH}`;
}

/** The generic factory file's parameters (no secrets: it goes to whoever asks). */
export function genericStagingParameters(rule: string): EffectiveParameter[] {
  return [
    fixed("Profile_Rule", rule),
    fixed("Resync_Periodic", STAGING_RESYNC_SECONDS),
    fixed("Resync_Error_Retry_Delay", STAGING_RESYNC_SECONDS),
  ];
}

function fixed(name: string, value: string): EffectiveParameter {
  return { name, value, access: "na", valueFrom: "staging", accessFrom: "staging" };
}

export interface DeviceStagingInput {
  readonly tenant: Tenant;
  /** The per-device rule (`deviceProfileRule`). */
  readonly rule: string;
  readonly tenantLayer: Layer | null;
  readonly stagingLayer: Layer | null;
  readonly catalogue: Catalogue;
}

/**
 * The per-device staging profile, merged weakest first: built-in staging values < the tenant
 * layer's admin password and restricted domains < the server's `Profile_Rule` < the tenant's
 * staging layer. Values are as stored (templates not rendered yet).
 */
export function deviceStagingParameters(input: DeviceStagingInput): EffectiveParameter[] {
  const layers: ConfigLayer[] = [
    {
      id: "staging:built-in",
      entries: [
        { name: "Provision_Enable", value: "Yes", access: "na" },
        { name: "Resync_On_Reset", value: "Yes", access: "na" },
        { name: "Resync_Periodic", value: STAGING_RESYNC_SECONDS, access: "na" },
        { name: "Resync_Error_Retry_Delay", value: STAGING_RESYNC_SECONDS, access: "na" },
      ],
    },
    {
      id: `tenant:${input.tenant.id}`,
      entries: entries(
        (input.tenantLayer?.parameters ?? []).filter((p) => CARRIED_FROM_TENANT.has(p.name)),
      ),
    },
    {
      id: "staging:profile-rule",
      entries: [{ name: "Profile_Rule", value: input.rule, access: "na" }],
    },
    { id: `staging:${input.tenant.id}`, entries: entries(input.stagingLayer?.parameters ?? []) },
  ];
  const merged = mergeLayers(layers, { catalogue: input.catalogue });
  return merged.parameters.map((p) => {
    const factory = p.access === undefined ? input.catalogue.factoryAccess(p.name) : undefined;
    return {
      name: p.name,
      value: p.value,
      access: p.access ?? factory ?? "na",
      valueFrom: p.valueFrom,
      accessFrom: p.accessFrom ?? (factory === undefined ? "default" : "catalogue"),
    };
  });
}
