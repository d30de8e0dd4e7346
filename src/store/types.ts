/**
 * Domain records as the store hands them out. Every record is a plain, frozen-by-convention
 * object; mutations go through the repositories in `store.ts`.
 *
 * Conventions:
 * - Times are `Date`s (stored as epoch milliseconds).
 * - `version` is the global configuration revision at which the record last changed
 *   (see {@link ChangeNotice}); caches compare versions to know whether to re-render.
 * - Secrets (per-device keys, SIP passwords) are {@link Secret}s: sealed at rest, redacted when
 *   serialised, revealed on demand.
 */
import type { MacAddress } from "../mac_address.ts";
import type { Secret } from "./secret.ts";

export type { MacAddress } from "../mac_address.ts";
export type { Secret, SecretSealer } from "./secret.ts";

/** Id of the tenant created by the initial migration (slug `default`). */
export const DEFAULT_TENANT_ID = "default";

// ---------------------------------------------------------------------------------------------
// Tenants

/** How profiles of a tenant are encoded by default (a device may override). */
export type EncryptionMode = "none" | "gzip" | "aes";
export const ENCRYPTION_MODES: readonly EncryptionMode[] = ["none", "gzip", "aes"];

export interface TenantSettings {
  /**
   * Profile path patterns the devices of this tenant request, with Cisco macros
   * (`$MA` = MAC, `$PN` = product name, `$SN` = serial …), e.g. `/profile/$MA.xml`.
   */
  readonly profilePaths: readonly string[];
  /** HTTPS requests must present a client certificate. */
  readonly requireClientCert: boolean;
  /** Unknown MACs that request a profile are created (state `factory`). */
  readonly autoCreate: boolean;
  /** PEM-encoded CA certificates trusted for client certificates, besides the built-in ones. */
  readonly trustedClientCas: readonly string[];
  /** Default profile encoding. */
  readonly encryption: EncryptionMode;
  /**
   * Layer parameters the catalogue does not know are accepted with a warning instead of
   * refused (firmware newer than the catalogue).
   */
  readonly allowUnknownParameters: boolean;
  /**
   * Retail activation may bind a device that presents no device certificate by the MAC its
   * User-Agent names (which anyone can write): for units without certificates, off by default.
   */
  readonly activationByUserAgent: boolean;
  /**
   * The tenant answers the built-in models' factory paths (`/spa112.cfg`, …) with its staging
   * profile (the default tenant does on a fresh install).
   */
  readonly staging: boolean;
  /**
   * Secure provisioning (SEC-PRV): `on` — a unit's own profile path answers once with a
   * bootstrap installing a per-device key and random directory (over HTTPS with its device
   * certificate, or targeted to it), after which its profile is served only there, encrypted;
   * `lan-bootstrap` — the same, but the bootstrap may go out in clear (trust on first use: for
   * a trusted LAN only); `off`.
   */
  readonly secureProvisioning: SecureProvisioningMode;
  /** Rotate each unit's key and directory after this many days (0: only on demand). */
  readonly keyRotationDays: number;
  /**
   * Product names (MPP models) whose profiles are served with RFC 8188
   * `Content-Encoding: aes128gcm`, keyed by the phone's `IKM_HTTP_Encrypt_Content`.
   */
  readonly aes128gcmModels: readonly string[];
  /**
   * The customer's activation page, once a code of this tenant is entered: an accent colour
   * (`#rrggbb`) and a short text shown as the logo (plain text, never markup); null: none.
   */
  readonly brandAccent: string | null;
  readonly brandLogoText: string | null;
}

export const SECURE_PROVISIONING_MODES = ["off", "on", "lan-bootstrap"] as const;
export type SecureProvisioningMode = (typeof SECURE_PROVISIONING_MODES)[number];
/** Longest scheduled rotation period, in days. */
export const MAX_KEY_ROTATION_DAYS = 3650;

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  profilePaths: [],
  requireClientCert: false,
  autoCreate: false,
  trustedClientCas: [],
  encryption: "none",
  allowUnknownParameters: false,
  activationByUserAgent: false,
  staging: false,
  secureProvisioning: "off",
  keyRotationDays: 0,
  aes128gcmModels: [],
  brandAccent: null,
  brandLogoText: null,
};

