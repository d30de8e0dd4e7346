/**
 * TypeBox schemas of the admin API: Fastify validates requests and serialises responses with
 * them, and @fastify/swagger publishes them in the OpenAPI document — one definition each.
 * Response schemas list every field the API may return; anything else (sealed secrets) is
 * dropped by the serialiser even if a handler forgot to.
 */
import { Kind, type Static, type TSchema, Type } from "@sinclair/typebox";

/**
 * `T | null` as `type: [T, "null"]` (or an enum with null) rather than `anyOf`: with Ajv's type
 * coercion (needed for query strings) an `anyOf` would turn a JSON `null` into `""` in its
 * first branch; a type list matches null as it is.
 */
function Nullable<T extends TSchema>(schema: T) {
  const raw = schema as unknown as Record<string, unknown>;
  const { [Kind]: _kind, ...plain } = raw as Record<string | symbol, unknown>;
  if (typeof raw.type === "string") {
    return Type.Unsafe<Static<T> | null>({ ...plain, type: [raw.type, "null"] });
  }
  const anyOf = raw.anyOf;
  if (
    Array.isArray(anyOf) &&
    anyOf.every((b: { const?: unknown }) => typeof b.const === "string")
  ) {
    const values = anyOf.map((b: { const: string }) => b.const);
    return Type.Unsafe<Static<T> | null>({ type: ["string", "null"], enum: [...values, null] });
  }
  return Type.Union([schema, Type.Null()]);
}
const DateTime = Type.String({ format: "date-time" });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "stable error code, e.g. API_UNKNOWN_PARAMETER" }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { title: "Error" },
);

export const Mac = Type.String({
  description:
    "MAC address: 12 hex digits, optionally separated by : or - (canonical form: lower case, no separators)",
  maxLength: 17,
  examples: ["000e08abcdef"],
});

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

// --- tenants ------------------------------------------------------------------------------------

export const TenantSettingsSchema = Type.Object({
  profilePaths: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 32 }),
  requireClientCert: Type.Boolean(),
  autoCreate: Type.Boolean(),
  trustedClientCas: Type.Array(Type.String({ maxLength: 16384 }), { maxItems: 32 }),
  encryption: Type.Union([Type.Literal("none"), Type.Literal("gzip"), Type.Literal("aes")]),
  allowUnknownParameters: Type.Boolean({
    description:
      "accept layer parameters the catalogue does not know, with a warning (firmware newer than the catalogue)",
  }),
  activationByUserAgent: Type.Boolean({
    description:
      "activation codes may bind a unit that presents no device certificate by the MAC in its User-Agent (anyone can write one: for units without certificates only)",
  }),
  staging: Type.Boolean({
    description:
      "answer factory units' files (/spa112.cfg, /8851.xml, …) with this tenant's staging profile (the staging layer); on for the default tenant of a fresh install",
  }),
  secureProvisioning: Type.Union(
    [Type.Literal("off"), Type.Literal("on"), Type.Literal("lan-bootstrap")],
    {
      description:
        "secure provisioning: 'on' sends each unit a per-device key and random directory once (over HTTPS with its device certificate, or in a file only it can open), then serves its profile only there, encrypted; 'lan-bootstrap' may send the key in clear the first time (trusted LAN only)",
    },
  ),
  keyRotationDays: Type.Integer({
    minimum: 0,
    maximum: 3650,
    description: "rotate each unit's key and directory after this many days (0: on demand only)",
  }),
  aes128gcmModels: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    maxItems: 256,
    description:
      "product names (MPP) whose profiles are served with Content-Encoding: aes128gcm (RFC 8188), keyed by the phone's IKM_HTTP_Encrypt_Content (not over TFTP, not for AES-256-CBC profiles)",
  }),
  brandAccent: Type.Union([Type.String({ pattern: "^#[0-9a-fA-F]{6}$" }), Type.Null()], {
    description:
      "the customer's activation page: accent colour (#rrggbb) once a code of this tenant is entered; null: the page's own",
  }),
  brandLogoText: Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()], {
    description:
      "the customer's activation page: a short text shown as the logo (plain text, never markup); null: none",
  }),
});

