/**
 * Public surface of the provisioning server: start a node, or use the pieces (the
 * transport-neutral resync pipeline, adapters, configuration) on their own.
 */
export {
  type AccountLineSkip,
  accountLineLayers,
  accountLineSkips,
  accountLineSource,
  modelCatalogue,
} from "./account_lines.ts";
export {
  ACTIVATION_PAGE_PATH,
  ActivationPage,
  defaultActivationUiDir,
} from "./activation_page.ts";
export {
  ActivationStatus,
  type ActivationStatusAnswer,
  type ActivationStatusState,
  parseStatusQuery,
  type StatusQuery,
} from "./activation_status.ts";
export {
  type Bootstrapped,
  bootstrapDataDir,
  loadMasterKey,
  type ModeChange,
  writeInitialAdminToken,
} from "./bootstrap.ts";
export {
  type CertificateIdentity,
  type ClientCertificate,
  certificateIdentity,
  clientCertificateOf,
} from "./client_certificate.ts";
export {
  type DatabaseConfig,
  DEFAULT_PORTS,
  describeConfig,
  type LoadConfigOptions,
  type LogLevel,
  loadServeConfig,
  redactUrl,
  type ServeConfig,
  type ServeFlags,
  type ServeLimits,
} from "./config.ts";
export { clientAddressKey } from "./connection_limit.ts";
export { type DataPaths, dataPaths } from "./data_paths.ts";
export {
  type DeviceDirectory,
  type Identification,
  type IdentifiedBy,
  identifyDevice,
} from "./device_identity.ts";
export { ClusterRegistry } from "./device_workers.ts";
export { SERVER_ERRORS, type ServerErrorCode, serverError } from "./errors.ts";
export { FIRMWARE_FOLDER, FirmwareFiles } from "./firmware_files.ts";
export { FIRMWARE_PREFIX, FirmwareFlow } from "./firmware_flow.ts";
export { type ByteRange, parseRange } from "./firmware_range.ts";
export {
  compareReleases,
  compareToRelease,
  parseImageVersion,
  parseReleaseVersion,
  type ReleaseVersion,
} from "./firmware_version.ts";
export type { FlowHook, FlowRequest, ProfileAmendment } from "./flow_hook.ts";
export {
  createDeviceRequestListener,
  createHttpServer,
  type DeviceListenerOptions,
  type ResyncHandler,
} from "./http_adapter.ts";
export {
  createHttpsServer,
  type HttpsServer,
  type TlsKeyPair,
  type TlsMaterial,
} from "./https_adapter.ts";
export {
  DeviceLifecycles,
  type DeviceLifecyclesOptions,
  type LifecycleContext,
  type LifecycleDevice,
  type LifecycleObservation,
  type LifecycleTransition,
  lifecycleLabel,
  nextLifecycle,
} from "./lifecycle.ts";
export {
  DEFAULT_LOAD_SHEDDING,
  LoadShedder,
  type LoadSheddingSettings,
  type ShedReason,
} from "./load_shedding.ts";
export { METRIC_NAMES, type ResyncResult, ServerMetrics, type Transport } from "./metrics.ts";
export {
  type AdminApp,
  type AdminDeps,
  createLogger,
  LOG_REDACT_PATHS,
  type NodeAddresses,
  type ProvisioNode,
  type StartNodeOptions,
  startNode,
} from "./node.ts";
export { type Route, type RouteMatch, RouteTable } from "./path_pattern.ts";
export { ConfigCache, type ConfigCacheOptions, type Dependencies } from "./profile_cache.ts";
export {
  accountLinesOf,
  type EffectiveParameter,
  layerTargetsOf,
  mergeDeviceLayers,
  ProfileRenderError,
  ProfileRenderer,
  type RenderedProfile,
  type RenderInput,
  renderInputOf,
  serializeFlatProfile,
} from "./profile_renderer.ts";
export {
  DEFAULT_MAX_REPORT_BYTES,
  decodeReport,
  type ParsedReport,
  parseReportBody,
  REPORT_ERRORS,
  type ReportErrorCode,
  reportCoding,
} from "./report_body.ts";
export {
  macsInReportPath,
  REPORT_PATH_PREFIX,
  ReportFlow,
  type ReportFlowOptions,
  reportKindOf,
} from "./report_flow.ts";
export {
  type CachedProfile,
  etagMatches,
  type PipelineOptions,
  ResyncPipeline,
} from "./resync_pipeline.ts";
export {
  checkTargetPath,
  type ResyncHeaders,
  type ResyncRequest,
  type ResyncResponse,
  refusal,
  type TargetCheck,
} from "./resync_request.ts";
export { ROLLOUT_METRIC_NAMES, RolloutWatch } from "./rollout_watch.ts";
export { assignWaves, decideWave, type WaveDecision } from "./rollout_waves.ts";
export { type RunningServer, startServing } from "./serve_node.ts";
export { type StatusSink, StatusWriter, type StatusWriterOptions } from "./status_writer.ts";
export {
  keyFileSealer,
  MASTER_KEY_ID,
  masterKeyId,
  nextKeyFile,
  readMasterKey,
  retiredKeyFile,
  sealerFor,
  storeOptionsFor,
} from "./store_access.ts";
export { startTftpListener, tftpResolver } from "./tftp_adapter.ts";
export {
  isTicketKeys,
  newTicketKeys,
  TICKET_KEY_ROTATION_MS,
  TicketKeyRotation,
} from "./tls_sessions.ts";
export {
  type PlanImage,
  type PlanInput,
  type PlanPolicy,
  planUpgrade,
  policyHops,
  type UpgradePlan,
  type UpgradeScheme,
} from "./upgrade_plan.ts";
export { MAX_USER_AGENT_LENGTH, parseUserAgent, type UserAgentIdentity } from "./user_agent.ts";
export {
  isValueTemplate,
  type TemplateContext,
  type TemplateContextOptions,
  templateContext,
  ValueTemplates,
} from "./value_template.ts";
