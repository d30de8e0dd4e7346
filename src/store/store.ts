/**
 * The storage API: one `Store` per process and database, repositories as properties.
 *
 * ```ts
 * const store = await openStore({ kind: "sqlite", file: "data/provisio.db" }, { sealer });
 * const device = await store.devices.findByMac(parseMac("00:11:22:AA:BB:CC"));
 * const off = store.changes.subscribe((n) => cache.invalidate(n));
 * ```
 *
 * Reads are single queries. Every configuration change runs in one transaction that also bumps
 * the global revision, records the change for the change feed and writes the audit entry, so a
 * change is either entirely there (and announced) or not at all. Status and event writes are
 * batch APIs that do not bump the revision.
 *
 * Errors are `ProvisioError`s: `STORE_NOT_FOUND` (404), `STORE_CONFLICT` (409, duplicate key,
 * version mismatch, still referenced), `STORE_INVALID_*` (400), `STORE_UNAVAILABLE` (503).
 */
import type { MacAddress } from "../mac_address.ts";
import type { AccountListQuery } from "./accounts.ts";
import type { ActivationCodeRepository } from "./activation_codes.ts";
import type { ActivityBatch } from "./activity.ts";
import type { DeviceKeyRepository } from "./device_keys.ts";
import type { DeviceSearchPage, DeviceSearchQuery } from "./device_search.ts";
import type { FirmwareRepository } from "./firmware.ts";
import type { FleetStatsRepository } from "./fleet_stats.ts";
import type { KeyProcess } from "./master_key_record.ts";
import type { RedirectRepository } from "./redirects.ts";
import type { ReportRepository } from "./reports.ts";
import type { RolloutRepository } from "./rollouts.ts";
import type { Secret, SecretSealer } from "./secret.ts";
import type { SessionRepository } from "./sessions.ts";
import type {
  Account,
  ApiRole,
  ApiToken,
  AuditEntry,
  ChangeNotice,
  Device,
  DeviceLifecycleUpdate,
  DeviceModel,
  DeviceStatus,
  EncryptionMode,
  Group,
  Layer,
  LayerParameter,
  LayerScope,
  LayerTarget,
  LifecycleState,
  ProvisioningState,
  ResyncEvent,
  ResyncEventInput,
  Tenant,
  TenantSettings,
} from "./types.ts";
import type { UserRepository } from "./users.ts";

// ---------------------------------------------------------------------------------------------
// Opening

export type StoreOptions =
  | {
      readonly kind: "sqlite";
      /** Database file (created with its directory when missing). */
      readonly file: string;
      /**
       * `full` (default): a commit is on disk before it is acknowledged — survives power loss,
       * costs one fsync per transaction (all bulk and batch writes are batched, so this is cheap).
       * `normal`: survives a process crash (kill -9) but a power loss may drop the last commits.
       */
      readonly synchronous?: "full" | "normal";
    }
  | {
      readonly kind: "postgres";
      readonly connectionString: string;
      /** Schema holding the tables (created when missing); default `public`. */
      readonly schema?: string;
      /** Pool size; default 10. */
      readonly maxConnections?: number;
    };

export interface StoreDeps {
  readonly sealer: SecretSealer;
  /** Clock (epoch ms); default `Date.now`. */
  readonly now?: () => number;
  /**
   * SQLite: how often to look for changes made by other processes (default 250 ms).
   * PostgreSQL: interval of the safety poll behind LISTEN/NOTIFY (default 5,000 ms).
   */
  readonly pollIntervalMs?: number;
  /** PEM of built-in client CAs (the device CA): no tenant may trust a CA colliding with one. */
  readonly reservedClientCas?: readonly string[];
  /**
   * A process that only reads (`provisio device list`): its sealer refuses to seal
   * (`STORE_READ_ONLY`), so it does not announce itself to an online master-key rotation,
   * which saves a write on every open. Writes without secrets still go through.
   */
  readonly readOnly?: boolean;
}

/** What a re-seal sealed again, per kind of secret. */
export interface ResealResult {
  readonly deviceKeys: number;
  readonly passwords: number;
  readonly layerValues: number;
  /** Secure-provisioning keys (current and next pairs). */
  readonly secureKeys: number;
  /** Secret values of stored device reports. */
  readonly reportValues: number;
}