export const TenantSchema = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    settings: TenantSettingsSchema,
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: "Tenant" },
);

export const TenantCreate = Type.Object(
  {
    slug: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$" }),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    settings: Type.Optional(Type.Partial(TenantSettingsSchema)),
  },
  { additionalProperties: false },
);
export type TenantCreate = Static<typeof TenantCreate>;

export const TenantPatchBody = Type.Partial(TenantCreate, { additionalProperties: false });
export type TenantPatchBody = Static<typeof TenantPatchBody>;

// --- models ---------------------------------------------------------------------------------------

export const ModelSchema = Type.Object(
  {
    pn: Type.String(),
    psn: Nullable(Type.String()),
    family: Type.String(),
    description: Nullable(Type.String()),
    lines: Type.Integer(),
    fxsPorts: Type.Integer({ description: "FXS ports (ATAs)" }),
    lineKeys: Type.Integer({ description: "programmable line keys (phones)" }),
    factoryProfileRule: Nullable(
      Type.String({ description: "the Profile_Rule a factory unit ships with" }),
    ),
    builtIn: Type.Boolean({ description: "shipped with the parameter catalogue" }),
    version: Type.Integer({ description: "0 while a built-in model has no stored override" }),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: "Model" },
);

export const ModelBody = Type.Object(
  {
    psn: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    family: Type.String({ minLength: 1, maxLength: 64, examples: ["spa", "mpp"] }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
    lines: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
  },
  { additionalProperties: false },
);
export type ModelBody = Static<typeof ModelBody>;

// --- devices ----------------------------------------------------------------------------------------

export const DeviceStatusSchema = Type.Object({
  at: DateTime,
  remoteAddress: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  firmware: Nullable(Type.String()),
  result: Type.String(),
  transport: Nullable(Type.String()),
});

export const DeviceSchema = Type.Object(
  {
    mac: Type.String(),
    tenantId: Type.String(),
    model: Nullable(Type.String()),
    serial: Nullable(Type.String()),
    accountId: Nullable(Type.String()),
    groupId: Nullable(Type.String()),
    label: Nullable(Type.String()),
    state: Type.String(),
    encryption: Nullable(Type.String()),
    certSubject: Nullable(Type.String()),
    certFingerprint: Nullable(Type.String()),
    hasDeviceKey: Type.Boolean({ description: "the key itself is never returned" }),
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
    status: Nullable(DeviceStatusSchema),
    lifecycle: Nullable(
      Type.Object(
        {
          state: Type.Union(
            ["MFG-RESET", "SP-CUST", "SEC-PRV-1", "SEC-PRV-2"].map((s) => Type.Literal(s)),
            {
              description:
                "where the unit is in its provisioning life, as the server tells it from what it served and what the unit fetched next",
            },
          ),
          since: DateTime,
          cause: Nullable(Type.String({ description: "what showed it" })),
        },
        { title: "DeviceLifecycle", description: "null: the server never saw the unit" },
      ),
    ),
  },
  { title: "Device" },
);

const DeviceFields = {
  tenant: Type.Optional(
    Type.String({
      description: "tenant id or slug (default: the token's tenant, else `default`)",
      maxLength: 64,
    }),
  ),
  model: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  serial: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  account: Type.Optional(
    Nullable(Type.String({ description: "account id or reference", maxLength: 128 })),
  ),
  group: Type.Optional(Nullable(Type.String({ description: "group id or name", maxLength: 255 }))),
  label: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  state: Type.Optional(Type.String({ pattern: "^[a-z][a-z0-9-]{0,31}$" })),
  encryption: Type.Optional(
    Nullable(Type.Union([Type.Literal("none"), Type.Literal("gzip"), Type.Literal("aes")])),
  ),
  deviceKey: Type.Optional(
    Nullable(Type.String({ minLength: 1, maxLength: 1024, description: "write-only" })),
  ),
};

export const DeviceCreate = Type.Object(
  { mac: Mac, ...DeviceFields },
  { additionalProperties: false },
);
export type DeviceCreate = Static<typeof DeviceCreate>;

export const DevicePatchBody = Type.Object(DeviceFields, { additionalProperties: false });
export type DevicePatchBody = Static<typeof DevicePatchBody>;

export const DeviceSearchQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    account: Type.Optional(Type.String({ maxLength: 128 })),
    group: Type.Optional(Type.String({ maxLength: 255 })),
    model: Type.Optional(Type.String({ maxLength: 64 })),
    state: Type.Optional(Type.String({ maxLength: 32 })),
    lifecycle: Type.Optional(
      Type.Union(
        ["MFG-RESET", "SP-CUST", "SEC-PRV-1", "SEC-PRV-2", "none"].map((s) => Type.Literal(s)),
        { description: "devices in this lifecycle state; none: never seen by the server" },
      ),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 128,
        pattern: "^[^\\u0000-\\u001f\\u007f]*$",
        description:
          "free text: a MAC fragment in any notation, a serial or account reference prefix, a label substring",
      }),
    ),
    firmware: Type.Optional(
      Type.String({ maxLength: 128, description: "firmware version the device last reported" }),
    ),
    seen_before: Type.Optional(
      Type.String({ maxLength: 40, description: "last resync before this ISO 8601 time" }),
    ),
    seen_after: Type.Optional(
      Type.String({ maxLength: 40, description: "last resync at or after this ISO 8601 time" }),
    ),
    never_seen: Type.Optional(
      Type.Boolean({ description: "true: only devices never seen; false: only those seen" }),
    ),
    sort: Type.Optional(
      Type.Union(
        [
          Type.Literal("mac"),
          Type.Literal("last_seen"),
          Type.Literal("model"),
          Type.Literal("state"),
        ],
        { description: "order (then by MAC); default mac" },
      ),
    ),
    order: Type.Optional(
      Type.Union([Type.Literal("asc"), Type.Literal("desc")], { description: "default asc" }),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 400, description: "the `cursor` of the previous page" }),
    ),
    after: Type.Optional(
      Type.String({
        maxLength: 17,
        description: "MAC order only: the `next` of the previous page",
      }),
    ),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type DeviceSearchQuery = Static<typeof DeviceSearchQuery>;

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    next: Nullable(
      Type.String({ description: "pass as `after` for the next page; null on the last" }),
    ),
  });

