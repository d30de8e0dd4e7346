/**
 * Layers ▸ effective parameters ▸ XML flat profile (with `ua` tags) ▸ wire bytes.
 *
 * Merge: `tenant < model < group < account lines < account < device`, later wins; value and access merge
 * independently (a layer may set only the access tag). Each parameter keeps the scope that
 * set its value and its access (provenance). Values may be LiquidJS templates over the
 * device and account (see value_template.ts).
 *
 * Merge and XML come from the profile library (`mergeLayers`, `serializeXmlProfile`).
 * Rendering always emits `ua` (§3.2.3: a server that wants deterministic results should),
 * taking the catalogue's factory access when no layer says otherwise. A parameter whose
 * layers set only access is emitted self-closing (`<X ua="rw"/>`): access changes, value kept.
 *
 * Encoding: `none` = XML; `gzip`; `aes` = gzip ▸ AES-256-CBC (openssl `enc` format) with the
 * device's key. The version (ETag) is a hash of the rendered XML and the encoding, not of
 * the bytes — AES output differs on every call (random salt), and the version must change
 * only when the content does.
 */
import * as nodeCrypto from "node:crypto";
import { encodeProfileBytes } from "../crypto/index.ts";
import { ProvisioError } from "../errors.ts";
import {
  type Catalogue,
  type ConfigLayer,
  mergeLayers,
  serializeXmlEntry,
  serializeXmlProfile,
  XML_FLAT_PROFILE_FRAME,
} from "../profile/index.ts";
import type {
  Account,
  Device,
  DeviceModel,
  EncryptionMode,
  Group,
  Layer,
  LayerScope,
  LayerTarget,
  ParameterAccess,
  Tenant,
} from "../store/index.ts";
import { layerKey } from "../store/index.ts";
import { accountLineLayers, modelCatalogue } from "./account_lines.ts";
import type { ConfigCache } from "./profile_cache.ts";
import {
  isValueTemplate,
  RECORD_VARIABLES,
  type TemplateContext,
  templateContext,
  type ValueTemplates,
} from "./value_template.ts";

/** One rendered parameter with its provenance (layer keys such as `tenant:default`). */
export interface EffectiveParameter {
  readonly name: string;
  /** undefined: no layer sets a value, only access (rendered self-closing). */
  readonly value: string | undefined;
  readonly access: ParameterAccess;
  /** Layer key whose value won (`device:000e08abcdef`), if any. */
  readonly valueFrom: string | undefined;
  /** Layer key whose access won, or `catalogue` / `default` when no layer set it. */
  readonly accessFrom: string;
}

export interface RenderInput {
  readonly device: Device;
  readonly tenant: Tenant;
  readonly model: DeviceModel | null;
  readonly group: Group | null;
  readonly account: Account | null;
  /** The device's layers in any order; ordered by scope here. */
  readonly layers: readonly Layer[];
}

export interface RenderedProfile {
  /** The wire bytes. */
  readonly body: Buffer;
  /** Strong ETag, quoted: a SHA-256 of the rendered XML and the encoding (162 bits kept). */
  readonly etag: string;
  readonly encoding: EncryptionMode;
  readonly contentType: string;
  /** HTTP `Content-Encoding` of the body (MPP `aes128gcm`); undefined: none. */
  readonly contentEncoding?: string | undefined;
  readonly parameterCount: number;
}

/** How rendered XML goes on the wire. */
export interface ProfileWire {
  readonly encoding: EncryptionMode;
  /** Names the wire form in the profile's version (ETag). */
  readonly name: string;
  /**
   * The key the body is encoded with: hashed into the version, so an ETag confirms no guess
   * of the content to whoever lacks the key, and changes when the key does.
   */
  readonly secret: string | undefined;
  readonly contentType: string;
  readonly contentEncoding?: string | undefined;
  encode(xml: Buffer): Buffer;
}

