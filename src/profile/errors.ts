import {
  type ErrorCodeList,
  ProvisioError,
  type ProvisioErrorOptions,
  type WarningCodeList,
} from "../errors.ts";

/**
 * Stable codes thrown by the profile library. Callers (CLI, API, emulator) switch on
 * these, so a code is never renamed; new failures get new codes.
 */
export const ProfileErrorCode = {
  /** A parameter name that is not `letter { letter | digit | _ | - }` (after `[n]` → `_n_`). */
  NameInvalid: "PROFILE_NAME_INVALID",
  /** A display label that cannot become an element name. */
  LabelInvalid: "PROFILE_LABEL_INVALID",
  /** An access tag / `ua` value outside na|ro|rw (only where the caller asked for strictness). */
  AccessInvalid: "PROFILE_ACCESS_INVALID",
  /** XML that is not well-formed (details.reason says which rule broke). */
  XmlMalformed: "PROFILE_XML_MALFORMED",
  /** Plain-text (SPC source) syntax error. */
  TextSyntax: "PROFILE_TEXT_SYNTAX",
  /** `import` chain that comes back to a file already being read. */
  ImportCycle: "PROFILE_IMPORT_CYCLE",
  /** `import` nested deeper than the limit (a resolver that invents names forever). */
  ImportDepth: "PROFILE_IMPORT_DEPTH",
  /** `import` with no resolver, or the resolver failed. */
  ImportFailed: "PROFILE_IMPORT_FAILED",
  /** A value the chosen format cannot carry (e.g. `"` in a plain-text value). */
  ValueUnrepresentable: "PROFILE_VALUE_UNREPRESENTABLE",
  /** A catalogue definition that contradicts itself (programming error in the data). */
  CatalogueInvalid: "PROFILE_CATALOGUE_INVALID",
} as const;

export type ProfileErrorCode = (typeof ProfileErrorCode)[keyof typeof ProfileErrorCode];

export const PROFILE_ERRORS = {
  PROFILE_NAME_INVALID: {
    status: 400,
    meaning: "A parameter name is not a letter followed by letters, digits, `_` or `-`.",
  },
  PROFILE_LABEL_INVALID: {
    status: 400,
    meaning: "A display label cannot be turned into a parameter element name.",
  },
  PROFILE_ACCESS_INVALID: { status: 400, meaning: "An access tag is not `na`, `ro` or `rw`." },
  PROFILE_XML_MALFORMED: {
    status: 400,
    meaning: "The XML profile is not well-formed; the message says which rule broke and where.",
  },
  PROFILE_TEXT_SYNTAX: {
    status: 400,
    meaning: "A plain-text (compiler source) profile has a syntax error at the given line.",
  },
  PROFILE_IMPORT_CYCLE: {
    status: 400,
    meaning: "An `import` chain comes back to a file already being read.",
  },
  PROFILE_IMPORT_DEPTH: { status: 400, meaning: "`import`s are nested deeper than the limit." },
  PROFILE_IMPORT_FAILED: { status: 400, meaning: "An imported file could not be read." },
  PROFILE_VALUE_UNREPRESENTABLE: {
    status: 400,
    meaning: "A value holds a character the chosen output format cannot carry.",
  },
  PROFILE_CATALOGUE_INVALID: {
    status: 500,
    meaning:
      "A parameter catalogue definition contradicts itself (a defect in the catalogue data).",
  },
} as const satisfies ErrorCodeList<ProfileErrorCode>;

export function profileError(
  code: ProfileErrorCode,
  message: string,
  options: ProvisioErrorOptions = {},
): ProvisioError<ProfileErrorCode> {
  return new ProvisioError(code, message, options);
}

/**
 * Non-fatal findings. Parsers and serializers return these instead of logging (the
 * library has no logger) and never fail on them: a device would still accept the input.
 */
export const ProfileWarningCode = {
  /** Value or name has code points > 0x7F; SPA firmware only handles ASCII (§3.2.4). */
  NonAscii: "PROFILE_NON_ASCII",
  /** `ua` value not na/ro/rw; the device ignores it and keeps the current access (§3.2.3). */
  AccessIgnored: "PROFILE_ACCESS_IGNORED",
  /** `ua=rw` without quotes: accepted leniently, the server never emits it (§3.2.3). */
  UnquotedAttribute: "PROFILE_UNQUOTED_ATTRIBUTE",
  /** `preserve-value` with a value other than `y`. */
  PreserveValueIgnored: "PROFILE_PRESERVE_VALUE_IGNORED",
  /** The document has no `<flat-profile>` element: nothing to apply (legit with `--alias`). */
  NoFlatProfile: "PROFILE_NO_FLAT_PROFILE",
  /** A child of `<flat-profile>` that has element children is not a parameter. */
  NestedParameter: "PROFILE_NESTED_PARAMETER",
  /** The same name twice in one profile; the last occurrence wins (§3.2.5). */
  DuplicateName: "PROFILE_DUPLICATE_NAME",
  /** Plain-text name written with spaces (seed RC template, §1.1.2); joined with `_`. */
  NameWithSpaces: "PROFILE_NAME_WITH_SPACES",
  /** A value fails its catalogue type (§12.2); the device would keep the old value. */
  ValueInvalid: "PROFILE_VALUE_INVALID",
  /** An entry with neither value nor access: XML cannot say "nothing", so it is left out. */
  NoOpEntry: "PROFILE_NOOP_ENTRY",
  /** The target format cannot express part of an entry (e.g. preserve-value in plain text). */
  AttributeDropped: "PROFILE_ATTRIBUTE_DROPPED",
  /** A name the catalogue does not know; the device ignores it (§3.2.5). */
  UnknownName: "PROFILE_UNKNOWN_NAME",
} as const;

export type ProfileWarningCode = (typeof ProfileWarningCode)[keyof typeof ProfileWarningCode];

export const PROFILE_WARNINGS = {
  PROFILE_NON_ASCII: "A name or value has non-ASCII characters, which the devices do not handle.",
  PROFILE_ACCESS_IGNORED: "An access (`ua`) value other than na/ro/rw; devices ignore it.",
  PROFILE_UNQUOTED_ATTRIBUTE: "An unquoted attribute value was accepted leniently.",
  PROFILE_PRESERVE_VALUE_IGNORED: "`preserve-value` with a value other than `y` is ignored.",
  PROFILE_NO_FLAT_PROFILE: "The document has no `<flat-profile>` element: nothing to apply.",
  PROFILE_NESTED_PARAMETER:
    "An element with child elements inside `<flat-profile>` is not a parameter.",
  PROFILE_DUPLICATE_NAME: "The same parameter appears twice; the last occurrence wins.",
  PROFILE_NAME_WITH_SPACES: "A plain-text name written with spaces; the spaces became `_`.",
  PROFILE_VALUE_INVALID: "A value does not fit the parameter's type; a device keeps its old value.",
  PROFILE_NOOP_ENTRY: "An entry with neither value nor access tag was left out.",
  PROFILE_ATTRIBUTE_DROPPED:
    "The output format cannot express part of an entry; that part was dropped.",
  PROFILE_UNKNOWN_NAME: "A parameter the catalogue does not know; devices ignore it.",
} as const satisfies WarningCodeList<ProfileWarningCode>;

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  /** The import name of the file, for plain-text sources read through `import`. */
  readonly file?: string;
}

export interface ProfileWarning {
  readonly code: ProfileWarningCode;
  readonly message: string;
  readonly name?: string;
  readonly position?: SourcePosition;
  /** Known names close to an unknown one ("did you mean"). */
  readonly suggestions?: readonly string[];
}