export interface MasterKeyAccess {
  /** The recorded key, a rotation's announced key and whether processes seal under it yet. */
  state(): Promise<{
    readonly current: string | null;
    readonly next: string | null;
    readonly sealing: string | null;
    /** Processes that have the store open, as they last answered. */
    readonly processes: readonly Pick<
      KeyProcess,
      "host" | "pid" | "command" | "holds" | "seals" | "nextFile"
    >[];
  }>;
  /** Sealed values per key id, over every sealed column (a full scan). */
  countByKey(): Promise<Record<string, number>>;
  /**
   * Online rotation to `next` (a fingerprint this process's sealer holds), resumable: see
   * `reseal.ts`. Throws `STORE_MASTER_KEY_ROTATION_BLOCKED` when a running process lacks the key.
   */
  rotate(
    next: string,
    options?: Pick<WriteOptions, "actor"> & {
      readonly answerTimeoutMs?: number;
      readonly onProgress?: (line: string) => void;
    },
  ): Promise<ResealResult & { readonly processes: number }>;
}

/** Who makes a change (recorded in the audit log) and optimistic concurrency. */
export interface WriteOptions {
  /** `token:<id>`, `cli:<user>`, … default `system`. */
  readonly actor?: string;
  /**
   * Fail with `STORE_CONFLICT` unless the record's current version is this one. On upserts and
   * `layers.set`, `0` means "the record must not exist yet" (and a non-zero version fails when
   * the record was deleted meanwhile).
   */
  readonly expectedVersion?: number;
}

// ---------------------------------------------------------------------------------------------
// Inputs

export interface TenantInput {
  readonly slug: string;
  readonly name: string;
  /** Missing fields take the defaults (`DEFAULT_TENANT_SETTINGS`). */
  readonly settings?: Partial<TenantSettings>;
}

export interface TenantPatch {
  readonly slug?: string;
  readonly name?: string;
  /** Merged over the current settings. */
  readonly settings?: Partial<TenantSettings>;
}

export interface DeviceModelInput {
  readonly pn: string;
  readonly psn?: string | null;
  readonly family: string;
  readonly description?: string | null;
  readonly lines?: number;
}

/**
 * A device to create or upsert. `undefined` = keep the current value (or the default on create),
 * `null` = clear. Secrets may be given as plaintext strings; they are sealed before storage.
 */
export interface DeviceInput {
  readonly mac: MacAddress;
  /** Default: the default tenant. */
  readonly tenantId?: string;
  readonly modelPn?: string | null;
  readonly serial?: string | null;
  readonly accountId?: string | null;
  readonly groupId?: string | null;
  readonly label?: string | null;
  readonly certSubject?: string | null;
  readonly certFingerprint?: string | null;
  /** Default `factory`. */
  readonly state?: ProvisioningState;
  readonly deviceKey?: Secret | string | null;
  readonly encryption?: EncryptionMode | null;
}

export type DevicePatch = Omit<DeviceInput, "mac">;

export interface DeviceStatusUpdate extends DeviceStatus {
  readonly mac: MacAddress;
}

export interface DeviceQuery {
  readonly tenantId?: string;
  readonly accountId?: string;
  readonly groupId?: string;
  readonly modelPn?: string;
  readonly state?: ProvisioningState;
  /** Devices in this lifecycle state; `none`: never seen by the server. */
  readonly lifecycle?: LifecycleState | "none";
  /** Keyset pagination: devices with a MAC greater than this one. */
  readonly after?: MacAddress;
  /** Default 100, at most 10,000. */
  readonly limit?: number;
}

export interface BulkProgress {
  /** Devices committed so far (acknowledged). */
  readonly done: number;
  /** The MACs of the batch just committed. */
  readonly batch: readonly MacAddress[];
  readonly revision: number;
}

export interface BulkUpsertOptions {
  /** Rows per transaction; default 1,000. */
  readonly batchSize?: number;
  readonly actor?: string;
  /** Called after each committed batch: everything reported here is durable. */
  readonly onProgress?: (progress: BulkProgress) => void;
}

export interface BulkUpsertResult {
  readonly count: number;
  readonly revision: number;
}

export interface AccountLineInput {
  readonly line: number;
  readonly userId: string;
  readonly authId?: string | null;
  /** `undefined` on update = keep the password this line number had. */
  readonly password?: Secret | string | null;
  readonly displayName?: string | null;
  readonly proxy?: string | null;
  readonly outboundProxy?: string | null;
  readonly voicemailId?: string | null;
  /** Per-line parameters by base name (`Register_Expires`); at most 32. */
  readonly extras?: Readonly<Record<string, string>> | null;
}

