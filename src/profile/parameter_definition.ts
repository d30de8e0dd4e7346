import type { UserAccess } from "./access.ts";
import type { ValueType } from "./value_type.ts";

/** Firmware families of §0.1; defaults and even names differ between them. */
export type DeviceFamily = "sipura" | "spa" | "mpp";

/** What an indexed parameter repeats over: `Proxy_1_` is per line, `Speed_Dial_2_1_` per user. */
export type IndexKind = "line" | "user";

export interface IndexSpec {
  readonly over: IndexKind;
  /** Highest index in the shipped catalogue (indices are 1..count); models override. */
  readonly count: number;
}

/**
 * One catalogue entry. An indexed parameter is described once: `name` is the base
 * (`Proxy`) and the element names are `Proxy_1_` … `Proxy_<count>_`.
 */
export interface ParameterDefinition {
  /** Element name, or the base name of an indexed parameter. */
  readonly name: string;
  /** Web-page label without the index (`Resync At (HHmm)`, `User ID`). */
  readonly label: string;
  readonly indexed?: IndexSpec;
  readonly type: ValueType;
  /** Factory default on SPA firmware (also Sipura unless `defaultSipura`). */
  readonly defaultValue: string;
  /** Factory default on MPP firmware, where it differs. */
  readonly defaultMpp?: string;
  /** Factory default on Sipura firmware, where it differs. */
  readonly defaultSipura?: string;
  /** Factory user access (what `uaAbsent: "factoryDefault"` restores, C5). */
  readonly userAccess: UserAccess;
  /** Never displayed or reported (GPP_SA..SD, passwords, keys). */
  readonly secret?: boolean;
  /** Spec section that describes the parameter. */
  readonly section: string;
  /** Families that have the parameter; absent = all. */
  readonly families?: readonly DeviceFamily[];
  readonly notes?: string;
}
