/**
 * In-memory caches of the resync hot path: device records, tenants, models, accounts, groups,
 * layers and the rendered, encoded profiles — invalidated by the store's change feed.
 *
 * Versioning: every cacheable thing has a *generation* (`tenant:<id>`, `model:<pn>`,
 * `group:<id>`, `account:<id>`, `device:<mac>`, plus a global one) bumped when the change
 * feed reports a change to it or to its layer. A rendered profile remembers the generations
 * of everything it was rendered from and is valid while they all still hold — so a change to
 * a tenant layer invalidates that tenant's profiles lazily, without walking 100,000 entries,
 * and a warm resync costs a few map lookups and no database access.
 *
 * Loads from the database capture the generation first and store their result only if it did
 * not move meanwhile, so a change that lands during a load is never masked by the load.
 */

import type {
  Account,
  ChangeNotice,
  Device,
  DeviceModel,
  Group,
  Layer,
  LayerTarget,
  MacAddress,
  Store,
  Tenant,
} from "../store/index.ts";
import { layerKey } from "../store/index.ts";
import {
  BatchLoader,
  deviceRecordBytes,
  dropOldestUnused,
  layerRecordBytes,
  SizedCache,
} from "./record_cache.ts";

/**
 * Generation snapshot a rendered profile depends on: `key, generation, key, generation, …`
 * in one flat array (one object per profile, keys interned: 100,000 cached profiles stay
 * cheap to hold and to garbage-collect).
 */
export type Dependencies = ReadonlyArray<string | number>;

export interface ConfigCacheOptions<P = unknown> {
  /** Most device records kept (known and unknown MACs). */
  readonly maxDevices?: number;
  /** Most bytes of device records kept (estimated, `record_cache.ts`; default 64 MiB). */
  readonly maxDeviceBytes?: number;
  /** Most bytes of layers kept (estimated; default 32 MiB). */
  readonly maxLayerBytes?: number;
  /** Most rendered profiles kept. */
  readonly maxProfiles?: number;
  /**
   * Most bytes of rendered profiles kept (as `profileBytes` counts them); the least recently
   * used go first. Unbounded without.
   */
  readonly maxProfileBytes?: number;
  /** What one rendered profile costs in memory (default 1). */
  readonly profileBytes?: (value: P) => number;
  /** Called after tenants were reloaded (routes and trusted CAs depend on them). */
  readonly onTenantsChanged?: (tenants: readonly Tenant[]) => void;
}

const GLOBAL = "*";
export const DEFAULT_DEVICE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_LAYER_BYTES = 32 * 1024 * 1024;
/** Generations kept before the device ones are forgotten (~100 bytes each). */
export const MAX_GENERATIONS = 200_000;

class ProfileEntry<P> {
  /** Served since the eviction sweep last passed it (a second chance: `ProfileLru`). */
  used = false;
  /**
   * The change count at which `deps` were last found current; -1 until checked (the entry
   * may have been rendered from records a change replaced while they were loading).
   */
  checkedAt = -1;

  constructor(
    readonly deps: Dependencies,
    readonly value: P,
    readonly bytes: number,
  ) {}
}

/**
 * Rendered profiles, bounded by count and by bytes (a provider-size profile is tens of
 * kilobytes: a million of them would not fit in memory), evicted by second chance
 * (`dropOldestUnused`): a profile served since the sweep last passed it stays.
 */
class ProfileLru<P> {
  readonly #entries = new Map<MacAddress, ProfileEntry<P>>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  // Method syntax: a cache of specific profiles still passes for a cache of unknown ones.
  readonly #sizer: { bytesOf(value: P): number };
  #bytes = 0;