export interface AccountInput {
  /** Default: the default tenant. */
  readonly tenantId?: string;
  readonly reference: string;
  readonly name?: string | null;
  readonly lines?: readonly AccountLineInput[];
}

export interface AccountPatch {
  readonly reference?: string;
  readonly name?: string | null;
  /** Replaces every line. */
  readonly lines?: readonly AccountLineInput[];
}

export interface GroupInput {
  readonly tenantId?: string;
  readonly name: string;
  readonly description?: string | null;
}

export interface GroupPatch {
  readonly name?: string;
  readonly description?: string | null;
}

export interface PageQuery {
  readonly tenantId?: string;
  /** Keyset pagination: records whose key is greater than this one. */
  readonly after?: string;
  readonly limit?: number;
}

export interface EventQuery {
  readonly mac?: MacAddress;
  readonly tenantId?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** Only events with this result (`ok`, `not-found`, …). */
  readonly result?: string;
  /** Keyset pagination (newest first): pass the last event of the previous page. */
  readonly before?: { readonly at: Date; readonly id: number };
  /** Events written after the one with this id, oldest first (following the log). */
  readonly afterId?: number;
  /** Default 100, at most 10,000. */
  readonly limit?: number;
}

export interface TokenInput {
  readonly name: string;
  readonly role: ApiRole;
  /** null / missing = every tenant. */
  readonly tenantId?: string | null;
  readonly expiresAt?: Date | null;
}

/** What `tokens.update` may change; never the secret (issue a new token for that). */
export interface TokenPatch {
  readonly name?: string;
  readonly role?: ApiRole;
  /** null = every tenant. */
  readonly tenantId?: string | null;
  /** null = never expires. */
  readonly expiresAt?: Date | null;
}

