/**
 * The catalogue data: per product family tables and the builder that merges them with
 * the spec's core definitions. See README.md in this folder for the sources.
 */

import type { FamilyTable } from "./family_table.ts";
import { MPP_ATA } from "./mpp_ata.ts";
import { MPP_PHONE } from "./mpp_phone.ts";
import { SIPURA } from "./sipura.ts";
import { SPA_ATA } from "./spa_ata.ts";
import { SPA1XX } from "./spa1xx.ts";
import { SPA9X2 } from "./spa9x2.ts";
import { SPA50X } from "./spa50x.ts";
import { SPA525G2 } from "./spa525g2.ts";

export { buildCatalogueData, type CatalogueBuild, type CatalogueModel } from "./build.ts";
export {
  type CatalogueCheck,
  checkCatalogueData,
  type FamilyCoverage,
  type ModelCoverage,
  modelParameterNames,
} from "./check.ts";
export {
  type FamilyModel,
  type FamilyRow,
  type FamilySection,
  type FamilyTable,
  parseRows,
} from "./family_table.ts";
export {
  BUILT_IN_MODELS,
  type BuiltInModel,
  builtInModel,
  familyModels,
  modelCounts,
} from "./models.ts";
export { inferTypeSpec, parseTypeSpec, TIME_ZONES } from "./type_spec.ts";

/** Every family table, in merge priority order (the first family's group and default lead). */
export const FAMILY_TABLES: readonly FamilyTable[] = [
  SPA1XX,
  SPA_ATA,
  SPA50X,
  SPA525G2,
  SPA9X2,
  MPP_PHONE,
  MPP_ATA,
  SIPURA,
];
