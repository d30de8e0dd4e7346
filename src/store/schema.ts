/**
 * The one schema, as Kysely sees it. Both dialects create exactly these tables (see
 * `migrations/`); column types are chosen to mean the same on SQLite and PostgreSQL:
 * text, integers (times are epoch milliseconds in `bigint`), JSON as `text` parsed by the
 * repositories (so the two dialects behave identically and rows parse through one function).
 */
import type { Generated } from "kysely";

/** Single row (`id` = 1): the global configuration revision. */
export interface RevisionTable {
  id: number;
  value: number;
}

/** One row per (revision, entity): what changed (read by every process's change feed). */
export interface ChangeLogTable {
  revision: number;
  entity: string;
  /** JSON array of keys, or null = too many to list. */
  keys: string | null;
  at: number;
}

export interface TenantTable {
  id: string;
  slug: string;
  name: string;
  /** JSON `TenantSettings`. */
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface DeviceModelTable {
  pn: string;
  psn: string | null;
  family: string;
  description: string | null;
  lines: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface GroupTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface AccountTable {
  id: string;
  tenant_id: string;
  reference: string;
  name: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface AccountLineTable {
  account_id: string;
  line: number;
  user_id: string;
  auth_id: string | null;
  /** Sealed. */
  password: string | null;
  display_name: string | null;
  proxy: string | null;
  outbound_proxy: string | null;
  voicemail_id: string | null;
  /** JSON object base name → value, or null for none. */
  extras: string | null;
}

export interface DeviceTable {
  /** Canonical MAC. */
  mac: string;
  tenant_id: string;
  model_pn: string | null;
  serial: string | null;
  account_id: string | null;
  group_id: string | null;
  label: string | null;
  cert_subject: string | null;
  cert_fingerprint: string | null;
  state: string;
  /** Sealed. */
  device_key: string | null;
  encryption: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface DeviceStatusTable {
  mac: string;
  at: number;
  remote_address: string | null;
  user_agent: string | null;
  firmware: string | null;
  result: string;
  transport: string | null;
}

/** Where a device is in its provisioning life, as the server last saw it (status, batched). */
export interface DeviceLifecycleTable {
  mac: string;
  /** `mfg-reset`, `sp-cust`, `sec-prv-1`, `sec-prv-2`. */
  state: string;
  since: number;
  cause: string | null;
}

export interface LayerTable {
  /** `tenant:<id>`, `model:<tenant id>/<pn>`, `group:<id>`, `account:<id>`, `device:<mac>`. */
  key: string;
  scope: string;
  /** Set for tenant and model layers (deleted with the tenant). */
  tenant_id: string | null;
  /** JSON `LayerParameter[]`. */
  parameters: string;
  version: number;
  updated_at: number;
}

export interface EventTable {
  id: Generated<number>;
  mac: string | null;
  tenant_id: string | null;
  at: number;
  transport: string;
  result: string;
  status_code: number | null;
  path: string | null;
  bytes: number | null;
  duration_ms: number | null;
  remote_address: string | null;
  user_agent: string | null;
  message: string | null;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  role: string;
  tenant_id: string | null;
  hash: string;
  created_at: number;
  expires_at: number | null;
}

/** Admin users (migration 0013); `password_hash` is a scrypt string (`passwords.ts`). */
export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  tenant_id: string | null;
  /** 0 or 1. */
  disabled: number;
  created_at: number;
  last_login_at: number | null;
}

/** Browser sessions (migration 0013): the SHA-256 of the session id; a user's or a token's. */
export interface SessionTable {
  id_hash: string;
  user_id: string | null;
  token_id: string | null;
  created_at: number;
  last_seen_at: number;
  idle_ms: number;
  idle_expires_at: number;
  expires_at: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  entity: string;
  key: string | null;
  tenant_id: string | null;
  /** JSON, secrets redacted. */
  before: string | null;
  after: string | null;
}

/** Facts about the installation, one row per name (`master_key_id`, `master_key_next`). */
export interface InstallationTable {
  name: string;
  value: string;
}

/** A provider's redirect profile (the redirect service). */
export interface RedirectProfileTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON array of host names (at most five). */
  restricted_domains: string;
  primary_dns: string | null;
  secondary_dns: string | null;
  provision_enable: string;
  resync_periodic: string | null;
  resync_error_retry_delay: string | null;
  profile_rule: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** A MAC a provider registered with the redirect service; one owner per MAC. */
export interface RedirectUnitTable {
  mac: string;
  tenant_id: string;
  profile_id: string;
  /** Customization status (`open`, `pending`, `acquired`, …). */
  status: string;
  status_at: number;
  version: number;
  created_at: number;
  updated_at: number;
}

/** A MAC range the installation granted a provider on the redirect service. */
export interface RedirectGrantTable {
  id: string;
  tenant_id: string;
  /** First and last MAC of the range, canonical (12 lower-case hex digits: they sort as numbers). */
  first_mac: string;
  last_mac: string;
  note: string | null;
  created_at: number;
}

/** A retail activation code: only its keyed hash is stored. */
export interface ActivationCodeTable {
  id: string;
  tenant_id: string;
  account_id: string;
  /** HMAC-SHA-256 (hex) of the code under the installation's `activation_salt`. */
  code_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  bound_mac: string | null;
  created_by: string;
}

/** Secure provisioning: a device's key and random directory, and the pair it rotates to. */
export interface DeviceKeyTable {
  mac: string;
  /** `bootstrap` (pair delivered, not fetched with yet) or `active`. */
  status: string;
  /** How the first pair was delivered: `https`, `targeted`, `lan`. */
  via: string;
  key_sealed: string;
  directory: string;
  generation: number;
  key_created_at: number;
  next_key_sealed: string | null;
  next_directory: string | null;
  next_generation: number | null;
  next_created_at: number | null;
  next_delivered_at: number | null;
  rotations: number;
  created_at: number;
  confirmed_at: number | null;
  rotated_at: number | null;
}

/** A firmware image in the registry (its bytes are a file in the files directory). */
export interface FirmwareImageTable {
  id: string;
  tenant_id: string;
  version: string;
  /** JSON array of product names, series or `*`. */
  models: string;
  file_name: string;
  sha256: string;
  bytes: number;
  created_at: number;
  created_by: string;
}

/** An upgrade policy: target and required intermediate versions for a tenant, model or group. */
export interface UpgradePolicyTable {
  id: string;
  tenant_id: string;
  name: string;
  model_pn: string | null;
  group_id: string | null;
  target_version: string;
  /** JSON array of versions. */
  intermediates: string;
  downgrade_rev_limit: string | null;
  scheme: string;
  /** `scheme://host[:port]` the upgrade URL uses; null: the node's public URL or the request's host. */
  base_url: string | null;
  /** 1: nothing is offered until a rollout admits the unit. */
  staged: number;
  created_at: number;
  updated_at: number;
}

/** A staged rollout of a policy. */
export interface RolloutTable {
  id: string;
  tenant_id: string;
  policy_id: string;
  /** JSON array of cumulative percentages, e.g. [5, 25, 100]. */
  waves: string;
  /** Percent of a wave's units that may fail before the rollout halts. */
  failure_threshold: number;
  silence_ms: number;
  state: string;
  wave: number;
  reason: string | null;
  created_at: number;
  updated_at: number;
  wave_started_at: number;
}

/** One unit of a rollout. */
export interface RolloutMemberTable {
  rollout_id: string;
  mac: string;
  wave: number;
  status: string;
  from_version: string | null;
  reported_version: string | null;
  error: string | null;
  offered_at: number | null;
  updated_at: number;
}

/** A configuration report a device uploaded (Report_Rule); a bounded history per device. */
export interface DeviceReportTable {
  id: string;
  mac: string;
  tenant_id: string;
  received_at: number;
  /** `config`, `delta` or `status`. */
  kind: string;
  remote_address: string | null;
  identified_by: string | null;
  entry_count: number;
  /** JSON `[{ n, v, a, s? }]`; a secret's value is sealed in `s`. */
  entries: string;
}

export interface Database {
  revision: RevisionTable;
  change_log: ChangeLogTable;
  tenants: TenantTable;
  device_models: DeviceModelTable;
  groups: GroupTable;
  accounts: AccountTable;
  account_lines: AccountLineTable;
  devices: DeviceTable;
  device_status: DeviceStatusTable;
  device_lifecycle: DeviceLifecycleTable;
  layers: LayerTable;
  events: EventTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditTable;
  installation: InstallationTable;
  redirect_profiles: RedirectProfileTable;
  redirect_units: RedirectUnitTable;
  redirect_grants: RedirectGrantTable;
  activation_codes: ActivationCodeTable;
  device_reports: DeviceReportTable;
  firmware_images: FirmwareImageTable;
  upgrade_policies: UpgradePolicyTable;
  rollouts: RolloutTable;
  rollout_members: RolloutMemberTable;
  device_keys: DeviceKeyTable;
  users: UserTable;
  sessions: SessionTable;
}