/**
 * What a flow does to a device's profile after every amendment (secure provisioning installs
 * its pair), and the wire form it goes out in; `own` is the device's own (its encryption
 * setting).
 */
export interface ProfileFinishing {
  apply?(parameters: readonly EffectiveParameter[]): EffectiveParameter[];
  wire?(parameters: readonly EffectiveParameter[], own: () => ProfileWire): ProfileWire;
}

/** The layer targets a device's configuration is made of, weakest first. */
export function layerTargetsOf(device: Device): LayerTarget[] {
  const targets: LayerTarget[] = [{ scope: "tenant", tenantId: device.tenantId }];
  if (device.modelPn !== null) {
    targets.push({ scope: "model", tenantId: device.tenantId, pn: device.modelPn });
  }
  if (device.groupId !== null) targets.push({ scope: "group", groupId: device.groupId });
  if (device.accountId !== null) targets.push({ scope: "account", accountId: device.accountId });
  targets.push({ scope: "device", mac: device.mac });
  return targets;
}

/** The records a device's configuration is made of, from the config cache. */
export async function renderInputOf(
  cache: ConfigCache<unknown>,
  device: Device,
  tenant: Tenant,
): Promise<RenderInput> {
  const [model, group, account, layers] = await Promise.all([
    device.modelPn === null ? null : cache.model(device.modelPn),
    device.groupId === null ? null : cache.group(device.groupId),
    device.accountId === null ? null : cache.account(device.accountId),
    cache.layers(layerTargetsOf(device)),
  ]);
  return { device, tenant, model, group, account, layers };
}

const SCOPE_ORDER: Readonly<Record<LayerScope, number>> = {
  tenant: 0,
  model: 1,
  group: 2,
  account: 3,
  device: 4,
  // The staging profile is rendered on its own (staging_profile.ts), never with these.
  staging: -1,
};

/**
 * Merges the layers (any order; sorted by scope) with the profile library's merge — later
 * scope wins, value and access independently, provenance kept — and fills in the access tag
 * from the catalogue where no layer set one. `accountLines` (see account_lines.ts) go
 * between the group and the account layers.
 */
export function mergeDeviceLayers(
  layers: readonly Layer[],
  catalogue: Catalogue,
  accountLines: readonly ConfigLayer[] = [],
): EffectiveParameter[] {
  const sorted = [...layers].sort(
    (a, b) => SCOPE_ORDER[a.target.scope] - SCOPE_ORDER[b.target.scope],
  );
  const ordered: ConfigLayer[] = [];
  let linesPlaced = accountLines.length === 0;
  for (const layer of sorted) {
    if (!linesPlaced && SCOPE_ORDER[layer.target.scope] >= SCOPE_ORDER.account) {
      ordered.push(...accountLines);
      linesPlaced = true;
    }
    ordered.push({
      id: layerKey(layer.target),
      entries: layer.parameters.map((p) => ({
        name: p.name,
        value: p.value ?? undefined,
        access: p.access ?? undefined,
      })),
    });
  }
  if (!linesPlaced) ordered.push(...accountLines);
  const merged = mergeLayers(ordered, { catalogue });
  return merged.parameters.map((p) => {
    const factory = p.access === undefined ? catalogue.factoryAccess(p.name) : undefined;
    return {
      name: p.name,
      value: p.value,
      access: p.access ?? factory ?? "na",
      valueFrom: p.valueFrom,
      accessFrom: p.accessFrom ?? (factory === undefined ? "default" : "catalogue"),
    };
  });
}

const XML_OPTIONS = { escapeNonAscii: true } as const;

/** The XML flat profile of resolved parameters (always with `ua`, ASCII only). */
export function serializeFlatProfile(parameters: readonly EffectiveParameter[]): string {
  return serializeXmlProfile(
    {
      format: "xml",
      entries: parameters.map((p) => ({ name: p.name, value: p.value, access: p.access })),
    },
    XML_OPTIONS,
  ).text;
}