export const DeviceSearchPage = Type.Object({
  items: Type.Array(DeviceSchema),
  next: Nullable(
    Type.String({
      description: "MAC order ascending only: pass as `after` for the next page; null otherwise",
    }),
  ),
  cursor: Nullable(
    Type.String({
      description: "pass as `cursor` for the next page (any order); null on the last",
    }),
  ),
  total: Type.Integer({ description: "matches; at most 10,000 when `total_exact` is false" }),
  total_exact: Type.Boolean({
    description: "false: more than 10,000 devices match and `total` is that bound",
  }),
});

export const PageQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    after: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

export const AccountListQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    q: Type.Optional(
      Type.String({
        maxLength: 128,
        pattern: "^[^\\u0000-\\u001f\\u007f]*$",
        description:
          "free text: a reference or line user-id prefix, or a name substring (any case)",
      }),
    ),
    after: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type AccountListQuery = Static<typeof AccountListQuery>;

export const MacParams = Type.Object({ mac: Type.String({ maxLength: 32 }) });
export type MacParams = Static<typeof MacParams>;
export const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) });
export type IdParams = Static<typeof IdParams>;

export const ImportQuery = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof ImportQuery>;

// --- operations -------------------------------------------------------------------------------------

export const LineError = Type.Object({
  line: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
});

