import type { DeviceFamily, IndexKind } from "../parameter_definition.ts";

/**
 * The device models the catalogue covers: what a factory unit reports (`$PN`, `$PSN`), how
 * many lines it has (FXS ports on an ATA, extensions on a phone), how many line keys, and
 * the `Profile_Rule` it ships with — so the server knows what a factory unit will ask for.
 *
 * Kept apart from the family tables (which take their models from here) so that listing
 * models never loads or parses the parameter tables.
 */
export interface BuiltInModel {
  /** Product name as the device reports it in `$PN`. */
  readonly pn: string;
  /** Product series number (`$PSN`), as it appears in the factory `Profile_Rule`. */
  readonly psn: string;
  /** Catalogue family table id (`spa1xx`, `mpp-phone`, …). */
  readonly family: string;
  readonly deviceFamily: DeviceFamily;
  readonly kind: "ata" | "phone";
  /** Lines: an ATA's FXS ports, a phone's extensions. */
  readonly lines: number;
  /** FXS ports (ATAs; 0 on phones). */
  readonly fxsPorts: number;
  /** Programmable line keys (phones; 0 on ATAs). */
  readonly lineKeys: number;
  /** Factory default `Profile_Rule` (a path only: scheme and server come from DHCP). */
  readonly factoryProfileRule: string;
  readonly description: string;
}

const ata = (
  pn: string,
  psn: string,
  family: string,
  deviceFamily: DeviceFamily,
  ports: number,
  factoryProfileRule: string,
  description: string,
): BuiltInModel => ({
  pn,
  psn,
  family,
  deviceFamily,
  kind: "ata",
  lines: ports,
  fxsPorts: ports,
  lineKeys: 0,
  factoryProfileRule,
  description,
});

const phone = (
  pn: string,
  psn: string,
  family: string,
  deviceFamily: DeviceFamily,
  keys: number,
  factoryProfileRule: string,
  description: string,
): BuiltInModel => ({
  pn,
  psn,
  family,
  deviceFamily,
  kind: "phone",
  lines: keys,
  fxsPorts: 0,
  lineKeys: keys,
  factoryProfileRule,
  description,
});

// Factory rules: `/spa$PSN.cfg` on SPA, `/ata$PSN.cfg` on the MPP ATAs, `/$PSN.xml` on MPP
// phones, `/spa.cfg` on the earliest Sipura firmware — expanded here with each model's PSN.
const spa = (psn: string) => `/spa${psn}.cfg`;
const mppAta = (psn: string) => `/ata${psn}.cfg`;
const mppPhone = (psn: string) => `/${psn}.xml`;

export const BUILT_IN_MODELS: readonly BuiltInModel[] = Object.freeze([
  ata("SPA112", "112", "spa1xx", "spa", 2, spa("112"), "Cisco SPA112 2-port ATA"),
  ata("SPA122", "122", "spa1xx", "spa", 2, spa("122"), "Cisco SPA122 2-port ATA with router"),
  ata("SPA2102", "2102", "spa-ata", "spa", 2, spa("2102"), "Linksys SPA2102 2-port ATA"),
  ata("SPA3102", "3102", "spa-ata", "spa", 1, spa("3102"), "Linksys SPA3102 1 FXS + 1 FXO"),
  ata("SPA8000", "8000", "spa-ata", "spa", 8, spa("8000"), "Linksys SPA8000 8-port ATA"),
  phone("SPA303", "303", "spa50x", "spa", 3, spa("303"), "Cisco SPA303 3-line phone"),
  phone("SPA504G", "504G", "spa50x", "spa", 4, spa("504G"), "Cisco SPA504G 4-line phone"),
  phone("SPA525G2", "525G2", "spa525g2", "spa", 5, spa("525G2"), "Cisco SPA525G2 5-line phone"),
  phone("SPA962", "962", "spa9x2", "spa", 6, spa("962"), "Linksys SPA962 6-line phone"),
  phone(
    "CP-6841-3PCC",
    "6841",
    "mpp-phone",
    "mpp",
    4,
    mppPhone("6841"),
    "Cisco IP Phone 6841 (MPP)",
  ),
  phone(
    "CP-6851-3PCC",
    "6851",
    "mpp-phone",
    "mpp",
    4,
    mppPhone("6851"),
    "Cisco IP Phone 6851 (MPP)",
  ),
  phone(
    "CP-7821-3PCC",
    "7821",
    "mpp-phone",
    "mpp",
    2,
    mppPhone("7821"),
    "Cisco IP Phone 7821 (MPP)",
  ),
  phone(
    "CP-7841-3PCC",
    "7841",
    "mpp-phone",
    "mpp",
    4,
    mppPhone("7841"),
    "Cisco IP Phone 7841 (MPP)",
  ),
  phone(
    "CP-7861-3PCC",
    "7861",
    "mpp-phone",
    "mpp",
    16,
    mppPhone("7861"),
    "Cisco IP Phone 7861 (MPP)",
  ),
  phone(
    "CP-8811-3PCC",
    "8811",
    "mpp-phone",
    "mpp",
    10,
    mppPhone("8811"),
    "Cisco IP Phone 8811 (MPP)",
  ),
  phone(
    "CP-8841-3PCC",
    "8841",
    "mpp-phone",
    "mpp",
    10,
    mppPhone("8841"),
    "Cisco IP Phone 8841 (MPP)",
  ),
  phone(
    "CP-8851-3PCC",
    "8851",
    "mpp-phone",
    "mpp",
    10,
    mppPhone("8851"),
    "Cisco IP Phone 8851 (MPP)",
  ),
  phone(
    "CP-8861-3PCC",
    "8861",
    "mpp-phone",
    "mpp",
    10,
    mppPhone("8861"),
    "Cisco IP Phone 8861 (MPP)",
  ),
  ata("ATA191-MPP", "191", "mpp-ata", "mpp", 2, mppAta("191"), "Cisco ATA191 2-port ATA (MPP)"),
  ata("ATA192-MPP", "192", "mpp-ata", "mpp", 2, mppAta("192"), "Cisco ATA192 2-port ATA (MPP)"),
  ata("SPA-2000", "2000", "sipura", "sipura", 2, "/spa.cfg", "Sipura SPA-2000 2-port ATA"),
  ata("SPA-3000", "3000", "sipura", "sipura", 1, "/spa.cfg", "Sipura SPA-3000 1 FXS + 1 FXO"),
]);

const BY_PN = new Map(BUILT_IN_MODELS.map((m) => [m.pn, m]));

/** The built-in model with this product name, if any. */
export function builtInModel(pn: string): BuiltInModel | undefined {
  return BY_PN.get(pn);
}

/** Index counts a family table expands indexed rows with (ATAs: lines and users; phones: lines and line keys). */
export function modelCounts(model: BuiltInModel): Readonly<Partial<Record<IndexKind, number>>> {
  return model.kind === "ata"
    ? { line: model.lines, user: model.lines }
    : { line: model.lines, lineKey: model.lineKeys };
}

/** A family table's models, in the shape the tables use. */
export function familyModels(
  family: string,
): { name: string; counts: Readonly<Partial<Record<IndexKind, number>>> }[] {
  return BUILT_IN_MODELS.filter((m) => m.family === family).map((m) => ({
    name: m.pn,
    counts: modelCounts(m),
  }));
}
