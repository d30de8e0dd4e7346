/**
 * The device's parameter table (§0.2): value plus user access per parameter, starting
 * from the catalogue's factory defaults for the family, changed by received profiles
 * (§3.2.5) and by assignment expressions (§4.4).
 *
 * A catalogue has thousands of concrete parameters (per line, per user), so the factory
 * table is built once per family and shared; each unit keeps only what differs from it.
 * A provider's profile changes hundreds of parameters the same way on every unit, so what
 * differs is itself kept as a shared, immutable base (the differences of a unit that applied
 * such a profile earlier) plus the unit's own few differences from that base. That keeps a
 * unit small enough for fleets of many thousands.
 */
import {
  type AppliedChange,
  applyProfile,
  type Catalogue,
  catalogueAccept,
  catalogueFactory,
  createCatalogue,
  type DeviceFamily,
  factoryState,
  type ParameterState,
  type Profile,
  type ProfileEntry,
  type UserAccess,
} from "../profile/index.ts";
import { deviceError } from "./errors.ts";

export interface ParameterStoreOptions {
  readonly family: DeviceFamily;
  /** Default: the shipped catalogue restricted to the family. */
  readonly catalogue?: Catalogue;
  /** Factory values that differ from the catalogue (an RC unit's `Profile_Rule`, §1.1.2). */
  readonly factoryOverrides?: Readonly<Record<string, string>>;
  /** C5 (§3.2.3): default `factoryDefault` on SPA/Sipura, `retain` on MPP. */
  readonly uaAbsent?: "factoryDefault" | "retain";
  /** C6 (§3.2.6): default `emptyString`. */
  readonly emptyXmlValue?: "emptyString" | "default";
}

/** What applying one profile did (the device keeps no copy of the whole table). */
export interface StoreApplyResult {
  /** One item per entry that changed value or access, in profile order. */
  readonly changes: readonly AppliedChange[];
  /** Entries for names the device does not have (ignored, §3.2.5). */
  readonly ignored: readonly ProfileEntry[];
  /** Entries whose value the parameter's type refuses (value kept; access applied). */
  readonly rejected: readonly ProfileEntry[];
}

interface Shared {
  readonly catalogue: Catalogue;
  readonly factory: ReadonlyMap<string, ParameterState>;
  readonly accept: (name: string, value: string) => boolean;
}

/** Per family, built once: the catalogue and factory table are immutable and shared. */
const sharedByFamily = new Map<DeviceFamily, Shared>();

/** Differences from the factory table, shared by units; never changed once built. */
type Base = ReadonlyMap<string, ParameterState>;
const NO_BASE: Base = new Map();

/**
 * Recent bases per factory table, newest first. A unit whose own differences grow past
 * `COMPACT_AT` looks here for a base close to its table, else offers its table as one.
 */
const basesByFactory = new WeakMap<ReadonlyMap<string, ParameterState>, Base[]>();
const COMPACT_AT = 64;
const BASES_KEPT = 4;

function sameState(a: ParameterState | undefined, b: ParameterState | undefined): boolean {
  return (
    a === b || (a !== undefined && b !== undefined && a.value === b.value && a.access === b.access)
  );
}

/** Per factory table: each name ▸ the table's own string for it (see `ownCopy`). */
const namesByFactory = new WeakMap<ReadonlyMap<string, ParameterState>, Map<string, string>>();

function canonicalNames(factory: ReadonlyMap<string, ParameterState>): Map<string, string> {
  let names = namesByFactory.get(factory);
  if (names === undefined) {
    names = new Map([...factory.keys()].map((n) => [n, n]));
    namesByFactory.set(factory, names);
  }
  return names;
}