export const PushResultSchema = Type.Object(
  {
    mac: Type.String(),
    via: Type.String(),
    event: Type.String(),
    outcome: Type.String({
      description:
        "accepted, rejected, unauthorized, timeout, no-contact, unreachable, failed, error, cancelled",
    }),
    contact: Nullable(Type.String()),
    contactFrom: Nullable(Type.String()),
    status: Nullable(Type.Integer()),
    challenged: Type.Boolean(),
    transmissions: Type.Integer(),
    message: Nullable(Type.String()),
  },
  { title: "PushResult" },
);

export const OperationSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    status: Type.Union([
      Type.Literal("running"),
      Type.Literal("succeeded"),
      Type.Literal("failed"),
    ]),
    tenantId: Nullable(Type.String()),
    startedAt: DateTime,
    finishedAt: Nullable(DateTime),
    progress: Type.Object({
      rowsRead: Type.Integer({ description: "data rows parsed so far" }),
      committed: Type.Integer({ description: "rows committed to the database (acknowledged)" }),
      rejected: Type.Integer({ description: "rows refused (see errors)" }),
      lastCommittedLine: Nullable(
        Type.Integer({ description: "file line of the last committed row" }),
      ),
    }),
    errors: Type.Array(LineError, { description: "first 1,000 refused rows" }),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    push: Type.Optional(
      Type.Object(
        {
          event: Type.String(),
          via: Type.String(),
          devices: Type.Integer({ description: "devices the push addresses" }),
          done: Type.Integer({ description: "devices with a result so far" }),
          outcomes: Type.Record(Type.String(), Type.Integer(), {
            description: "results so far by outcome",
          }),
          results: Type.Array(PushResultSchema, {
            description: "one per device, in the order they finished",
          }),
        },
        { description: "a push operation's progress and results (`progress` is for imports)" },
      ),
    ),
  },
  { title: "Operation" },
);

// --- accounts ---------------------------------------------------------------------------------------

export const AccountLineSchema = Type.Object({
  line: Type.Integer(),
  userId: Type.String(),
  authId: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  proxy: Nullable(Type.String()),
  outboundProxy: Nullable(Type.String()),
  voicemailId: Nullable(Type.String()),
  extras: Type.Record(Type.String(), Type.String(), {
    description: "per-line parameters by base name (`Register_Expires` → `Register_Expires_N_`)",
  }),
  hasPassword: Type.Boolean({ description: "passwords are write-only" }),
});

export const AccountSchema = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    reference: Type.String(),
    name: Nullable(Type.String()),
    lines: Type.Array(AccountLineSchema),
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: "Account" },
);

