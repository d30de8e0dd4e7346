/**
 * The device emulator: one virtual SPA/MPP unit built on the same profile, rules, crypto
 * and tftp libraries as the server, so the two sides read the spec the same way.
 */
export {
  type Account,
  type EditRefusal,
  editParameter,
  type VisibleParameter,
  visibleParameters,
} from "./access_control.ts";
export { type DeviceClock, systemDeviceClock, VirtualClock } from "./clock.ts";
export { type CompatSwitches, defaultCompat } from "./compat.ts";
export {
  type Customization,
  customizationAfterRcFetch,
  initialCustomization,
  isCustomized,
  type RemoteCustomization,
} from "./customization.ts";
export { nextDailyResync } from "./daily_resync.ts";
export {
  Device,
  type DeviceEvents,
  type DeviceOptions,
  type ProvisioningIndicator,
  type RebootRecord,
  type ResyncCause,
  type ResyncReport,
  type TimerSnapshot,
} from "./device.ts";
export { DeviceLog, type LogEntry, type LogKind } from "./device_log.ts";
export { type DefaultServer, type DhcpOptions, defaultServer } from "./dhcp_options.ts";
export { DEVICE_ERRORS, type DeviceError, type DeviceErrorCode, deviceError } from "./errors.ts";
export { ERR, type FetchResult } from "./fetch_result.ts";
export {
  type DecodedFirmware,
  decodeFirmwareImage,
  encodeFirmwareImage,
  FIRMWARE_MAGIC,
  type FirmwareImage,
  imageFits,
} from "./firmware_image.ts";
export {
  type ClientCertificate,
  createIdentity,
  type DeviceIdentity,
  type DeviceIdentityInput,
  userAgent,
} from "./identity.ts";
export { type ProductInformation, productInformation } from "./info_page.ts";
export { type NetworkFetcherOptions, networkFetcher } from "./network_fetcher.ts";
export {
  ParameterStore,
  type ParameterStoreOptions,
  type StoreApplyResult,
} from "./parameter_store.ts";
export { type DecodeOptions, type DecodeOutcome, decodeProfile } from "./profile_decoder.ts";
export type { FetchRequest, ProfileFetcher, ServerNameCheck } from "./profile_fetcher.ts";
export {
  type AppliedProfileFacts,
  afterProfileApplied,
  afterResyncSucceeded,
  type ProvisioningStateName,
} from "./provisioning_state.ts";
export { seededRandom, uniformSeconds } from "./random.ts";
export {
  type ReportContext,
  type ReportResult,
  reportDocument,
  sendReport,
} from "./report_upload.ts";
export { appliesLiveByDefault } from "./restart_policy.ts";
export { hostAllowed, MAX_RESTRICTED_DOMAINS } from "./restricted_domains.ts";
export type { RequestRecord, SequenceResult } from "./resync_sequence.ts";
export {
  anyTriggerWritten,
  evaluateTriggers,
  gateClosed,
  TRIGGER_NAMES,
  type TriggerState,
} from "./resync_triggers.ts";
export { decodeShared } from "./shared_decodes.ts";
export {
  type NotifyEvent,
  parseSipRequest,
  type SipListener,
  type SipListenerOptions,
  startSipListener,
} from "./sip_notify.ts";
export {
  type SyslogTransport,
  syslogLine,
  syslogTarget,
  UdpSyslog,
} from "./syslog_sender.ts";
export { UPGRADE_ERR, type UpgradeOutcome } from "./upgrade_attempt.ts";
export {
  type DeviceWebServer,
  startWebServer,
  type WebServerOptions,
} from "./web_server.ts";