/** A service provider. */
export interface Tenant {
  readonly id: string;
  /** Unique, `[a-z0-9][a-z0-9-]*`, at most 63 characters. */
  readonly slug: string;
  readonly name: string;
  readonly settings: TenantSettings;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Device models

/** A product, e.g. `{ pn: "SPA112", psn: "112", family: "spa1xx" }`. Global (not per tenant). */
export interface DeviceModel {
  /** Product name, as the device reports it in `$PN` (primary key). */
  readonly pn: string;
  /** Product series number (`$PSN`). */
  readonly psn: string | null;
  /** Family, e.g. `spa`, `mpp`, `ata19x`: selects family defaults in the catalogue. */
  readonly family: string;
  readonly description: string | null;
  /** Number of lines (FXS ports / line keys). */
  readonly lines: number;
  /** FXS ports (ATAs; 0 on phones and on models the catalogue does not know). */
  readonly fxsPorts: number;
  /** Programmable line keys (phones; 0 on ATAs and on models the catalogue does not know). */
  readonly lineKeys: number;
  /** The `Profile_Rule` a factory unit ships with (`/spa2102.cfg`); null when unknown. */
  readonly factoryProfileRule: string | null;
  /**
   * Shipped with the catalogue: listed on a fresh install without a row. A stored row for
   * the same product name overrides it (version > 0); deleting that row restores it.
   */
  readonly builtIn: boolean;
  /** 0 while a built-in model has no stored row. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Devices

/**
 * Where a device is in its provisioning life. Open: later features add states (the
 * `string & {}` keeps it open while listing the known ones). Stored as text; must match
 * `[a-z][a-z0-9-]*` (at most 32 characters).
 */
export type ProvisioningState =
  | "factory"
  | "staged"
  | "activation-pending"
  | "provisioned"
  | "disabled"
  | (string & {});

export const PROVISIONING_STATES = [
  "factory",
  "staged",
  "activation-pending",
  "provisioned",
  "disabled",
] as const;

/**
 * The device's provisioning state as the server can tell it from what it served and what the
 * device fetched next: factory defaults (`mfg-reset`), pointed at its own profile on this
 * provider's server (`sp-cust`), given a targeted profile installing a key (`sec-prv-1`),
 * resyncing with that key (`sec-prv-2`).
 */
export type LifecycleState = "mfg-reset" | "sp-cust" | "sec-prv-1" | "sec-prv-2";
export const LIFECYCLE_STATES: readonly LifecycleState[] = [
  "mfg-reset",
  "sp-cust",
  "sec-prv-1",
  "sec-prv-2",
];

/** A device's lifecycle state, since when, and what showed it. Written in batches. */
export interface DeviceLifecycle {
  readonly state: LifecycleState;
  readonly since: Date;
  /** What the server saw (`fetched its own profile /profile/….xml`). */
  readonly cause: string | null;
}

export interface DeviceLifecycleUpdate extends DeviceLifecycle {
  readonly mac: MacAddress;
}

/** The last resync as the server saw it. Written in batches; does not bump the revision. */
export interface DeviceStatus {
  readonly at: Date;
  readonly remoteAddress: string | null;
  readonly userAgent: string | null;
  readonly firmware: string | null;
  /** e.g. `ok`, `not-modified`, `denied`, `error` (the server's vocabulary). */
  readonly result: string;
  readonly transport: string | null;
}

export interface Device {
  readonly mac: MacAddress;
  readonly tenantId: string;
  /** Product name (`DeviceModel.pn`), or null while unknown. */
  readonly modelPn: string | null;
  readonly serial: string | null;
  readonly accountId: string | null;
  readonly groupId: string | null;
  readonly label: string | null;
  /** Subject DN of the client certificate the device presents. */
  readonly certSubject: string | null;
  /** SHA-256 fingerprint (lower-case hex) of the device's client certificate. */
  readonly certFingerprint: string | null;
  readonly state: ProvisioningState;
  /** The per-device profile key (sealed at rest). */
  readonly deviceKey: Secret | null;
  /** Overrides the tenant's encoding; null = tenant default. */
  readonly encryption: EncryptionMode | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Last resync, or null if never seen. */
  readonly status: DeviceStatus | null;
  /** Lifecycle state as last recorded, or null when the server never saw the device. */
  readonly lifecycle: DeviceLifecycle | null;
}

// ---------------------------------------------------------------------------------------------
// Accounts and groups

export interface AccountLine {
  /** 1-based line (port) number. */
  readonly line: number;
  readonly userId: string;
  readonly authId: string | null;
  readonly password: Secret | null;
  readonly displayName: string | null;
  readonly proxy: string | null;
  readonly outboundProxy: string | null;
  /** The line's voicemail mailbox id. */
  readonly voicemailId: string | null;
  /**
   * Further per-line parameters by base name (`Register_Expires` → `Register_Expires_N_`),
   * checked against the device model's catalogue when the profile is rendered. Not secret.
   */
  readonly extras: Readonly<Record<string, string>>;
}

/** A customer's service account; its lines feed value templates (`{{ account.line1.user_id }}`). */
export interface Account {
  readonly id: string;
  readonly tenantId: string;
  /** The provider's own reference (customer number), unique within the tenant. */
  readonly reference: string;
  readonly name: string | null;
  readonly lines: readonly AccountLine[];
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface Group {
  readonly id: string;
  readonly tenantId: string;
  /** Unique within the tenant. */
  readonly name: string;
  readonly description: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Configuration layers

/**
 * Merge order, weakest first: tenant < model < group < account < device. `staging` is apart:
 * the tenant's staging profile (what factory units get), never merged into a device's profile.
 */
export type LayerScope = "tenant" | "model" | "group" | "account" | "device" | "staging";
export const LAYER_SCOPES: readonly LayerScope[] = [
  "tenant",
  "model",
  "group",
  "account",
  "device",
  "staging",
];

/** What a layer is attached to. */
export type LayerTarget =
  | { readonly scope: "tenant"; readonly tenantId: string }
  | { readonly scope: "model"; readonly tenantId: string; readonly pn: string }
  | { readonly scope: "group"; readonly groupId: string }
  | { readonly scope: "account"; readonly accountId: string }
  | { readonly scope: "device"; readonly mac: MacAddress }
  | { readonly scope: "staging"; readonly tenantId: string };

/** Cisco `ua` access tag. */
export type ParameterAccess = "na" | "ro" | "rw";

export interface LayerParameter {
  readonly name: string;
  /** The value (may hold a value template); null = the layer sets only the access tag. */
  readonly value: string | null;
  /** null = the layer does not set the access tag. */
  readonly access: ParameterAccess | null;
}

export interface Layer {
  readonly target: LayerTarget;
  /** Ordered; names unique within a layer. */
  readonly parameters: readonly LayerParameter[];
  readonly version: number;
  readonly updatedAt: Date;
}

// ---------------------------------------------------------------------------------------------
// Resync events

export interface ResyncEvent {
  readonly id: number;
  /** null when the request could not be tied to a device. */
  readonly mac: MacAddress | null;
  readonly tenantId: string | null;
  readonly at: Date;
  /** `tftp`, `http`, `https`. */
  readonly transport: string;
  /** e.g. `ok`, `not-found`, `denied`, `error`. */
  readonly result: string;
  /** HTTP status or TFTP error code. */
  readonly statusCode: number | null;
  readonly path: string | null;
  readonly bytes: number | null;
  readonly durationMs: number | null;
  readonly remoteAddress: string | null;
  readonly userAgent: string | null;
  readonly message: string | null;
}

export type ResyncEventInput = Omit<ResyncEvent, "id">;

// ---------------------------------------------------------------------------------------------
// API tokens and audit

export type ApiRole = "admin" | "operator" | "read-only";
export const API_ROLES: readonly ApiRole[] = ["admin", "operator", "read-only"];

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: ApiRole;
  /** null = every tenant (installation-wide). */
  readonly tenantId: string | null;
  /** SHA-256 (lower-case hex) of the bearer token; the token itself is never stored. */
  readonly hash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  /** Who: `token:<id>`, `cli:<user>`, `system`. */
  readonly actor: string;
  /** e.g. `device.update`, `layer.set`. */
  readonly action: string;
  /** The entity kind (`device`, `tenant`, …). */
  readonly entity: string;
  /** The entity's key (MAC, id, layer key). */
  readonly key: string | null;
  readonly tenantId: string | null;
  /** JSON snapshots with secrets redacted. */
  readonly before: unknown;
  readonly after: unknown;
}

// ---------------------------------------------------------------------------------------------
// Change feed

/** What kind of configuration changed. `all` = the listener fell behind: drop every cache. */
export type ChangeEntity =
  | "tenant"
  | "model"
  | "device"
  | "account"
  | "group"
  | "layer"
  | "token"
  | "redirect"
  | "activation"
  /** Firmware images, upgrade policies, rollouts (their state, not their members' outcomes). */
  | "firmware"
  | "all";

/**
 * One committed configuration change. `revision` is the global configuration revision the
 * change produced (strictly increasing, gap-free, in commit order across every process sharing
 * the database). `keys` are the changed records' keys (tenant/account/group/token id, model pn,
 * device MAC, layer key — see `layerKey`), or null when too many to list (drop the entity's
 * caches).
 */
export interface ChangeNotice {
  readonly revision: number;
  readonly entity: ChangeEntity;
  readonly keys: readonly string[] | null;
  readonly at: Date;
}