export const AccountLineInput = Type.Object(
  {
    line: Type.Integer({ minimum: 1, maximum: 64 }),
    userId: Type.String({ minLength: 1, maxLength: 255 }),
    authId: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    password: Type.Optional(
      Nullable(
        Type.String({ maxLength: 255, description: "write-only; omit to keep the current one" }),
      ),
    ),
    displayName: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    proxy: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    outboundProxy: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    voicemailId: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
    extras: Type.Optional(
      Nullable(
        Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1024 }), {
          maxProperties: 32,
          description:
            "per-line parameters by base name, e.g. {\"Register_Expires\": \"3600\"} → Register_Expires_N_; names the device's model lacks (or values not of its type) are left out of its profile and listed in the effective configuration's warnings; the line's own fields (User_ID, Password, Proxy…, in any case) and secret parameters cannot be extras (extras are not sealed: a SIP password is the line's password, other secrets go in a layer)",
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export const AccountCreate = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    reference: Type.String({ minLength: 1, maxLength: 128 }),
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    lines: Type.Optional(Type.Array(AccountLineInput, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type AccountCreate = Static<typeof AccountCreate>;

export const AccountPatchBody = Type.Object(
  {
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    lines: Type.Optional(Type.Array(AccountLineInput, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type AccountPatchBody = Static<typeof AccountPatchBody>;

// --- activation codes -------------------------------------------------------------------------

export const ActivationCodeSchema = Type.Object(
  {
    id: Type.String(),
    account: Type.String(),
    state: Type.Union([Type.Literal("active"), Type.Literal("used"), Type.Literal("expired")]),
    createdAt: Type.String({ format: "date-time" }),
    expiresAt: Type.String({ format: "date-time" }),
    usedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    boundMac: Type.Union([Type.String(), Type.Null()]),
    createdBy: Type.String(),
  },
  { title: "ActivationCode" },
);

export const TenantActivationCodeSchema = Type.Composite(
  [
    ActivationCodeSchema,
    Type.Object({
      accountReference: Type.Union([Type.String(), Type.Null()], {
        description: "the account's reference (null if it is gone)",
      }),
      accountName: Type.Union([Type.String(), Type.Null()]),
    }),
  ],
  { title: "TenantActivationCode" },
);

export const IssuedActivationCodeSchema = Type.Object({
  code: Type.String({ description: "shown only here: it is stored hashed" }),
  initUrl: Type.Union([Type.String(), Type.Null()]),
  deviceUrl: Type.Union([
    Type.String({ description: "http://DEVICE/admin/resync?https://PROV/init/CODE" }),
    Type.Null(),
  ]),
  record: ActivationCodeSchema,
});

// --- groups -------------------------------------------------------------------------------------------

export const GroupSchema = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: "Group" },
);

export const GroupCreate = Type.Object(
  {
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  },
  { additionalProperties: false },
);
export type GroupCreate = Static<typeof GroupCreate>;

export const GroupPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
  },
  { additionalProperties: false },
);
export type GroupPatchBody = Static<typeof GroupPatchBody>;

// --- layers ------------------------------------------------------------------------------------------

const Access = Type.Union([Type.Literal("na"), Type.Literal("ro"), Type.Literal("rw")]);

export const LayerParameterSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, examples: ["Proxy_1_", "Proxy[1]"] }),
    value: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
    access: Type.Optional(Nullable(Access)),
  },
  { additionalProperties: false },
);
export type LayerParameterBody = Static<typeof LayerParameterSchema>;

export const LayerSchema = Type.Object(
  {
    key: Type.String({ examples: ["tenant:default", "device:000e08abcdef"] }),
    scope: Type.String(),
    parameters: Type.Array(
      Type.Object({
        name: Type.String(),
        value: Nullable(Type.String({ description: "null: access only, or a withheld secret" })),
        access: Nullable(Type.String()),
        secret: Type.Boolean({
          description: "a password: its value is shown to admin tokens only",
        }),
      }),
    ),
    version: Type.Integer({ description: "0 when the layer does not exist yet" }),
    updatedAt: Nullable(DateTime),
    warnings: Type.Optional(
      Type.Array(Type.String(), {
        description:
          "parameters kept although the catalogue does not know them (tenant setting allowUnknownParameters)",
      }),
    ),
  },
  { title: "Layer" },
);

export const LayerPut = Type.Object(
  { parameters: Type.Array(LayerParameterSchema, { maxItems: 2000 }) },
  { additionalProperties: false },
);
export type LayerPut = Static<typeof LayerPut>;

export const LayerPatch = Type.Object(
  {
    set: Type.Optional(Type.Array(LayerParameterSchema, { maxItems: 2000 })),
    unset: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 2000 })),
  },
  { additionalProperties: false },
);
export type LayerPatch = Static<typeof LayerPatch>;

export const ParameterPut = Type.Object(
  {
    value: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
    access: Type.Optional(Nullable(Access)),
  },
  { additionalProperties: false },
);
export type ParameterPut = Static<typeof ParameterPut>;

