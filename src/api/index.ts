/** Public surface of the admin API module. */
export { type AdminDeps, API_METRIC_NAMES, createAdminApp } from "./admin_app.ts";
export type { Access, Principal } from "./auth.ts";
export {
  IMPORT_COLUMNS,
  type ImportLineError,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  importDevicesCsv,
} from "./device_import.ts";
export { type EffectiveConfig, EffectiveConfigResolver } from "./effective_config.ts";
export { type ApiErrorCode, apiError } from "./errors.ts";
export {
  canonicalParameterName,
  checkParameter,
  checkParameters,
  type ParameterInput,
  parseParameterArgument,
} from "./layer_parameters.ts";
export { patchLayer, replaceLayer } from "./layer_service.ts";
export * from "./resolve.ts";