/** One parameter's line of `serializeFlatProfile`, newline included ("" when it has none). */
function flatProfileLine(p: EffectiveParameter): string {
  const line = serializeXmlEntry({ name: p.name, value: p.value, access: p.access }, XML_OPTIONS);
  return line === undefined ? "" : `${line}\n`;
}

export interface RendererOptions {
  readonly catalogue: Catalogue;
  readonly templates: ValueTemplates;
}

/** Merged parameters and which of them are value templates. */
interface MergedLayers {
  readonly parameters: readonly EffectiveParameter[];
  readonly templated: readonly number[];
  /** For each templated parameter, its plain form when it has one. */
  readonly plain: readonly (PlainTemplate | undefined)[];
  /**
   * The profile's XML around the templated parameters, serialized once: `frames[k]` comes
   * before templated parameter `k`, the last frame closes the profile. A device's XML is these
   * and its templated parameters' lines — the bytes `serializeFlatProfile` writes. null: an
   * unchanging parameter cannot be serialized (the full serialization reports it).
   */
  readonly frames: readonly string[] | null;
  /** For each templated parameter, its line around the value (with `frames`). */
  readonly lines: readonly (LineFrame | undefined)[];
}

/** A parameter's XML line without its value: `  <Name ua="rw">` and `</Name>\n`. */
interface LineFrame {
  readonly open: string;
  readonly close: string;
}

/**
 * A template that only prints variables of the device, its model or its tenant — text and
 * `{{ device.serial }}`, no tag — as literal parts and variable readers. Most per-device values
 * are such; they are filled in directly from the records, without the template engine or its
 * context (a tenant-wide change re-renders the whole fleet). Anything else, or a variable that
 * is not a string, goes to the engine.
 */
interface PlainTemplate {
  /** Literal text, then a variable, alternately: `[text, variable, text, …, text]`. */
  readonly parts: readonly (string | PlainVariable)[];
}

/** `{{ root.field }}`, optionally through one filter LiquidJS would apply the same way. */
interface PlainVariable {
  /** The variable's value; undefined when its record is absent (no model). */
  readonly read: (input: RenderInput) => unknown;
  readonly filter: PlainFilter | undefined;
}

type RecordRoot = keyof typeof RECORD_VARIABLES;

/** The reader of `root.field` (the template context's value); undefined: no such variable. */
function variableReader(root: RecordRoot, field: string): PlainVariable["read"] | undefined {
  const variables: Readonly<Record<string, (record: never) => unknown>> = RECORD_VARIABLES[root];
  if (!Object.hasOwn(variables, field)) return undefined;
  const read = variables[field] as (record: unknown) => unknown;
  if (root === "device") return (input) => read(input.device);
  if (root === "tenant") return (input) => read(input.tenant);
  return (input) => (input.model === null ? undefined : read(input.model));
}

type PlainFilter =
  | { readonly kind: "upcase" | "downcase" }
  | { readonly kind: "slice"; readonly begin: number; readonly length: number };

const PLAIN_VARIABLE =
  /\{\{\s*(device|model|tenant)\.([a-z_][a-z0-9_]*)\s*(?:\|\s*(upcase|downcase|slice\s*:\s*(-?\d{1,4})\s*(?:,\s*(\d{1,4})\s*)?)\s*)?\}\}/g;