/**
 * A copy of `text` that does not hold on to the string it was cut from: V8 keeps a
 * substring of 13 characters or more as a view on its parent, so a value parsed from a
 * 50 kB profile would keep the whole file alive for as long as the unit keeps the value.
 * Concatenating flattens into a fresh string; slicing drops the added character.
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

function shared(family: DeviceFamily, catalogue: Catalogue | undefined): Shared {
  if (catalogue !== undefined) {
    return {
      catalogue,
      factory: factoryState(catalogue, family),
      accept: catalogueAccept(catalogue),
    };
  }
  let s = sharedByFamily.get(family);
  if (s === undefined) {
    const c = createCatalogue(undefined, { family });
    s = { catalogue: c, factory: factoryState(c, family), accept: catalogueAccept(c) };
    sharedByFamily.set(family, s);
  }
  return s;
}

export class ParameterStore {
  readonly catalogue: Catalogue;
  readonly family: DeviceFamily;
  private readonly factoryTable: ReadonlyMap<string, ParameterState>;
  private readonly overrides: ReadonlyMap<string, ParameterState>;
  /** Shared differences from the factory table (see the file comment). */
  private base: Base = NO_BASE;
  /** This unit's differences from `base` (a factory-equal state where `base` differs). */
  private readonly own = new Map<string, ParameterState>();
  private readonly names: ReadonlyMap<string, string>;
  private changeCount = 0;
  private readonly factoryLookup: (name: string) => ParameterState | undefined;
  private readonly accept: (name: string, value: string) => boolean;
  private readonly uaAbsent: "factoryDefault" | "retain";
  private readonly emptyXmlValue: "emptyString" | "default";

  constructor(options: ParameterStoreOptions) {
    this.family = options.family;
    const s = shared(options.family, options.catalogue);
    this.catalogue = s.catalogue;
    this.factoryTable = s.factory;
    this.accept = s.accept;
    this.names = canonicalNames(s.factory);
    const overrides = new Map<string, ParameterState>();
    for (const [name, value] of Object.entries(options.factoryOverrides ?? {})) {
      const base = this.factoryTable.get(name);
      if (base === undefined) {
        throw deviceError("DEVICE_UNKNOWN_PARAMETER", `the model has no parameter ${name}`, {
          name,
        });
      }
      overrides.set(name, { value, access: base.access });
    }
    this.overrides = overrides;
    const catalogueLookup = catalogueFactory(this.catalogue, this.family);
    this.factoryLookup =
      overrides.size === 0
        ? catalogueLookup
        : (name) => overrides.get(name) ?? catalogueLookup(name);
    this.uaAbsent = options.uaAbsent ?? (this.family === "mpp" ? "retain" : "factoryDefault");
    this.emptyXmlValue = options.emptyXmlValue ?? "emptyString";
  }

  /**
   * Bumped by every change of a value or access (never by a write that changes nothing):
   * equal revisions mean an unchanged table.
   */
  get revision(): number {
    return this.changeCount;
  }

  private factoryState(name: string): ParameterState | undefined {
    return this.overrides.get(name) ?? this.factoryTable.get(name);
  }

  private current(name: string): ParameterState | undefined {
    return this.own.get(name) ?? this.base.get(name) ?? this.factoryState(name);
  }

  private store(name: string, state: ParameterState): void {
    const before = this.current(name);
    if (sameState(before, state)) return;
    this.changeCount++;
    const under = this.base.get(name) ?? this.factoryState(name);
    if (sameState(under, state)) this.own.delete(name);
    else {
      // The key too: a name parsed from a file is a view on the whole file.
      const key = this.names.get(name) ?? ownCopy(name);
      this.own.set(key, { value: ownCopy(state.value), access: state.access });
    }
  }

  /**
   * Folds a large set of own differences into a shared base: the newest known base close to
   * this table (its differences from it become the unit's own), else this table becomes one.
   */
  private compact(): void {
    if (this.own.size < COMPACT_AT || this.overrides.size > 0) return;
    const table = new Map<string, ParameterState>();
    for (const [name, state] of this.base) if (!this.own.has(name)) table.set(name, state);
    for (const [name, state] of this.own) {
      if (!sameState(state, this.factoryTable.get(name))) table.set(name, state);
    }
    let bases = basesByFactory.get(this.factoryTable);
    if (bases === undefined) {
      bases = [];
      basesByFactory.set(this.factoryTable, bases);
    }
    const limit = Math.max(16, table.size >> 3);
    for (const candidate of bases) {
      const own = differences(table, candidate, this.factoryTable, limit);
      if (own === undefined) continue;
      this.base = candidate;
      this.own.clear();
      for (const [name, state] of own) this.own.set(name, state);
      return;
    }
    bases.unshift(table);
    if (bases.length > BASES_KEPT) bases.pop();
    this.base = table;
    this.own.clear();
  }

  /** Back to every factory value and access (§2.4 factory reset). */
  reset(): void {
    if (this.base.size > 0 || this.own.size > 0) this.changeCount++;
    this.base = NO_BASE;
    this.own.clear();
  }

  has(name: string): boolean {
    return this.factoryTable.has(name);
  }

  /** Current value; undefined when the model has no such parameter. */
  get(name: string): string | undefined {
    return this.current(name)?.value;
  }

  /** Current value, throwing for a name the model does not have. */
  value(name: string): string {
    const v = this.current(name)?.value;
    if (v === undefined) {
      throw deviceError("DEVICE_UNKNOWN_PARAMETER", `the model has no parameter ${name}`, { name });
    }
    return v;
  }

  access(name: string): UserAccess | undefined {
    return this.current(name)?.access;
  }

  factory(name: string): ParameterState | undefined {
    return this.factoryLookup(name);
  }

  isFactoryValue(name: string): boolean {
    return this.get(name) === this.factoryLookup(name)?.value;
  }

  /** Names whose value or access differ from the factory table. */
  changedNames(): string[] {
    const out: string[] = [];
    for (const name of this.base.keys()) {
      if (!this.own.has(name)) out.push(name);
    }
    for (const [name, state] of this.own) {
      if (!sameState(state, this.factoryState(name))) out.push(name);
    }
    return out;
  }

  /** Snapshot of the whole table (name → value, access), catalogue order. */
  entries(): ReadonlyMap<string, ParameterState> {
    const out = new Map<string, ParameterState>();
    for (const name of this.factoryTable.keys()) out.set(name, this.current(name)!);
    return out;
  }

  /**
   * Sets one value with admin authority (web UI, assignment expressions): the access is
   * kept (§4.4 "assigned values do not change user access"). False when the type refuses it.
   */
  set(name: string, value: string): boolean {
    const before = this.current(name);
    if (before === undefined) {
      throw deviceError("DEVICE_UNKNOWN_PARAMETER", `the model has no parameter ${name}`, { name });
    }
    if (!this.accept(name, value)) return false;
    this.store(name, { value, access: before.access });
    return true;
  }

  /** Applies a received profile exactly as §3.2.5/§3.2.6 say; returns what changed. */
  apply(profile: Profile): StoreApplyResult {
    const fast = this.applyLikeBefore(profile);
    if (fast !== undefined) return fast;
    const memo = this.memoCandidate(profile);
    const result = this.applyEntries(profile);
    for (const c of result.changes) this.store(c.name, c.after);
    this.compact();
    if (memo !== undefined) this.rememberApply(memo, profile, result);
    return { changes: result.changes, ignored: result.ignored, rejected: result.rejected };
  }

  private applyEntries(profile: Profile): ReturnType<typeof applyProfile> {
    // applyProfile only reads the names the profile mentions; hand it just those.
    const subset = new Map<string, ParameterState>();
    for (const e of profile.entries) {
      const s = this.current(e.name);
      if (s !== undefined) subset.set(e.name, s);
    }
    return applyProfile(subset, profile, {
      uaAbsent: this.uaAbsent,
      emptyXmlValue: this.emptyXmlValue,
      factory: this.factoryLookup,
      accept: this.accept,
    });
  }

  /*
   * A fleet's units apply files of one template to tables that are alike (the factory one
   * plus the same admin edits), and such files share their entry objects except for the few
   * values that are the unit's own (shared_decodes.ts). Applying works name by name — an
   * entry reads and writes only its own name's state, the factory and the type check — so
   * on a table equal to the one an earlier unit applied a file of the template to, every
   * name whose entries are the same objects ends as it ended there. Only the names with
   * other entries are applied; the rest of the outcome is the earlier unit's.
   */

  /** The table is small enough to compare (no overrides, few own differences): its snapshot. */
  private memoCandidate(profile: Profile): ApplyMemo["before"] | undefined {
    if (this.overrides.size > 0 || this.own.size > MEMO_OWN_MAX) return undefined;
    if (profile.entries.length < MEMO_MIN_ENTRIES) return undefined;
    return { base: this.base, own: [...this.own] };
  }

  private rememberApply(
    before: ApplyMemo["before"],
    profile: Profile,
    result: ReturnType<typeof applyProfile>,
  ): void {
    const index = new Map<ProfileEntry, number>();
    for (let i = 0; i < profile.entries.length; i++) index.set(profile.entries[i]!, i);
    // One object twice in a file: its outcomes could not be told apart.
    if (index.size !== profile.entries.length) return;
    const changeAt: (AppliedChange | undefined)[] = new Array(profile.entries.length);
    for (const c of result.changes) changeAt[index.get(c.entry)!] = c;
    const flag = (list: readonly ProfileEntry[]) => {
      const out = new Uint8Array(profile.entries.length);
      for (const e of list) out[index.get(e)!] = 1;
      return out;
    };
    let memos = memosByFactory.get(this.factoryTable);
    if (memos === undefined) {
      memos = [];
      memosByFactory.set(this.factoryTable, memos);
    }
    memos.unshift({
      before,
      uaAbsent: this.uaAbsent,
      emptyXmlValue: this.emptyXmlValue,
      profile,
      index,
      changeAt,
      ignoredAt: flag(result.ignored),
      rejectedAt: flag(result.rejected),
      after: { base: this.base, own: new Map(this.own) },
    });
    if (memos.length > MEMOS_KEPT) memos.pop();
  }

  /** The outcome of `profile` from an earlier unit's, or undefined (apply in full). */
  private applyLikeBefore(profile: Profile): StoreApplyResult | undefined {
    if (this.overrides.size > 0 || this.own.size > MEMO_OWN_MAX) return undefined;
    const memos = memosByFactory.get(this.factoryTable);
    if (memos === undefined) return undefined;
    const entries = profile.entries;
    for (const memo of memos) {
      if (!this.tableIs(memo)) continue;
      const theirs = memo.profile.entries;
      if (theirs.length !== entries.length || memo.profile.format !== profile.format) continue;
      let other: Set<string> | undefined;
      const own = new Set<ProfileEntry>();
      let alike = true;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (e === theirs[i]) continue;
        // Each of this file's own entries must be one object in one place (see `applyWith`).
        if (e.name !== theirs[i]!.name || memo.index.has(e) || own.has(e)) {
          alike = false;
          break;
        }
        own.add(e);
        other ??= new Set();
        other.add(e.name);
        if (other.size > MEMO_OTHER_MAX) {
          alike = false;
          break;
        }
      }
      if (alike) return this.applyWith(memo, profile, other ?? new Set());
    }
    return undefined;
  }

  /** This table is the one `memo` was applied to: same base, same own differences. */
  private tableIs(memo: ApplyMemo): boolean {
    const { before } = memo;
    if (
      this.base !== before.base ||
      this.own.size !== before.own.length ||
      this.uaAbsent !== memo.uaAbsent ||
      this.emptyXmlValue !== memo.emptyXmlValue
    ) {
      return false;
    }
    for (const [name, state] of before.own) {
      if (!sameState(this.own.get(name), state)) return false;
    }
    return true;
  }

  private applyWith(
    memo: ApplyMemo,
    profile: Profile,
    other: ReadonlySet<string>,
  ): StoreApplyResult {
    const entries = profile.entries;
    // The names with other entries, applied to this table as applying the file would.
    const mine =
      other.size === 0
        ? undefined
        : this.applyEntries({
            ...(profile.format === undefined ? {} : { format: profile.format }),
            entries: entries.filter((e) => other.has(e.name)),
          });
    const theirChange = new Map<ProfileEntry, AppliedChange>();
    for (const c of mine?.changes ?? []) theirChange.set(c.entry, c);
    const ignoredMine = new Set(mine?.ignored ?? []);
    const rejectedMine = new Set(mine?.rejected ?? []);
    const changes: AppliedChange[] = [];
    const ignored: ProfileEntry[] = [];
    const rejected: ProfileEntry[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (other.has(e.name)) {
        const c = theirChange.get(e);
        if (c !== undefined) changes.push(c);
        if (ignoredMine.has(e)) ignored.push(e);
        if (rejectedMine.has(e)) rejected.push(e);
      } else {
        const c = memo.changeAt[i];
        if (c !== undefined) changes.push(c);
        if (memo.ignoredAt[i] === 1) ignored.push(e);
        if (memo.rejectedAt[i] === 1) rejected.push(e);
      }
    }
    // The earlier unit's resulting table, with this unit's own outcome for the other names.
    this.base = memo.after.base;
    this.own.clear();
    for (const [name, state] of memo.after.own) this.own.set(name, state);
    if (mine !== undefined) {
      for (const name of other) {
        const state = mine.state.get(name);
        if (state === undefined) continue;
        const key = this.names.get(name) ?? ownCopy(name);
        if (sameState(state, this.base.get(name) ?? this.factoryState(name))) this.own.delete(key);
        else this.own.set(key, { value: ownCopy(state.value), access: state.access });
      }
    }
    this.changeCount += changes.length;
    return { changes, ignored, rejected };
  }
}

