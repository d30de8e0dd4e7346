/**
 * Public surface of the admin services: what the REST API (`api/`) and the management CLI
 * (`cli/`) share — record lookup and serialisation, layer editing, CSV device import, the
 * effective configuration, and the admin error codes. Neither Fastify nor the server node is
 * loaded from here, so a management command starts without them (decision D1).
 */

/** How the device plane keys a source address (IPv4, or IPv6 /64): the sign-in throttle's too. */
export { clientAddressKey } from "../server/index.ts";
export {
  activationCodeJson,
  activationUrls,
  type IssuedActivationCode,
  issueActivationCode,
} from "./activation_service.ts";
export {
  type ChangePreview,
  DEFAULT_PREVIEW_DEVICES,
  LayerChangePreview,
  MAX_PREVIEW_DEVICES,
  type ParameterChange,
  type PreviewOptions,
} from "./change_preview.ts";
export { type CsvOptions, type CsvRecord, readCsv } from "./csv.ts";
export {
  IMPORT_COLUMNS,
  type ImportLineError,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  importDevicesCsv,
} from "./device_import.ts";
export { decodeCursor, encodeCursor, parseMacFragment } from "./device_search_params.ts";
export {
  type EffectiveConfig,
  type EffectiveConfigOptions,
  EffectiveConfigResolver,
  type EffectiveParameterView,
} from "./effective_config.ts";
export { API_ERRORS, type ApiErrorCode, apiError, notFound } from "./errors.ts";
export {
  type FirmwareUpload,
  MAX_FIRMWARE_BYTES,
  moveRollout,
  ROLLOUT_ACTIONS,
  type RolloutAction,
  type RolloutStart,
  type RolloutView,
  removeFirmware,
  rolloutView,
  setUpgradePolicy,
  startRollout,
  uploadFirmware,
} from "./firmware_service.ts";
export {
  ACCESS_VALUES,
  canonicalParameterName,
  checkParameter,
  checkParameters,
  type ParameterCheckOptions,
  type ParameterInput,
  parseParameterArgument,
  patchParameters,
} from "./layer_parameters.ts";
export { type LayerEditOptions, patchLayer, replaceLayer } from "./layer_service.ts";
export { parseLifecycleFilter } from "./lifecycle_filter.ts";
export {
  type CatalogueEntry,
  catalogueEntries,
  catalogueFor,
  type ParameterVerdict,
  validateParameter,
} from "./parameter_catalogue.ts";
export {
  MAX_PUSH_DEVICES,
  PUSH_EVENTS,
  type PushOutcome,
  type PushResult,
  type PushVia,
  parseContact,
} from "./push_request.ts";
export {
  MAX_RUNNING_PUSHES,
  MAX_RUNNING_PUSHES_PER_TENANT,
  MAX_SINGLE_PUSHES,
  MAX_SINGLE_PUSHES_PER_TENANT,
  type PushOptions,
  type PushProgress,
  pushDevices,
  pushProgress,
  SinglePushGate,
} from "./push_resync.ts";
export {
  customizationLabel,
  type MacListLineError,
  notGranted,
  parseMacRange,
  readMacList,
  redirectGrantJson,
  redirectProfileJson,
  redirectUnitJson,
  registerOne,
} from "./redirect_service.ts";
export {
  computeDrift,
  type DeviceDrift,
  type DriftItem,
  type DriftKind,
  deviceDrift,
  type ExpectedParameter,
  reportedView,
  reportJson,
  reportsForDrift,
} from "./report_drift.ts";
export {
  findAccount,
  findGroup,
  findTenant,
  parseMacParam,
  resolveAccount,
  resolveGroup,
  resolveTenant,
  tenantSlugs,
} from "./resolve.ts";
export {
  resetSecureKeys,
  rotateSecureKeys,
  type SecureKeyState,
  type SecureKeysJson,
  secureKeyState,
  secureKeysJson,
} from "./secure_provisioning.ts";
export {
  accountJson,
  auditJson,
  deviceJson,
  eventJson,
  groupJson,
  layerJson,
  modelJson,
  tenantJson,
  tokenJson,
} from "./serialize.ts";