export const EffectiveConfigSchema = Type.Object(
  {
    mac: Type.String(),
    tenantId: Type.String(),
    layers: Type.Array(
      Type.Object({ key: Type.String(), scope: Type.String(), version: Type.Integer() }),
    ),
    parameters: Type.Array(
      Type.Object({
        name: Type.String(),
        value: Nullable(
          Type.String({ description: "null when no layer sets a value, or when secret" }),
        ),
        access: Type.String(),
        valueFrom: Nullable(Type.String({ description: "layer key whose value won" })),
        accessFrom: Type.String({
          description: "layer key whose access won, or catalogue/default",
        }),
        secret: Type.Boolean({ description: "value withheld (a password)" }),
        setBy: Type.Array(Type.String(), {
          description: "every layer that touches it, weakest first",
        }),
      }),
    ),
    warnings: Type.Array(Type.String(), {
      description:
        "what the profile leaves out, e.g. an account line's extra or voicemail id the device's model has no parameter for",
    }),
  },
  { title: "EffectiveConfig" },
);

// --- events, audit, tokens ----------------------------------------------------------------------

export const EventSchema = Type.Object(
  {
    id: Type.Integer(),
    mac: Nullable(Type.String()),
    tenantId: Nullable(Type.String()),
    at: DateTime,
    transport: Type.String(),
    result: Type.String(),
    statusCode: Nullable(Type.Integer()),
    path: Nullable(Type.String()),
    bytes: Nullable(Type.Integer()),
    durationMs: Nullable(Type.Number()),
    remoteAddress: Nullable(Type.String()),
    userAgent: Nullable(Type.String()),
    message: Nullable(Type.String()),
  },
  { title: "Event" },
);

export const EventQuery = Type.Object(
  {
    mac: Type.Optional(Type.String({ maxLength: 32 })),
    tenant: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: "date-time" })),
    until: Type.Optional(Type.String({ format: "date-time" })),
    result: Type.Optional(
      Type.String({ maxLength: 64, description: "only this result: ok, not-found, denied, …" }),
    ),
    after: Type.Optional(Type.String({ pattern: "^\\d+\\.\\d+$", description: "cursor" })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type EventQuery = Static<typeof EventQuery>;

export const AuditSchema = Type.Object(
  {
    id: Type.Integer(),
    at: DateTime,
    actor: Type.String(),
    action: Type.String(),
    entity: Type.String(),
    key: Nullable(Type.String()),
    tenantId: Nullable(Type.String()),
    before: Type.Unknown(),
    after: Type.Unknown(),
  },
  { title: "AuditEntry" },
);

export const AuditQuery = Type.Object(
  {
    entity: Type.Optional(Type.String({ maxLength: 32 })),
    key: Type.Optional(Type.String({ maxLength: 128 })),
    actor: Type.Optional(Type.String({ maxLength: 128 })),
    after: Type.Optional(Type.String({ pattern: "^\\d+$", description: "cursor" })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const TokenSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    role: Type.String(),
    tenantId: Nullable(Type.String()),
    createdAt: DateTime,
    expiresAt: Nullable(DateTime),
  },
  { title: "Token" },
);

export const TokenCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    role: Type.Union([Type.Literal("admin"), Type.Literal("operator"), Type.Literal("read-only")]),
    tenant: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    expiresAt: Type.Optional(Nullable(Type.String({ format: "date-time" }))),
  },
  { additionalProperties: false },
);
export type TokenCreate = Static<typeof TokenCreate>;

export const TokenPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    role: Type.Optional(
      Type.Union([Type.Literal("admin"), Type.Literal("operator"), Type.Literal("read-only")]),
    ),
    tenant: Type.Optional(
      Nullable(Type.String({ maxLength: 64, description: "slug or id; null: every tenant" })),
    ),
    expiresAt: Type.Optional(
      Nullable(Type.String({ format: "date-time", description: "null: never expires" })),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type TokenPatchBody = Static<typeof TokenPatchBody>;
