import type { UserAccess } from "./access.ts";
import type { ValueType } from "./value_type.ts";

/** Firmware families of §0.1; defaults and even names differ between them. */
export type DeviceFamily = "sipura" | "spa" | "mpp";

/**
 * What an indexed parameter repeats over: `Proxy_1_` is per line (an ATA's Line n tab,
 * which is FXS port n, or a phone's Ext n tab), `Speed_Dial_2_1_` per user (an ATA's User n
 * tab), `Extension_1_` per line key (a phone's Line Key n).
 */
export type IndexKind = "line" | "user" | "lineKey";

/** One product family's view of a parameter (web group, default, ua, models). */
export interface ParameterVariant {
  /** Catalogue family id (`spa1xx`, `spa-ata`, `spa50x`, `spa525g2`, `spa9x2`, `mpp-phone`, `mpp-ata`, `sipura`). */
  readonly family: string;
  readonly deviceFamily: DeviceFamily;
  /** Web tab/section path as exports write `group="…"`; `[n]` stands for the index. */
  readonly group: string;
  readonly defaultValue: string;
  readonly userAccess: UserAccess;
  /** Models of the family that carry the parameter. */
  readonly models: readonly string[];
  readonly type: ValueType;
  /** Index kind in this family (absent for plain parameters). */
  readonly indexOver?: IndexKind;
}

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
  /** Web group of the first product family carrying it (`SIP/SIP_Parameters`). */
  readonly group?: string;
  /** Device models that carry it; absent = not recorded (the spec-only core). */
  readonly models?: readonly string[];
  /** Per product family details, where the catalogue data records them. */
  readonly variants?: readonly ParameterVariant[];
}
