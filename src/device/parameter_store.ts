/**
 * The device's parameter table (§0.2): value plus user access per parameter, starting
 * from the catalogue's factory defaults for the family, changed by received profiles
 * (§3.2.5) and by assignment expressions (§4.4).
 *
 * A catalogue has thousands of concrete parameters (per line, per user), so the factory
 * table is built once per family and shared; each unit keeps only what differs from it.
 * That keeps a unit small enough for fleets of many thousands.
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
  /** Parameters whose value or access differs from the factory table. */
  private readonly changed = new Map<string, ParameterState>();
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

  private current(name: string): ParameterState | undefined {
    return this.changed.get(name) ?? this.overrides.get(name) ?? this.factoryTable.get(name);
  }

  private store(name: string, state: ParameterState): void {
    const factory = this.overrides.get(name) ?? this.factoryTable.get(name);
    if (factory !== undefined && factory.value === state.value && factory.access === state.access) {
      this.changed.delete(name);
    } else {
      this.changed.set(name, state);
    }
  }

  /** Back to every factory value and access (§2.4 factory reset). */
  reset(): void {
    this.changed.clear();
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
    return [...this.changed.keys()];
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
    // applyProfile only reads the names the profile mentions; hand it just those.
    const subset = new Map<string, ParameterState>();
    for (const e of profile.entries) {
      const s = this.current(e.name);
      if (s !== undefined) subset.set(e.name, s);
    }
    const result = applyProfile(subset, profile, {
      uaAbsent: this.uaAbsent,
      emptyXmlValue: this.emptyXmlValue,
      factory: this.factoryLookup,
      accept: this.accept,
    });
    for (const c of result.changes) this.store(c.name, c.after);
    return { changes: result.changes, ignored: result.ignored, rejected: result.rejected };
  }
}
