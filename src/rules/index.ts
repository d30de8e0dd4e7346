/**
 * The rules engine: macros, conditions, versions, rule parsing and evaluation, schedules.
 * Pure library (no I/O, no logging, no global mutable state), shared by the device emulator
 * and the server so both sides read a rule the same way.
 */
export type {
  Comparison,
  ComparisonOperator,
  Condition,
  ConditionContext,
  ConditionProblem,
  ConditionResult,
  ImplicitSwver,
  Operand,
} from "./condition.ts";
export { evaluateComparison, evaluateCondition, parseCondition } from "./condition.ts";
export type {
  DeviceDescription,
  LastRequest,
  ProvisioningState,
  UpgradeState,
} from "./device_variables.ts";
export { deviceVariables } from "./device_variables.ts";
export { type Diagnostic, type DiagnosticCode, RULE_WARNINGS } from "./diagnostic.ts";
export { RULE_ERRORS, type RuleError, type RuleErrorCode } from "./errors.ts";
export type {
  ExpandOptions,
  Expansion,
  MacroReplacement,
  MacroVariables,
  SecretMacroName,
  SecretReference,
} from "./macro.ts";
export {
  expandMacros,
  expandMacrosTracked,
  isSecretMacro,
  lookupMacro,
  macroSubstring,
  sourceOffset,
} from "./macro.ts";
export type {
  MatchStats,
  PathFacts,
  PathPattern,
  PathPatternOverlap,
  PatternToken,
} from "./path_pattern.ts";
export {
  compilePathPattern,
  findPathPatternOverlap,
  MAX_OVERLAP_STEPS,
  MAX_PATH_PATTERN_LENGTH,
  MAX_PATH_PATTERN_MACROS,
  pathPatternAutomatonSize,
  pathPatternsOverlap,
  tokenizePattern,
  validatePathPattern,
} from "./path_pattern.ts";
export type { DailyTime, RandomDelayUnitSeconds } from "./resync_timing.ts";
export { bootDelayMaxSeconds, parseResyncAt, resyncAtWindowMinutes } from "./resync_timing.ts";
export type {
  Assignment,
  GppLetter,
  GppParamName,
  OptionArgument,
  OptionName,
  ParsedReportRule,
  ParsedRule,
  RuleAlternative,
  RuleKind,
  RuleOption,
  RuleOptions,
  Span,
} from "./rule.ts";
export type {
  AssignOnlyAction,
  DeviceFamily,
  EvaluateOptions,
  FetchAction,
  ParameterAssignment,
  ProfileRuleAction,
  ReportAction,
  ReportRuleAction,
  ReportUpload,
  SkipAction,
  SkipReason,
  TriggerResult,
  UpgradeAction,
  UpgradeRejected,
  UpgradeRuleAction,
} from "./rule_evaluate.ts";
export {
  evaluateProfileRule,
  evaluateReportRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  ruleKindOf,
} from "./rule_evaluate.ts";
export {
  gppShortcut,
  parseProfileRule,
  parseReportRule,
  parseResyncTrigger,
  parseUpgradeRule,
} from "./rule_parser.ts";
export type { ResolveUrlOptions, RuleServer, RuleUrl, RuleUrlSyntax, Scheme } from "./rule_url.ts";
export {
  DEFAULT_PORTS,
  formatRuleUrl,
  parseRuleUrl,
  parseScheme,
  requestTarget,
  resolveRuleUrl,
} from "./rule_url.ts";
export type {
  ActiveSchedule,
  DisabledSchedule,
  RandomSource,
  Schedule,
  ScheduleItem,
} from "./schedule.ts";
export { DISABLED_SCHEDULE, parseSchedule, scheduleFromParameter } from "./schedule.ts";
export { SourcePositions, type WorkCounter } from "./source_positions.ts";
export type { FirmwareVersion, MppVersion, SpaVersion } from "./version.ts";
export {
  comparePart,
  compareVersions,
  compareVersionText,
  parseVersion,
  tryParseVersion,
} from "./version.ts";
