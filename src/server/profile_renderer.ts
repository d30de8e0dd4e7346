/**
 * Layers ▸ effective parameters ▸ XML flat profile (with `ua` tags) ▸ wire bytes.
 *
 * Merge: `tenant < model < group < account < device`, later wins; value and access merge
 * independently (a layer may set only the access tag). Each parameter keeps the scope that
 * set its value and its access (provenance). Values may be LiquidJS templates over the
 * device and account (see value_template.ts).
 *
 * Rendering always emits `ua` (§3.2.3: a server that wants deterministic results should),
 * taking the catalogue's factory access when no layer says otherwise. A parameter whose
 * layers set only access is emitted self-closing (`<X ua="rw"/>`): access changes, value kept.
 *
 * Encoding: `none` = XML; `gzip`; `aes` = gzip ▸ AES-256-CBC (openssl `enc` format) with the
 * device's key. The version (ETag) is a hash of the rendered XML and the encoding, not of
 * the bytes — AES output differs on every call (random salt), and the version must change
 * only when the content does.
 */
import { createHash } from "node:crypto";
import { encodeProfileBytes } from "../crypto/envelope.ts";
import type { Catalogue } from "../profile/catalogue.ts";
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
} from "../store/types.ts";
import { type TemplateContext, templateContext, type ValueTemplates } from "./value_template.ts";

export interface EffectiveParameter {
  readonly name: string;
  /** null: no layer sets a value, only access. */
  readonly value: string | null;
  readonly access: ParameterAccess;
  readonly valueFrom: LayerScope | null;
  /** `catalogue` when no layer set the access tag. */
  readonly accessFrom: LayerScope | "catalogue" | "default";
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
  /** Strong ETag, quoted. */
  readonly etag: string;
  /** Content hash the ETag is made from. */
  readonly hash: string;
  readonly encoding: EncryptionMode;
  readonly contentType: string;
  readonly parameterCount: number;
}

const SCOPE_ORDER: Readonly<Record<LayerScope, number>> = {
  tenant: 0,
  model: 1,
  group: 2,
  account: 3,
  device: 4,
};

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

/** Merges layers (weakest first) into effective parameters with provenance, first-seen order. */
export function mergeLayers(layers: readonly Layer[], catalogue: Catalogue): EffectiveParameter[] {
  const ordered = [...layers].sort(
    (a, b) => SCOPE_ORDER[a.target.scope] - SCOPE_ORDER[b.target.scope],
  );
  const merged = new Map<
    string,
    {
      value: string | null;
      valueFrom: LayerScope | null;
      access: ParameterAccess | null;
      accessFrom: LayerScope | null;
    }
  >();
  for (const layer of ordered) {
    for (const p of layer.parameters) {
      let m = merged.get(p.name);
      if (m === undefined) {
        m = { value: null, valueFrom: null, access: null, accessFrom: null };
        merged.set(p.name, m);
      }
      if (p.value !== null) {
        m.value = p.value;
        m.valueFrom = layer.target.scope;
      }
      if (p.access !== null) {
        m.access = p.access;
        m.accessFrom = layer.target.scope;
      }
    }
  }
  const out: EffectiveParameter[] = [];
  for (const [name, m] of merged) {
    const factory = catalogue.factoryAccess(name);
    out.push({
      name,
      value: m.value,
      valueFrom: m.valueFrom,
      access: m.access ?? factory ?? "na",
      accessFrom: m.accessFrom ?? (factory === undefined ? "default" : "catalogue"),
    });
  }
  return out;
}

function escapeXml(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 38) out += "&amp;";
    else if (c === 60) out += "&lt;";
    else if (c === 62) out += "&gt;";
    else if (c < 0x20 && c !== 9) out += " ";
    else if (c > 0x7e) {
      const code = text.codePointAt(i)!;
      out += `&#${code};`;
      if (code > 0xffff) i++;
    } else out += text[i];
  }
  return out;
}

/** The XML flat profile of already-resolved parameters (values rendered). */
export function serializeFlatProfile(
  parameters: ReadonlyArray<{ name: string; value: string | null; access: ParameterAccess }>,
): string {
  let xml = "<flat-profile>\n";
  for (const p of parameters) {
    xml +=
      p.value === null
        ? `  <${p.name} ua="${p.access}"/>\n`
        : `  <${p.name} ua="${p.access}">${escapeXml(p.value)}</${p.name}>\n`;
  }
  return `${xml}</flat-profile>\n`;
}

export interface RendererOptions {
  readonly catalogue: Catalogue;
  readonly templates: ValueTemplates;
}

export class ProfileRenderer {
  readonly #catalogue: Catalogue;
  readonly #templates: ValueTemplates;

  constructor(options: RendererOptions) {
    this.#catalogue = options.catalogue;
    this.#templates = options.templates;
  }

  /** Effective parameters with values rendered (templates applied). */
  resolve(input: RenderInput): EffectiveParameter[] {
    const merged = mergeLayers(input.layers, this.#catalogue);
    let context: TemplateContext | undefined;
    return merged.map((p) => {
      if (p.value === null || !(p.value.includes("{{") || p.value.includes("{%"))) return p;
      context ??= templateContext(input);
      return { ...p, value: this.#templates.render(p.value, context) };
    });
  }

  /**
   * Renders and encodes. When `previous` has the same content hash, its bytes are reused, so
   * an AES profile keeps its bytes (and ETag) until its content changes.
   */
  render(input: RenderInput, previous?: RenderedProfile): RenderedProfile {
    const parameters = this.resolve(input);
    const xml = serializeFlatProfile(parameters);
    const encoding: EncryptionMode =
      input.device.encryption ?? input.tenant.settings.encryption ?? "none";
    const key = encoding === "aes" ? input.device.deviceKey?.reveal() : undefined;
    if (encoding === "aes" && (key === undefined || key === "")) {
      throw new ProfileRenderError(
        `device ${input.device.mac} is set to AES profiles but has no device key`,
      );
    }
    const hash = createHash("sha256")
      .update(xml)
      .update("\0")
      .update(encoding)
      .update("\0")
      .update(key === undefined ? "" : createHash("sha256").update(key).digest("hex"))
      .digest("base64url");
    if (previous !== undefined && previous.hash === hash) return previous;
    const plain = Buffer.from(xml, "utf8");
    const body =
      encoding === "none"
        ? plain
        : encodeProfileBytes(plain, { gzip: true, ...(key === undefined ? {} : { key }) });
    return {
      body,
      etag: `"${hash.slice(0, 27)}"`,
      hash,
      encoding,
      contentType: encoding === "none" ? "text/xml; charset=utf-8" : "application/octet-stream",
      parameterCount: parameters.length,
    };
  }
}

/** A device whose configuration cannot be rendered (a server-side configuration problem). */
export class ProfileRenderError extends Error {
  override readonly name = "ProfileRenderError";
}