  constructor(maxEntries: number, maxBytes: number, sizer: { bytesOf(value: P): number }) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#sizer = sizer;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(mac: MacAddress): ProfileEntry<P> | undefined {
    return this.#entries.get(mac);
  }

  set(mac: MacAddress, deps: Dependencies, value: P): void {
    const entries = this.#entries;
    const old = entries.get(mac);
    if (old !== undefined) {
      this.#bytes -= old.bytes;
      entries.delete(mac);
    }
    const added = new ProfileEntry(deps, value, this.#sizer.bytesOf(value));
    entries.set(mac, added);
    this.#bytes += added.bytes;
    // The entry just stored stays, however large (the caller is about to use it).
    while ((this.#bytes > this.#maxBytes || entries.size > this.#maxEntries) && entries.size > 1) {
      this.#bytes -= dropOldestUnused(entries, added).bytes;
    }
  }
}

/** A bounded map that drops its oldest insertions first. */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #max: number;
  constructor(max: number) {
    super();
    this.#max = max;
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.#max) {
      const oldest = this.keys().next();
      if (oldest.done !== true) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export class ConfigCache<P = unknown> {
  readonly #store: Store;
  readonly #generations = new Map<string, number>();
  /**
   * Moves with every generation: a profile found current at this count is still current while
   * it holds, so a warm hit checks its dependencies only after something changed.
   */
  #changes = 0;
  readonly #devices: SizedCache<MacAddress, Device | null>;
  readonly #serials = new Map<string, MacAddress | null>();
  readonly #fingerprints = new Map<string, MacAddress | null>();
  readonly #models = new Map<string, DeviceModel | null>();
  readonly #accounts = new Map<string, Account | null>();
  readonly #groups = new Map<string, Group | null>();
  readonly #layers: SizedCache<string, Layer | null>;
  readonly #profiles: ProfileLru<P>;
  /** Interned generation keys of shared records (`tenant:…`, `model:…`, …). */
  readonly #keys = new Map<string, string>();
  readonly #onTenantsChanged: ConfigCacheOptions<P>["onTenantsChanged"];
  #tenants = new Map<string, Tenant>();
  #tenantReload: Promise<void> | undefined;
  /** Device reads of one event-loop turn, one query (a storm's first fetches). */
  readonly #deviceReads: BatchLoader<MacAddress, Device | null>;
  /** Layer reads of one event-loop turn, one query. */
  readonly #layerReads: BatchLoader<LayerTarget, Layer | null>;

  constructor(store: Store, options: ConfigCacheOptions<P> = {}) {
    this.#store = store;
    this.#deviceReads = new BatchLoader<MacAddress, Device | null>({
      keyOf: (mac) => mac,
      one: (mac) => store.devices.findByMac(mac),
      many: (macs) => store.devices.findMany(macs),
      absent: null,
    });
    this.#layerReads = new BatchLoader<LayerTarget, Layer | null>({
      keyOf: layerKey,
      one: async (target) => (await store.layers.listForTargets([target]))[0] ?? null,
      many: async (targets) =>
        new Map((await store.layers.listForTargets(targets)).map((l) => [layerKey(l.target), l])),
      absent: null,
    });
    this.#devices = new SizedCache<MacAddress, Device | null>({
      maxEntries: options.maxDevices ?? 500_000,
      maxBytes: options.maxDeviceBytes ?? DEFAULT_DEVICE_BYTES,
      sizeOf: deviceRecordBytes,
    });
    this.#layers = new SizedCache<string, Layer | null>({
      maxBytes: options.maxLayerBytes ?? DEFAULT_LAYER_BYTES,
      sizeOf: layerRecordBytes,
    });
    this.#profiles = new ProfileLru(
      options.maxProfiles ?? 500_000,
      options.maxProfileBytes ?? Number.POSITIVE_INFINITY,
      { bytesOf: options.profileBytes ?? (() => 1) },
    );
    this.#onTenantsChanged = options.onTenantsChanged;
  }

  /** Loads the tenants and the models (both small); call before serving. */
  async start(): Promise<void> {
    await this.#reloadTenants();
    for (const model of await this.#store.models.list()) this.#models.set(model.pn, model);
  }

  // -------------------------------------------------------------------------------------------
  // Generations

  generation(key: string): number {
    return this.#generations.get(key) ?? 0;
  }

  #bump(key: string): void {
    this.#generations.set(key, (this.#generations.get(key) ?? 0) + 1);
    this.#changes++;
  }

  /** The generations a profile rendered from these records depends on. */
  dependencies(device: Device): Dependencies {
    const deps: Array<string | number> = [];
    const add = (key: string): void => {
      deps.push(key, this.generation(key));
    };
    add(GLOBAL);
    add(this.#intern("tenant:", device.tenantId));
    add(`device:${device.mac}`);
    if (device.modelPn !== null) add(this.#intern("model:", device.modelPn));
    if (device.groupId !== null) add(this.#intern("group:", device.groupId));
    if (device.accountId !== null) add(this.#intern("account:", device.accountId));
    return deps;
  }

  #intern(prefix: string, id: string): string {
    const key = prefix + id;
    const known = this.#keys.get(key);
    if (known !== undefined) return known;
    if (this.#keys.size > 200_000) this.#keys.clear();
    this.#keys.set(key, key);
    return key;
  }

  #current(deps: Dependencies): boolean {
    for (let i = 0; i < deps.length; i += 2) {
      if ((this.#generations.get(deps[i] as string) ?? 0) !== deps[i + 1]) return false;
    }
    return true;
  }

  /** Applies one change-feed notice. */
  invalidate(notice: ChangeNotice): void {
    const keys = notice.keys;
    switch (notice.entity) {
      case "device":
        this.#serials.clear();
        this.#fingerprints.clear();
        if (keys === null) {
          this.#dropAll();
          return;
        }
        for (const mac of keys) {
          this.#devices.delete(mac as MacAddress);
          this.#bump(`device:${mac}`);
        }
        if (this.#generations.size > MAX_GENERATIONS) this.#forgetDeviceGenerations();
        return;
      case "tenant":
        if (keys === null) this.#bump(GLOBAL);
        else for (const id of keys) this.#bump(`tenant:${id}`);
        void this.#reloadTenants();
        return;
      case "model":
        if (keys === null) {
          this.#models.clear();
          this.#bump(GLOBAL);
        } else {
          for (const pn of keys) {
            this.#models.delete(pn);
            this.#bump(`model:${pn}`);
          }
        }
        void this.#reloadModels();
        return;
      case "account":
        if (keys === null) {
          this.#dropAll();
          return;
        }
        for (const id of keys) {
          this.#accounts.delete(id);
          this.#bump(`account:${id}`);
        }
        return;
      case "group":
        if (keys === null) {
          this.#dropAll();
          return;
        }
        for (const id of keys) {
          this.#groups.delete(id);
          this.#bump(`group:${id}`);
        }
        return;
      case "layer":
        if (keys === null) {
          this.#dropAll();
          return;
        }
        for (const key of keys) {
          this.#layers.delete(key);
          this.#bump(generationOfLayerKey(key));
        }
        return;
      case "token":
      // Redirect registrations and activation codes are no part of any profile.
      case "redirect":
      case "activation":
      // Upgrade rules are added per request (upgrade_flow.ts), keyed by their text.
      case "firmware":
        return;
      default:
        this.#dropAll();
        void this.#reloadTenants();
        void this.#reloadModels();
    }
  }

  /**
   * Every device edited since the start keeps a generation: at a million devices edited one by
   * one that would grow without end. Past the bound the device generations are forgotten and
   * the global one moves on, so no profile rendered before counts as current (each renders
   * once more) and none can become current again by a generation starting over.
   */
  #forgetDeviceGenerations(): void {
    for (const key of this.#generations.keys()) {
      if (key.startsWith("device:")) this.#generations.delete(key);
    }
    this.#dropAll();
  }

  /** Generations held (devices edited since the start, tenants, models, …). */
  get generationCount(): number {
    return this.#generations.size;
  }

  #dropAll(): void {
    this.#devices.clear();
    this.#serials.clear();
    this.#fingerprints.clear();
    this.#accounts.clear();
    this.#groups.clear();
    this.#layers.clear();
    this.#bump(GLOBAL);
  }

  async #reloadTenants(): Promise<void> {
    // Coalesce bursts; a reload that starts after the last notice sees its effect.
    const run = async (): Promise<void> => {
      const tenants = await this.#store.tenants.list();
      this.#tenants = new Map(tenants.map((t) => [t.id, t]));
      this.#onTenantsChanged?.(tenants);
    };
    const previous = this.#tenantReload ?? Promise.resolve();
    const next = previous.then(run, run);
    this.#tenantReload = next;
    try {
      await next;
    } finally {
      if (this.#tenantReload === next) this.#tenantReload = undefined;
    }
  }

  async #reloadModels(): Promise<void> {
    const gen = this.generation(GLOBAL);
    const models = await this.#store.models.list();
    if (gen !== this.generation(GLOBAL)) return;
    for (const model of models) this.#models.set(model.pn, model);
  }

  /** Waits for pending tenant reloads (tests, start-up). */
  async settled(): Promise<void> {
    while (this.#tenantReload !== undefined) await this.#tenantReload;
  }

  // -------------------------------------------------------------------------------------------
  // Records

  get tenants(): ReadonlyMap<string, Tenant> {
    return this.#tenants;
  }

  tenant(id: string): Tenant | undefined {
    return this.#tenants.get(id);
  }

  /** The device record if held (null: known not to exist), else undefined; never a load. */
  cachedDevice(mac: MacAddress): Device | null | undefined {
    return this.#devices.get(mac);
  }

  async device(mac: MacAddress): Promise<Device | null> {
    const hit = this.#devices.get(mac);
    if (hit !== undefined) return hit;
    const key = `device:${mac}`;
    const gen = this.generation(key);
    const global = this.generation(GLOBAL);
    const device = await this.#deviceReads.load(mac);
    if (gen === this.generation(key) && global === this.generation(GLOBAL)) {
      this.#devices.set(mac, device);
    }
    return device;
  }

  /** Devices with this serial; the MAC when exactly one device has it. */
  async deviceBySerial(serial: string): Promise<Device | null> {
    const known = this.#serials.get(serial);
    if (known === null) return null;
    if (known !== undefined) return this.device(known);
    const found = await this.#store.devices.findBySerial(serial);
    const only = found.length === 1 ? found[0]! : null;
    this.#serials.set(serial, only?.mac ?? null);
    if (this.#serials.size > 100_000) this.#serials.clear();
    return only;
  }

  async deviceByFingerprint(fingerprint: string): Promise<Device | null> {
    const known = this.#fingerprints.get(fingerprint);
    if (known === null) return null;
    if (known !== undefined) return this.device(known);
    const device = await this.#store.devices.findByCertFingerprint(fingerprint);
    this.#fingerprints.set(fingerprint, device?.mac ?? null);
    if (this.#fingerprints.size > 100_000) this.#fingerprints.clear();
    return device;
  }

  /** The model if held (null: known not to exist), else undefined; never a load. */
  cachedModel(pn: string): DeviceModel | null | undefined {
    return this.#models.get(pn);
  }

  async model(pn: string): Promise<DeviceModel | null> {
    const hit = this.#models.get(pn);
    if (hit !== undefined) return hit;
    return this.#load(this.#models, pn, `model:${pn}`, () => this.#store.models.find(pn));
  }

  async account(id: string): Promise<Account | null> {
    const hit = this.#accounts.get(id);
    if (hit !== undefined) return hit;
    return this.#load(this.#accounts, id, `account:${id}`, () => this.#store.accounts.find(id));
  }

  async group(id: string): Promise<Group | null> {
    const hit = this.#groups.get(id);
    if (hit !== undefined) return hit;
    return this.#load(this.#groups, id, `group:${id}`, () => this.#store.groups.find(id));
  }

  async #load<T>(
    map: Map<string, T | null>,
    id: string,
    genKey: string,
    load: () => Promise<T | null>,
  ): Promise<T | null> {
    const gen = this.generation(genKey);
    const global = this.generation(GLOBAL);
    const value = await load();
    if (gen === this.generation(genKey) && global === this.generation(GLOBAL)) map.set(id, value);
    return value;
  }

  /**
   * The layers of these targets, weakest first as given; missing ones loaded together with the
   * other requests' of the same event-loop turn, in one query.
   */
  async layers(targets: readonly LayerTarget[]): Promise<Layer[]> {
    const keys = targets.map(layerKey);
    // Read before loading or storing anything: storing a loaded layer can push a cached one
    // out of the bounded cache, and a change landing meanwhile can drop one.
    const found: Array<Layer | null | undefined> = keys.map((k) => this.#layers.get(k));
    const missing: number[] = [];
    for (let i = 0; i < keys.length; i++) if (found[i] === undefined) missing.push(i);
    if (missing.length > 0) {
      const gens = missing.map((i) => this.generation(generationOfLayerKey(keys[i]!)));
      const global = this.generation(GLOBAL);
      const loaded = await Promise.all(missing.map((i) => this.#layerReads.load(targets[i]!)));
      const fresh = global === this.generation(GLOBAL);
      missing.forEach((i, n) => {
        const key = keys[i]!;
        const layer = loaded[n] ?? null;
        found[i] = layer;
        // Changed while loading: used for this request only.
        if (fresh && gens[n] === this.generation(generationOfLayerKey(key))) {
          this.#layers.set(key, layer);
        }
      });
    }
    return found.filter((l): l is Layer => l !== null && l !== undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Rendered profiles

  /** The rendered profile for this MAC if still current (now marked used), else `undefined`. */
  profile(mac: MacAddress): P | undefined {
    const entry = this.#profiles.get(mac);
    if (entry === undefined) return undefined;
    if (entry.checkedAt !== this.#changes) {
      if (!this.#current(entry.deps)) return undefined;
      entry.checkedAt = this.#changes;
    }
    entry.used = true;
    return entry.value;
  }

  /** The last rendered profile, current or not (to keep its version when content is equal). */
  previousProfile(mac: MacAddress): P | undefined {
    return this.#profiles.get(mac)?.value;
  }

  storeProfile(mac: MacAddress, deps: Dependencies, value: P): void {
    this.#profiles.set(mac, deps, value);
  }

  get profileCount(): number {
    return this.#profiles.size;
  }

  /** Bytes of rendered profiles held (as `profileBytes` counts them). */
  get profileBytes(): number {
    return this.#profiles.bytes;
  }

  get deviceCount(): number {
    return this.#devices.size;
  }

  /** Estimated bytes of device records held (bounded by `maxDeviceBytes`). */
  get deviceBytes(): number {
    return this.#devices.bytes;
  }

  get layerCount(): number {
    return this.#layers.size;
  }

  /** Estimated bytes of layers held (bounded by `maxLayerBytes`). */
  get layerBytes(): number {
    return this.#layers.bytes;
  }
}

/** `tenant:<id>` → itself; `model:<tenant>/<pn>` → `model:<pn>`; others unchanged. */
export function generationOfLayerKey(key: string): string {
  if (key.startsWith("model:")) {
    const slash = key.indexOf("/");
    return slash < 0 ? key : `model:${key.slice(slash + 1)}`;
  }
  return key;
}