export interface AuditInput {
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly key?: string | null;
  readonly tenantId?: string | null;
  /** Snapshots; secrets are redacted before storage. */
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditQuery {
  readonly entity?: string;
  readonly key?: string;
  readonly actor?: string;
  readonly tenantId?: string;
  readonly since?: Date;
  readonly before?: number;
  readonly limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Repositories

export interface TenantRepository {
  list(): Promise<Tenant[]>;
  find(id: string): Promise<Tenant | null>;
  findBySlug(slug: string): Promise<Tenant | null>;
  /** Throws `STORE_NOT_FOUND`. */
  get(id: string): Promise<Tenant>;
  create(input: TenantInput, options?: WriteOptions): Promise<Tenant>;
  update(id: string, patch: TenantPatch, options?: WriteOptions): Promise<Tenant>;
  /** Refuses (`STORE_CONFLICT`) the default tenant and tenants that still own records. */
  delete(id: string, options?: WriteOptions): Promise<void>;
}

export interface DeviceModelRepository {
  list(): Promise<DeviceModel[]>;
  find(pn: string): Promise<DeviceModel | null>;
  get(pn: string): Promise<DeviceModel>;
  upsert(input: DeviceModelInput, options?: WriteOptions): Promise<DeviceModel>;
  /** Refuses (`STORE_CONFLICT`) while devices use the model. */
  delete(pn: string, options?: WriteOptions): Promise<void>;
}

export interface DeviceRepository {
  /** One indexed read (device and last status). */
  findByMac(mac: MacAddress): Promise<Device | null>;
  /**
   * The devices among `macs` that exist, keyed by MAC (in the order of `macs`; duplicates
   * once; unknown MACs absent). One query per 500 MACs — for bulk imports that look up what
   * they are about to create or update, instead of a `findByMac` per row.
   */
  findMany(macs: readonly MacAddress[]): Promise<Map<MacAddress, Device>>;
  findByCertFingerprint(fingerprint: string): Promise<Device | null>;
  findBySerial(serial: string): Promise<Device[]>;
  get(mac: MacAddress): Promise<Device>;
  list(query?: DeviceQuery): Promise<Device[]>;
  count(query?: Omit<DeviceQuery, "after" | "limit">): Promise<number>;
  /** `STORE_CONFLICT` when the MAC exists. */
  create(input: DeviceInput, options?: WriteOptions): Promise<Device>;
  /** Filters, free text, four sort orders with keyset positions, a bounded count (`device_search.ts`). */
  search(query?: DeviceSearchQuery): Promise<DeviceSearchPage>;
  upsert(input: DeviceInput, options?: WriteOptions): Promise<Device>;
  update(mac: MacAddress, patch: DevicePatch, options?: WriteOptions): Promise<Device>;
  /** Also removes the device's layer and status. */
  delete(mac: MacAddress, options?: WriteOptions): Promise<void>;
  /**
   * Imports many devices in transactions of `batchSize`; each batch is acknowledged through
   * `onProgress` only after its commit (durable: it survives kill -9, and power loss under the
   * default `synchronous=full`). One revision bump, one change notice and one audit entry per
   * batch. An invalid row or a missing reference fails its whole batch and stops the import;
   * the batches acknowledged before it stay (validate the whole input first for all-or-nothing).
   * Within a batch, inputs for the same MAC merge field by field, later ones winning.
   */
  bulkUpsert(
    devices: Iterable<DeviceInput> | AsyncIterable<DeviceInput>,
    options?: BulkUpsertOptions,
  ): Promise<BulkUpsertResult>;
  /** Last-resync status, one transaction for the whole batch; no revision bump, no audit. */
  recordStatusBatch(statuses: readonly DeviceStatusUpdate[]): Promise<void>;
  /**
   * The server's flush: statuses, resync events and lifecycle states in one transaction (per
   * device the newest status and state win, an older one never overwrites); no revision bump,
   * no change notice, no audit.
   */
  recordActivity(batch: ActivityBatch): Promise<void>;
}

export interface AccountRepository {
  list(query?: AccountListQuery): Promise<Account[]>;
  find(id: string): Promise<Account | null>;
  findByReference(tenantId: string, reference: string): Promise<Account | null>;
  get(id: string): Promise<Account>;
  create(input: AccountInput, options?: WriteOptions): Promise<Account>;
  update(id: string, patch: AccountPatch, options?: WriteOptions): Promise<Account>;
  /** Devices on the account are detached (account cleared); its layer is removed. */
  delete(id: string, options?: WriteOptions): Promise<void>;
}

export interface GroupRepository {
  list(query?: PageQuery): Promise<Group[]>;
  find(id: string): Promise<Group | null>;
  findByName(tenantId: string, name: string): Promise<Group | null>;
  get(id: string): Promise<Group>;
  create(input: GroupInput, options?: WriteOptions): Promise<Group>;
  update(id: string, patch: GroupPatch, options?: WriteOptions): Promise<Group>;
  /** Devices in the group are detached; its layer is removed. */
  delete(id: string, options?: WriteOptions): Promise<void>;
}

export interface LayerRepository {
  get(target: LayerTarget): Promise<Layer | null>;
  /** One query; layers that do not exist are absent from the result. */
  listForTargets(targets: readonly LayerTarget[]): Promise<Layer[]>;
  list(query?: {
    readonly scope?: LayerScope;
    readonly after?: string;
    readonly limit?: number;
  }): Promise<Layer[]>;
  /**
   * Replaces the layer's parameters (names must be unique). `STORE_NOT_FOUND` if the target is
   * missing. With `expectedVersion: 0` the layer is created only if it does not exist yet
   * (`STORE_CONFLICT` otherwise, also when another process creates it at the same moment); with
   * a version, only if the layer still has it. Values of secret parameters (the catalogue's
   * secrets, names with `passw`/`secret`/`_key`) are sealed at rest and `[redacted]` in the
   * audit log; every read returns them in plaintext.
   */
  set(
    target: LayerTarget,
    parameters: readonly LayerParameter[],
    options?: WriteOptions,
  ): Promise<Layer>;
  /** Removes the layer; false when there was none. */
  unset(target: LayerTarget, options?: WriteOptions): Promise<boolean>;
}

/** Device lifecycle states (status, not configuration: no revision bump, no audit). */
export interface LifecycleRepository {
  /** One transaction for the batch; per device the newest wins, an older one never overwrites. */
  recordBatch(updates: readonly DeviceLifecycleUpdate[]): Promise<void>;
  /** Devices per state (every state listed, zero included); devices never seen are not counted. */
  counts(query?: { readonly tenantId?: string }): Promise<Map<LifecycleState, number>>;
}

export interface EventRepository {
  /** One transaction for the batch; no revision bump. */
  appendBatch(events: readonly ResyncEventInput[]): Promise<void>;
  /** Newest first (by `at`, then by id). */
  list(query?: EventQuery): Promise<ResyncEvent[]>;
  /** Retention: deletes events older than the date; returns how many. */
  prune(olderThan: Date): Promise<number>;
}

export interface TokenRepository {
  /** Creates a token and returns its bearer secret — the only time it is visible. */
  issue(input: TokenInput, options?: WriteOptions): Promise<{ token: ApiToken; secret: string }>;
  findByHash(hash: string): Promise<ApiToken | null>;
  /** Hashes the bearer secret and finds its token; null when unknown or expired. */
  verify(secret: string): Promise<ApiToken | null>;
  list(): Promise<ApiToken[]>;
  /** Renames, re-roles, re-scopes or changes the expiry of a token; its secret stays. */
  update(id: string, patch: TokenPatch, options?: WriteOptions): Promise<ApiToken>;
  revoke(id: string, options?: WriteOptions): Promise<void>;
}

export interface AuditRepository {
  /** Appends an entry on its own (repositories write theirs inside each change's transaction). */
  append(entry: AuditInput): Promise<void>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}

export type ChangeListener = (notice: ChangeNotice) => void;

export interface ChangeFeed {
  /**
   * Delivers every committed configuration change, in revision order, from this process
   * (right after commit) and from others sharing the database (within one second).
   * Returns the unsubscribe function.
   */
  subscribe(listener: ChangeListener): () => void;
  /** The database's current revision (one read). */
  currentRevision(): Promise<number>;
  /** The last revision delivered to subscribers (no I/O). */
  readonly deliveredRevision: number;
}

export interface StoreCheckResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  readonly tenants: TenantRepository;
  readonly models: DeviceModelRepository;
  readonly devices: DeviceRepository;
  readonly accounts: AccountRepository;
  readonly groups: GroupRepository;
  readonly layers: LayerRepository;
  readonly events: EventRepository;
  readonly lifecycle: LifecycleRepository;
  /** The admin dashboard's counts (each one grouped, indexed query). */
  readonly stats: FleetStatsRepository;
  readonly tokens: TokenRepository;
  /** Admin users with passwords (scrypt); role and tenant scope as tokens have them. */
  readonly users: UserRepository;
  /** Browser sessions of users and tokens (hashed ids, idle and absolute expiry). */
  readonly sessions: SessionRepository;
  /** The redirect (RC) service: providers' redirect profiles and registered MACs. */
  readonly redirects: RedirectRepository;
  /** Retail activation codes (hashed at rest, single use). */
  readonly activationCodes: ActivationCodeRepository;
  /** Configuration reports devices upload (bounded history per device). */
  readonly reports: ReportRepository;
  /** Secure provisioning: per-device keys and random directories, and their rotation. */
  readonly deviceKeys: DeviceKeyRepository;
  /** Firmware images (the registry; bytes in the files directory) and upgrade policies. */
  readonly firmware: FirmwareRepository;
  /** Staged rollouts of upgrade policies and their members. */
  readonly rollouts: RolloutRepository;
  readonly audit: AuditRepository;
  readonly changes: ChangeFeed;
  /**
   * Seals again the device keys, SIP passwords, secret layer values, secure-provisioning keys
   * and report values that `sealer.needsReseal` reports (all of them when the sealer has no
   * `needsReseal`), in pages of 1,000, and audits the counts. Secret layer values still in
   * plaintext (a parameter marked secret after it was written) are sealed too. No revision
   * bump: the plaintexts do not change.
   */
  resealSecrets(options?: Pick<WriteOptions, "actor">): Promise<ResealResult>;
  /** The installation's master key: its state, the processes following it, an online rotation. */
  readonly masterKey: MasterKeyAccess;
  /** Integrity check (SQLite `PRAGMA integrity_check` + foreign keys; PostgreSQL invariants). */
  check(): Promise<StoreCheckResult>;
  /** Stops the change feed and closes the connections. */
  close(): Promise<void>;
}

/**
 * Opens (and migrates) the store. Migrations run on every open and are idempotent; a fresh
 * database gets the `default` tenant with profile paths `/profile/$MA.xml` and `/$MA.xml`.
 */
export async function openStore(options: StoreOptions, deps: StoreDeps): Promise<Store> {
  const { openKyselyStore } = await import("./kysely_store.ts");
  return openKyselyStore(options, deps);
}