/** An earlier unit's application of a file, reused by units with the same table (see above). */
interface ApplyMemo {
  readonly before: { readonly base: Base; readonly own: readonly [string, ParameterState][] };
  readonly uaAbsent: "factoryDefault" | "retain";
  readonly emptyXmlValue: "emptyString" | "default";
  readonly profile: Profile;
  /** Each entry object's position in `profile` (each appears once). */
  readonly index: ReadonlyMap<ProfileEntry, number>;
  /** Per entry: its change, if it made one. */
  readonly changeAt: readonly (AppliedChange | undefined)[];
  readonly ignoredAt: Uint8Array;
  readonly rejectedAt: Uint8Array;
  readonly after: { readonly base: Base; readonly own: ReadonlyMap<string, ParameterState> };
}

const memosByFactory = new WeakMap<ReadonlyMap<string, ParameterState>, ApplyMemo[]>();
const MEMOS_KEPT = 4;
/** Tables with more own differences are not compared (a unit far from its fleet). */
const MEMO_OWN_MAX = 16;
/** Small files apply quickly anyway. */
const MEMO_MIN_ENTRIES = 64;
/** More names with other entries than this: apply in full. */
const MEMO_OTHER_MAX = 128;

/**
 * `table`'s differences from `base` (factory states where `base` differs and `table` does
 * not), or undefined as soon as there are more than `limit`.
 */
function differences(
  table: ReadonlyMap<string, ParameterState>,
  base: Base,
  factory: ReadonlyMap<string, ParameterState>,
  limit: number,
): Map<string, ParameterState> | undefined {
  const out = new Map<string, ParameterState>();
  for (const [name, state] of table) {
    if (sameState(state, base.get(name))) continue;
    out.set(name, state);
    if (out.size > limit) return undefined;
  }
  for (const name of base.keys()) {
    if (table.has(name)) continue;
    out.set(name, factory.get(name)!);
    if (out.size > limit) return undefined;
  }
  return out;
}
