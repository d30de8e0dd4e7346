/**
 * The parameter model of Provisio: names, access tags, the catalogue, the XML and
 * plain-text codecs, and merging. Pure: no I/O (imports go through a callback), no
 * logging, no mutable module state.
 */
export {
  accessToSpcTag,
  isUserAccess,
  parseUserAccess,
  type SpcTag,
  type StarTagMeaning,
  spcTagToAccess,
  USER_ACCESS_VALUES,
  type UserAccess,
} from "./access.ts";
export {
  type Alias,
  applyAliasMap,
  MAX_ALIASES,
  type ParsedAliasMap,
  parseAliasMap,
} from "./alias_map.ts";
export {
  BUILT_IN_MODELS,
  type BuiltInModel,
  buildCatalogueData,
  builtInModel,
  type CatalogueBuild,
  type CatalogueCheck,
  type CatalogueModel,
  checkCatalogueData,
  FAMILY_TABLES,
  type FamilyCoverage,
  type FamilyTable,
  type ModelCoverage,
  modelParameterNames,
  parseTypeSpec,
  TIME_ZONES,
} from "./catalogue/index.ts";
export {
  type Catalogue,
  type CatalogueOptions,
  type CatalogueParameter,
  catalogueBuild,
  catalogueBuilt,
  createCatalogue,
  defaultCatalogue,
  definitionDefault,
} from "./catalogue.ts";
export { CATALOGUE_DATA } from "./catalogue_data.ts";
export { type CheckProfileOptions, checkProfile } from "./check_profile.ts";
export { editDistance } from "./edit_distance.ts";
export {
  PROFILE_ERRORS,
  PROFILE_WARNINGS,
  ProfileErrorCode,
  type ProfileWarning,
  ProfileWarningCode,
  type SourcePosition,
} from "./errors.ts";
export {
  decodeProfileBytes,
  detectProfileFormat,
  type ProfileTextFormat,
} from "./format_detect.ts";
export {
  type AppliedChange,
  type ApplyOptions,
  type ApplyResult,
  applyProfile,
  type CatalogueLayerOptions,
  type ConfigLayer,
  catalogueAccept,
  catalogueFactory,
  catalogueLayer,
  type EffectiveParameter,
  factoryState,
  type LayerContribution,
  type MergedConfig,
  type MergeOptions,
  mergedToProfile,
  mergeLayers,
  type ParameterState,
  type ParameterStates,
} from "./merge.ts";
export type {
  DeviceFamily,
  IndexKind,
  IndexSpec,
  ParameterDefinition,
  ParameterVariant,
} from "./parameter_definition.ts";
export {
  assertParameterName,
  contextIndex,
  type IndexedName,
  indexedName,
  isBracketForm,
  isParameterName,
  labelToName,
  type NameProblem,
  type NameProblemReason,
  nameToBracketForm,
  nameToLabel,
  normalizeParameterName,
  parameterNameProblem,
  splitIndexedName,
} from "./parameter_name.ts";
export {
  concatProfiles,
  duplicateNames,
  entry,
  lastOccurrences,
  type ParsedProfile,
  type Profile,
  type ProfileEntry,
  type ProfileFormat,
  profileFromValues,
  type SerializedProfile,
  withoutPositions,
} from "./profile.ts";
export {
  type ImportedText,
  type ImportResolver,
  type ParsedTextProfile,
  parseTextProfile,
  serializeTextProfile,
  type TextParseOptions,
  type TextSerializeOptions,
} from "./text_codec.ts";
export {
  describeValueType,
  isCadence,
  isDstRule,
  isSchedule,
  isToneScript,
  parseBool,
  type ValueCheck,
  type ValueIssue,
  type ValueType,
  type ValueTypeKind,
  validateValue,
} from "./value_type.ts";
export {
  escapeXmlValue,
  forbiddenControlIn,
  isXmlName,
  type ParsedXmlProfile,
  parseXmlProfile,
  serializeXmlEntry,
  serializeXmlProfile,
  XML_FLAT_PROFILE_FRAME,
  type XmlLeaf,
  type XmlParseOptions,
  type XmlSerializeOptions,
} from "./xml_codec.ts";
