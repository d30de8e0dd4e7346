/**
 * A map bounded by an estimate of the memory its entries take: beyond `maxBytes` (or
 * `maxEntries`) the oldest insertions go first. Used for the device records and layers the
 * resync path reads: at a million devices, a cache bounded only by count would hold a
 * gigabyte per process (docs/decisions.md, D30).
 *
 * Oldest insertion, not least recent use: a hit stays a plain map lookup (re-inserting on
 * every hit costs the warm path), and an entry dropped while still in use is one indexed
 * store read away.
 */
export class SizedCache<K, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly bytes: number }>();
  readonly #maxBytes: number;
  readonly #maxEntries: number;
  readonly #sizeOf: (value: V) => number;
  #bytes = 0;

  constructor(options: { maxBytes: number; maxEntries?: number; sizeOf: (value: V) => number }) {
    this.#maxBytes = options.maxBytes;
    this.#maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.#sizeOf(value);
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes && this.#entries.size <= this.#maxEntries) break;
      // The entry just stored stays, however large (the caller is about to use it).
      if (oldest === key) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  delete(key: K): boolean {
    const old = this.#entries.get(key);
    if (old === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= old.bytes;
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/**
 * Second-chance eviction over a map in insertion order: a hit only sets its entry's `used`
 * mark; this drops the oldest entry not used since the sweep last passed it, moving each used
 * one it meets behind the newest, its mark cleared — nearly least-recently-used order without
 * moving an entry in the map on every hit. `keep` (the entry just stored) is never dropped;
 * the map must hold another entry.
 */
export function dropOldestUnused<K, V extends { used: boolean }>(map: Map<K, V>, keep?: V): V {
  for (;;) {
    const [key, entry] = map.entries().next().value as [K, V];
    map.delete(key);
    if (entry !== keep && !entry.used) return entry;
    entry.used = false;
    map.set(key, entry);
  }
}

/** What a string costs in V8 (header and one byte a character; most of ours are ASCII). */
function stringBytes(s: string | null | undefined): number {
  return s === null || s === undefined ? 0 : 16 + s.length;
}

/** Map entry, key string (a MAC or a layer key) and the object header around the value. */
const ENTRY_BYTES = 120;

/**
 * Estimated memory of a cached device record (null: a MAC known not to exist). Calibrated
 * on the heap growth of 50,000 records read from bench/device_scale.ts's installation (model
 * and serial set, no status yet): ~750 bytes each.
 */
export function deviceRecordBytes(
  device: {
    readonly tenantId: string;
    readonly modelPn: string | null;
    readonly serial: string | null;
    readonly accountId: string | null;
    readonly groupId: string | null;
    readonly label: string | null;
    readonly certSubject: string | null;
    readonly certFingerprint: string | null;
    readonly status: object | null;
    readonly lifecycle: object | null;
    readonly deviceKey: object | null;
  } | null,
): number {
  if (device === null) return ENTRY_BYTES;
  return (
    ENTRY_BYTES +
    // The record, its MAC and two dates.
    420 +
    stringBytes(device.tenantId) +
    stringBytes(device.modelPn) +
    stringBytes(device.serial) +
    stringBytes(device.accountId) +
    stringBytes(device.groupId) +
    stringBytes(device.label) +
    stringBytes(device.certSubject) +
    stringBytes(device.certFingerprint) +
    (device.status === null ? 0 : 260) +
    (device.lifecycle === null ? 0 : 120) +
    (device.deviceKey === null ? 0 : 160)
  );
}

/** Estimated memory of a cached layer (null: a target known to have none). */
export function layerRecordBytes(
  layer: {
    readonly parameters: ReadonlyArray<{
      readonly name: string;
      readonly value: unknown;
      readonly access: string | null;
    }>;
  } | null,
): number {
  if (layer === null) return ENTRY_BYTES;
  let bytes = ENTRY_BYTES + 200;
  for (const p of layer.parameters) {
    bytes += 64 + stringBytes(p.name) + (typeof p.value === "string" ? stringBytes(p.value) : 64);
  }
  return bytes;
}

interface Waiting<V> {
  readonly resolve: (value: V) => void;
  readonly reject: (error: unknown) => void;
}

interface Pending<T, V> {
  readonly item: T;
  readonly waiting: Waiting<V>[];
}

/**
 * Loads that arrive in one turn of the event loop, run as one: a reboot storm asks for hundreds
 * of devices at once, and one `IN (…)` query for all of them costs a fraction of a query each
 * (measured on SQLite: ~35 µs CPU a device read alone, ~16 in a batch of 100; a device layer
 * ~60 alone, ~2 in a batch — docs/decisions.md, D43). The batch runs in the next `setImmediate`,
 * after the poll phase that read the requests; an item asked for twice (same key) is loaded once.
 */
export class BatchLoader<T, V> {
  readonly #keyOf: (item: T) => string;
  readonly #one: (item: T) => Promise<V>;
  readonly #many: (items: readonly T[]) => Promise<ReadonlyMap<string, V>>;
  readonly #absent: V;
  #pending: Map<string, Pending<T, V>> | undefined;

  /**
   * `one` loads a single item (a batch of one: often a prepared lookup); `many` several, its
   * map (by `keyOf`) lacking the items that have no value, which get `absent`.
   */
  constructor(options: {
    keyOf: (item: T) => string;
    one: (item: T) => Promise<V>;
    many: (items: readonly T[]) => Promise<ReadonlyMap<string, V>>;
    absent: V;
  }) {
    this.#keyOf = options.keyOf;
    this.#one = options.one;
    this.#many = options.many;
    this.#absent = options.absent;
  }

  load(item: T): Promise<V> {
    let batch = this.#pending;
    if (batch === undefined) {
      const next = new Map<string, Pending<T, V>>();
      batch = next;
      this.#pending = next;
      setImmediate(() => void this.#run(next));
    }
    const key = this.#keyOf(item);
    const pending = batch;
    return new Promise<V>((resolve, reject) => {
      const known = pending.get(key);
      if (known === undefined) pending.set(key, { item, waiting: [{ resolve, reject }] });
      else known.waiting.push({ resolve, reject });
    });
  }

  async #run(batch: Map<string, Pending<T, V>>): Promise<void> {
    if (this.#pending === batch) this.#pending = undefined;
    try {
      if (batch.size === 1) {
        const [only] = batch.values();
        const value = await this.#one(only!.item);
        for (const w of only!.waiting) w.resolve(value);
        return;
      }
      const found = await this.#many([...batch.values()].map((p) => p.item));
      for (const [key, { waiting }] of batch) {
        const value = found.has(key) ? (found.get(key) as V) : this.#absent;
        for (const w of waiting) w.resolve(value);
      }
    } catch (error) {
      for (const { waiting } of batch.values()) for (const w of waiting) w.reject(error);
    }
  }
}