function plainTemplate(source: string): PlainTemplate | undefined {
  const parts: (string | PlainVariable)[] = [];
  let last = 0;
  for (const m of source.matchAll(PLAIN_VARIABLE)) {
    const filterText = m[3];
    const filter: PlainFilter | undefined =
      filterText === undefined
        ? undefined
        : filterText === "upcase" || filterText === "downcase"
          ? { kind: filterText }
          : { kind: "slice", begin: Number(m[4]), length: m[5] === undefined ? 1 : Number(m[5]) };
    // A variable the context lacks: LiquidJS prints it empty (left to it).
    const read = variableReader(m[1] as RecordRoot, m[2]!);
    if (read === undefined) return undefined;
    parts.push(source.slice(last, m.index), { read, filter });
    last = m.index + m[0].length;
  }
  parts.push(source.slice(last));
  // Any other markup left in the text: not plain.
  for (const part of parts) {
    if (typeof part === "string" && (part.includes("{{") || part.includes("{%"))) return undefined;
  }
  return { parts };
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * A filter as LiquidJS applies it to a string (its `upcase`, `downcase` and `slice`, the
 * latter counting code points: only ASCII is taken here, where they are characters);
 * undefined: left to the engine.
 */
function applyFilter(value: string, filter: PlainFilter | undefined): string | undefined {
  if (filter === undefined) return value;
  if (filter.kind === "upcase") return value.toUpperCase();
  if (filter.kind === "downcase") return value.toLowerCase();
  if (filter.kind !== "slice") return undefined;
  if (!ASCII.test(value)) return undefined;
  const begin = filter.begin < 0 ? value.length + filter.begin : filter.begin;
  if (begin < 0) return "";
  return value.slice(begin, begin + filter.length);
}

/** The plain template filled in from the records; undefined when a variable is not a string. */
function substitute(plain: PlainTemplate | undefined, input: RenderInput): string | undefined {
  if (plain === undefined) return undefined;
  let out = "";
  for (const part of plain.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const value = part.read(input);
    if (typeof value !== "string") return undefined;
    const filtered = applyFilter(value, part.filter);
    if (filtered === undefined) return undefined;
    out += filtered;
  }
  return out;
}

/** A node of the merge memo: one step per record a device's profile is made of. */
interface MergeNode {
  readonly next: WeakMap<object, MergeNode>;
  byModel?: Map<string, MergedLayers>;
}

const NO_ACCOUNT = {};

function child(node: MergeNode, key: object): MergeNode {
  let next = node.next.get(key);
  if (next === undefined) {
    next = { next: new WeakMap() };
    node.next.set(key, next);
  }
  return next;
}

export class ProfileRenderer {
  readonly #catalogue: Catalogue;
  readonly #templates: ValueTemplates;
  readonly #merges: MergeNode = { next: new WeakMap() };

  constructor(options: RendererOptions) {
    this.#catalogue = options.catalogue;
    this.#templates = options.templates;
  }

  /** Effective parameters with values rendered (templates applied). */
  resolve(input: RenderInput): EffectiveParameter[] {
    const merged = this.#merged(input);
    return withValues(merged, this.#values(merged, input));
  }

  /**
   * One effective parameter's value (its template applied), without rendering the others:
   * undefined when no layer sets a value for it.
   */
  value(input: RenderInput, name: string): string | undefined {
    const merged = this.#merged(input);
    const i = merged.parameters.findIndex((p) => p.name === name);
    const value = merged.parameters[i]?.value;
    if (value === undefined) return undefined;
    const k = merged.templated.indexOf(i);
    return k < 0 ? value : this.#templated(merged, k, input, { context: undefined });
  }

  /** The templated parameters' values for this device, in `merged.templated` order. */
  #values(merged: MergedLayers, input: RenderInput): string[] {
    const shared = { context: undefined };
    const values: string[] = [];
    for (let k = 0; k < merged.templated.length; k++) {
      values.push(this.#templated(merged, k, input, shared));
    }
    return values;
  }

  /** The `k`th templated parameter's value: filled in directly, else through the engine (with
   * one template context for all the device's templates, made on first need). */
  #templated(
    merged: MergedLayers,
    k: number,
    input: RenderInput,
    shared: { context: TemplateContext | undefined },
  ): string {
    const direct = substitute(merged.plain[k], input);
    if (direct !== undefined) return direct;
    shared.context ??= templateContext(input);
    return this.#templates.render(merged.parameters[merged.templated[k]!]!.value!, shared.context);
  }

  /**
   * The merge of these layers (and the account's lines for this model), computed once for
   * every device made of the same records: a tenant-wide change re-renders the whole fleet,
   * and the fleet's devices mostly share all their layers. Keyed by the records' identity
   * (the config cache replaces a record when it changes), so an entry can never be stale and
   * goes with its records.
   */
  #merged(input: RenderInput): MergedLayers {
    const modelPn = input.model?.pn ?? input.device.modelPn ?? "";
    let node = this.#merges;
    for (const layer of input.layers) node = child(node, layer);
    node = child(node, input.account ?? NO_ACCOUNT);
    let merged = node.byModel?.get(modelPn);
    if (merged === undefined) {
      const parameters = mergeDeviceLayers(input.layers, this.#catalogue, accountLinesOf(input));
      const templated: number[] = [];
      const plain: (PlainTemplate | undefined)[] = [];
      parameters.forEach((p, i) => {
        if (p.value !== undefined && isValueTemplate(p.value)) {
          templated.push(i);
          plain.push(plainTemplate(p.value));
        }
      });
      merged = { parameters, templated, plain, ...xmlFrames(parameters, templated) };
      node.byModel ??= new Map();
      node.byModel.set(modelPn, merged);
    }
    return merged;
  }

  /**
   * Renders and encodes. When `previous` has the same content hash, its bytes are reused, so
   * an AES profile keeps its bytes (and ETag) until its content changes.
   */
  render(
    input: RenderInput,
    previous?: RenderedProfile,
    amend?: (parameters: readonly EffectiveParameter[]) => EffectiveParameter[],
    finish?: ProfileFinishing,
  ): RenderedProfile {
    const merged = this.#merged(input);
    const values = this.#values(merged, input);
    // The parameters as objects only for an amendment or a finish, which read them: the XML
    // is assembled from the frames and the values.
    const resolved =
      amend === undefined && finish === undefined ? undefined : withValues(merged, values);
    let parameters = resolved;
    if (amend !== undefined) parameters = amend(resolved!);
    if (finish?.apply !== undefined) parameters = finish.apply(parameters!);
    const xml =
      parameters === resolved && merged.frames !== null
        ? assembleXml(merged, values)
        : serializeFlatProfile(parameters ?? withValues(merged, values));
    const own = (): ProfileWire => ownWire(input);
    const wire = finish?.wire === undefined ? own() : finish.wire(parameters!, own);
    // The version hashes the XML, the wire form's name and its key's hash; the XML's bytes
    // and that suffix (ASCII) encoded as one buffer, hashed in one call, the body a view of it.
    const suffix = `\0${wire.name}\0${wire.secret === undefined ? "" : sha256(wire.secret, "hex")}`;
    const hashed = Buffer.from(xml + suffix, "utf8");
    const digest = sha256(hashed, "base64url");
    const etag = `"${digest.slice(0, 27)}"`;
    if (previous !== undefined && previous.etag === etag) return previous;
    return {
      body: wire.encode(hashed.subarray(0, hashed.length - suffix.length)),
      etag,
      encoding: wire.encoding,
      contentType: wire.contentType,
      // One shape for every profile (undefined when none), no spread: a profile is cached long.
      contentEncoding: wire.contentEncoding,
      parameterCount: (parameters ?? merged.parameters).length,
    };
  }
}

/** SHA-256 in one call (`crypto.hash`, Node 20.12 on), else through a `Hash` object. */
const sha256: (data: string | Buffer, encoding: "hex" | "base64url") => string =
  typeof nodeCrypto.hash === "function"
    ? (data, encoding) => nodeCrypto.hash("sha256", data, encoding)
    : (data, encoding) => nodeCrypto.createHash("sha256").update(data).digest(encoding);

/** The merged parameters with the templated ones' values filled in. */
function withValues(merged: MergedLayers, values: readonly string[]): EffectiveParameter[] {
  const out = merged.parameters.slice();
  for (let k = 0; k < merged.templated.length; k++) {
    const i = merged.templated[k]!;
    out[i] = { ...out[i]!, value: values[k] };
  }
  return out;
}

/**
 * The frames of `MergedLayers` — the XML of the parameters that are not templates — and the
 * templated parameters' lines around their values.
 */
function xmlFrames(
  parameters: readonly EffectiveParameter[],
  templated: readonly number[],
): Pick<MergedLayers, "frames" | "lines"> {
  const frames: string[] = [];
  const lines: (LineFrame | undefined)[] = [];
  let frame: string = XML_FLAT_PROFILE_FRAME.open;
  let next = 0;
  try {
    for (let i = 0; i < parameters.length; i++) {
      if (templated[next] === i) {
        frames.push(frame);
        lines.push(lineFrame(parameters[i]!));
        frame = "";
        next++;
      } else {
        frame += flatProfileLine(parameters[i]!);
      }
    }
  } catch {
    return { frames: null, lines: [] };
  }
  frames.push(frame + XML_FLAT_PROFILE_FRAME.close);
  return { frames, lines };
}

/** The parameter's line around an empty value; undefined when it has no such form. */
function lineFrame(p: EffectiveParameter): LineFrame | undefined {
  const line = flatProfileLine({ ...p, value: "" });
  const close = `</${p.name}>\n`;
  if (!line.endsWith(close)) return undefined;
  return { open: line.slice(0, -close.length), close };
}

/**
 * A character the XML serialization would escape or refuse (markup, controls, non-ASCII) or
 * a space it would escape (leading or trailing): a value without one is written as it is.
 */
const ESCAPED = /[^ !#-%(-;=?-~]|^ | $/;

/** `serializeFlatProfile` of the device's parameters, from the frames and the values. */
function assembleXml(merged: MergedLayers, values: readonly string[]): string {
  const frames = merged.frames!;
  let xml = frames[0]!;
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    const line = merged.lines[k];
    xml +=
      line !== undefined && !ESCAPED.test(value)
        ? line.open + value + line.close
        : flatProfileLine({ ...merged.parameters[merged.templated[k]!]!, value });
    xml += frames[k + 1]!;
  }
  return xml;
}

/** The device's own wire form: its encryption setting, else its tenant's. */
function ownWire(input: RenderInput): ProfileWire {
  const encoding: EncryptionMode =
    input.device.encryption ?? input.tenant.settings.encryption ?? "none";
  if (encoding === "none") {
    return {
      encoding,
      name: encoding,
      secret: undefined,
      contentType: "text/xml; charset=utf-8",
      encode: (xml) => xml,
    };
  }
  const key = encoding === "aes" ? input.device.deviceKey?.reveal() : undefined;
  if (encoding === "aes" && (key === undefined || key === "")) {
    throw new ProfileRenderError(
      `device ${input.device.mac} is set to AES profiles but has no device key`,
    );
  }
  return opensslWire(encoding, key);
}

/** Gzip, then AES-256-CBC in openssl `enc` format when a key is given (the `--key` form). */
export function opensslWire(encoding: "gzip" | "aes", key: string | undefined): ProfileWire {
  return {
    encoding,
    name: encoding,
    secret: key,
    contentType: "application/octet-stream",
    encode: (xml) => encodeProfileBytes(xml, { gzip: true, ...(key === undefined ? {} : { key }) }),
  };
}

/** The merge layers of the account's lines, named for the device's model (account_lines.ts). */
export function accountLinesOf(input: RenderInput): ConfigLayer[] {
  if (input.account === null) return [];
  return accountLineLayers(input.account, modelCatalogue(input.model?.pn ?? input.device.modelPn));
}

/** A device whose configuration cannot be rendered (a server-side configuration problem). */
export class ProfileRenderError extends ProvisioError<"SERVER_PROFILE_UNRENDERABLE"> {
  constructor(message: string) {
    super("SERVER_PROFILE_UNRENDERABLE", message, { status: 500 });
  }
}
