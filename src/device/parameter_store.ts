/**
 * The device's parameter table (§0.2): value plus user access per parameter, starting
 * from the catalogue's factory defaults for the family, changed by received profiles
 * (§3.2.5) and by assignment expressions (§4.4).
 */
import {
  type ApplyResult,
  applyProfile,
  type Catalogue,
  catalogueAccept,
  catalogueFactory,
  createCatalogue,
  type DeviceFamily,
  factoryState,
  type ParameterState,
  type Profile,
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

/** The shipped catalogue per family, built once: it is immutable and every unit shares it. */
const familyCatalogues = new Map<DeviceFamily, Catalogue>();

function catalogueFor(family: DeviceFamily): Catalogue {
  let c = familyCatalogues.get(family);
  if (c === undefined) {
    c = createCatalogue(undefined, { family });
    familyCatalogues.set(family, c);
  }
  return c;
}

export class ParameterStore {
  readonly catalogue: Catalogue;
  readonly family: DeviceFamily;
  private table: Map<string, ParameterState>;
  private readonly factoryLookup: (name: string) => ParameterState | undefined;
  private readonly accept: (name: string, value: string) => boolean;
  private readonly uaAbsent: "factoryDefault" | "retain";
  private readonly emptyXmlValue: "emptyString" | "default";

  constructor(options: ParameterStoreOptions) {
    this.family = options.family;
    this.catalogue = options.catalogue ?? catalogueFor(options.family);
    const base = catalogueFactory(this.catalogue, this.family);
    const overrides = options.factoryOverrides ?? {};
    for (const name of Object.keys(overrides)) {
      if (!this.catalogue.has(name)) {
        throw deviceError("DEVICE_UNKNOWN_PARAMETER", `the model has no parameter ${name}`, {
          name,
        });
      }
    }
    this.factoryLookup = (name) => {
      const f = base(name);
      const o = overrides[name];
      return f === undefined || o === undefined ? f : { value: o, access: f.access };
    };
    this.accept = catalogueAccept(this.catalogue);
    this.uaAbsent = options.uaAbsent ?? (this.family === "mpp" ? "retain" : "factoryDefault");
    this.emptyXmlValue = options.emptyXmlValue ?? "emptyString";
    this.table = this.factoryTable();
  }

  private factoryTable(): Map<string, ParameterState> {
    const table = factoryState(this.catalogue, this.family);
    for (const name of table.keys()) table.set(name, this.factoryLookup(name)!);
    return table;
  }

  /** Back to every factory value and access (§2.4 factory reset). */
  reset(): void {
    this.table = this.factoryTable();
  }

  has(name: string): boolean {
    return this.table.has(name);
  }

  /** Current value; undefined when the model has no such parameter. */
  get(name: string): string | undefined {
    return this.table.get(name)?.value;
  }

  /** Current value, throwing for a name the model does not have. */
  value(name: string): string {
    const v = this.table.get(name)?.value;
    if (v === undefined) {
      throw deviceError("DEVICE_UNKNOWN_PARAMETER", `the model has no parameter ${name}`, { name });
    }
    return v;
  }

  access(name: string): UserAccess | undefined {
    return this.table.get(name)?.access;
  }

  factory(name: string): ParameterState | undefined {
    return this.factoryLookup(name);
  }

  isFactoryValue(name: string): boolean {
    return this.get(name) === this.factoryLookup(name)?.value;
  }

  /** Snapshot of the table (name → value, access). */
  entries(): ReadonlyMap<string, ParameterState> {
    return new Map(this.table);
  }

  /**
   * Sets one value with admin authority (web UI, assignment expressions): the access is
   * kept (§4.4 "assigned values do not change user access").
   */
  set(name: string, value: string): boolean {
    const before = this.table.get(name);
    if (before === undefined) {
      throw deviceError("DEVICE_UNKNOWN_PARAMETER", `the model has no parameter ${name}`, { name });
    }
    if (!this.accept(name, value)) return false;
    this.table.set(name, { value, access: before.access });
    return true;
  }

  /** Applies a received profile exactly as §3.2.5/§3.2.6 say; returns what changed. */
  apply(profile: Profile): ApplyResult {
    const result = applyProfile(this.table, profile, {
      uaAbsent: this.uaAbsent,
      emptyXmlValue: this.emptyXmlValue,
      factory: this.factoryLookup,
      accept: this.accept,
    });
    this.table = result.state;
    return result;
  }
}
