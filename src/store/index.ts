/**
 * Public surface of the store (`src/store`). Other modules import from here only.
 *
 * - `openStore(options, { sealer })` → `Store` (see `store.ts` for every repository).
 * - Records and constants: `types.ts`.
 * - `parseMac` / `tryParseMac` make the branded `MacAddress`.
 * - `Secret`: sealed-at-rest values, redacted when serialised.
 */

export { formatMac, parseMac, tryParseMac } from "../mac_address.ts";
export {
  type ActivationCode,
  type ActivationCodeInput,
  type ActivationCodeRepository,
  type ActivationCodeState,
  activationCodeState,
  DEFAULT_ACTIVATION_CODE_LENGTH,
  DEFAULT_ACTIVATION_CODE_TTL_MS,
  looksLikeActivationCode,
  MAX_ACTIVATION_CODE_LENGTH,
  MIN_ACTIVATION_CODE_LENGTH,
} from "./activation_codes.ts";
export type { ActivityBatch } from "./activity.ts";
export { type CaBundle, readCaBundle } from "./client_ca.ts";
export {
  type DeviceKeyQuery,
  type DeviceKeyRepository,
  type DeviceSecureKeys,
  looksLikeSecureDirectory,
  type RotationResult,
  type RotationScope,
  SECURE_BOOTSTRAP_VIAS,
  type SecureBootstrapVia,
  type SecureKeyPair,
  type SecureKeyStatus,
} from "./device_keys.ts";
export {
  DEFAULT_COUNT_CAP,
  DEVICE_SORT_KEYS,
  type DeviceSearchPage,
  type DeviceSearchPosition,
  type DeviceSearchQuery,
  type DeviceSortKey,
} from "./device_search.ts";
export { STORE_ERRORS, type StoreErrorCode } from "./errors.ts";
export {
  type FirmwareImageInput,
  type FirmwareImageRecord,
  type FirmwareRepository,
  isFirmwareFileName,
  MAX_FIRMWARE_MODELS,
  MAX_INTERMEDIATES,
  UPGRADE_SCHEMES,
  type UpgradePolicy,
  type UpgradePolicyInput,
  type UpgradeSchemeName,
} from "./firmware.ts";
export {
  type ActiveRollout,
  type ActivityBucket,
  type CountBy,
  type FleetStatsRepository,
  SECURITY_RESULTS,
} from "./fleet_stats.ts";
export { layerKey } from "./layer_key.ts";
export { parseLayerKey } from "./layers.ts";
export {
  checkPasswordPolicy,
  MAX_PASSWORD_BYTES,
  MIN_PASSWORD_LENGTH,
  PASSWORD_PARAMETERS,
} from "./passwords.ts";
export {
  hostWithinDomains,
  MAX_RESTRICTED_DOMAINS,
  parseRestrictedDomains,
  type RedirectProfile,
  type RedirectProfileFields,
  type RedirectProfileInput,
} from "./redirect_profile.ts";
export {
  CUSTOMIZATION_STATUSES,
  type CustomizationStatus,
  heldElsewhere,
  type RedirectGrant,
  type RedirectGrantInput,
  type RedirectRegisterOptions,
  type RedirectRegisterResult,
  type RedirectRepository,
  type RedirectUnit,
  type RedirectUnitQuery,
} from "./redirects.ts";
export {
  DEFAULT_REPORT_HISTORY,
  type DeviceReport,
  type DeviceReportInput,
  type DeviceReportSummary,
  MAX_REPORT_ENTRIES,
  REPORT_KINDS,
  type ReportEntry,
  type ReportKind,
  type ReportRepository,
} from "./reports.ts";
export {
  type EligibleUnit,
  MAX_WAVES,
  MEMBER_STATUSES,
  type MemberOutcome,
  type MemberStatus,
  ROLLOUT_STATES,
  type Rollout,
  type RolloutInput,
  type RolloutMember,
  type RolloutRepository,
  type RolloutState,
  validWaves,
  type WaveProgress,
} from "./rollouts.ts";
export {
  isSecret,
  type KeyNotice,
  type SealerKeyRing,
  Secret,
  type SecretSealer,
} from "./secret.ts";
export {
  DEFAULT_SESSION_LIMITS,
  hashSessionId,
  type ResolvedSession,
  type Session,
  type SessionLimits,
  type SessionOwner,
  type SessionRepository,
} from "./sessions.ts";
export * from "./store.ts";
export { generateToken, hashToken } from "./tokens.ts";
export * from "./types.ts";
export {
  parseUsername,
  type User,
  type UserInput,
  type UserPatch,
  type UserRepository,
} from "./users.ts";
