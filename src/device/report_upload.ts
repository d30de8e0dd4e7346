/**
 * Report_Rule uploads (§8.4): what a NOTIFY `Event: report` makes the unit send — its
 * configuration as a re-appliable `<flat-profile>` (every parameter but `GPP_SA`..`SD` and
 * the MPP `IKM_HTTP_Encrypt_Content`),
 * only what changed since the last resync/reboot/upgrade (`--delta`), or the Info page
 * (`--status`); AES-encrypted with `--key`; TFTP PUT or HTTP POST; once, no retries.
 * MPP (§3.6.6): without `--key`, a unit holding an IKM (`IKM_HTTP_Encrypt_Content`) sends the
 * report RFC 8188 `aes128gcm`-encoded under it — marked `Content-Encoding: aes128gcm` over
 * HTTP, the bare bytes over TFTP.
 */
import {
  AES128GCM_CONTENT_ENCODING,
  encodeAes128gcm,
  encodeProfileBytes,
} from "../crypto/index.ts";
import { isProvisioError } from "../errors.ts";
import {
  builtInModel,
  type Catalogue,
  escapeXmlValue,
  type ProfileEntry,
  serializeXmlProfile,
} from "../profile/index.ts";
import type { DeviceFamily, ReportUpload } from "../rules/index.ts";
import { requestTarget } from "../rules/index.ts";
import type { DhcpOptions } from "./dhcp_options.ts";
import { defaultServer } from "./dhcp_options.ts";
import { ERR } from "./fetch_result.ts";
import type { ClientCertificate } from "./identity.ts";
import type { ProductInformation } from "./info_page.ts";
import type { ParameterStore } from "./parameter_store.ts";
import { addressesOf, type ProfileFetcher, type ServerNameCheck } from "./profile_fetcher.ts";
import { hostAllowed } from "./restricted_domains.ts";

/**
 * Secrets no report or export carries, whatever `reportHidePasswords` says: the secret GPPs
 * and the aes128gcm keying material.
 */
const NEVER_REPORTED = /^(GPP_S[A-D]|IKM_HTTP_Encrypt_Content)$/;

/**
 * The web group each parameter has on this model's pages, as its configuration export
 * writes `group="…"` (`Ext_1/Proxy_and_Registration` on a phone, `Line_1/…` on an ATA):
 * the catalogue variant of the model's product family, `[n]` expanded to the index.
 * Names the catalogue records no group for get none.
 */
export function exportGroups(
  catalogue: Catalogue,
  productName: string,
): (name: string) => string | undefined {
  const family = builtInModel(productName)?.family;
  return (name) => {
    const parameter = catalogue.lookup(name);
    const variants = parameter?.definition.variants;
    if (parameter === undefined || variants === undefined) return undefined;
    const variant =
      variants.find((v) => v.family === family) ??
      variants.find((v) => v.models.includes(productName));
    if (variant === undefined || variant.group === "") return undefined;
    const index = parameter.index;
    return index === undefined ? variant.group : variant.group.replaceAll("[n]", String(index));
  };
}

/**
 * The document one upload carries (before encryption). With `groupOf`, a `config`
 * document is the configuration export: each element carries its web `group`. With
 * `hidePasswords` (`reportHidePasswords`), the secret parameters (`Admin_Passwd`,
 * `User_Password`, the line passwords…) are left out — not sent empty, so re-applying
 * the report leaves the passwords as they are.
 */
export function reportDocument(
  store: ParameterStore,
  content: ReportUpload["content"],
  changedSinceSync: ReadonlySet<string>,
  info: ProductInformation,
  groupOf?: (name: string) => string | undefined,
  hidePasswords = false,
): Buffer {
  if (content === "status") {
    const fields: [string, string][] = [
      ["Product_Name", info.productName],
      ["Serial_Number", info.serialNumber],
      ["Software_Version", info.softwareVersion],
      ["Hardware_Version", info.hardwareVersion],
      ["MAC_Address", info.macAddress],
      ["Client_Certificate", info.clientCertificate],
      ["Customization", info.customization],
    ];
    const lines = fields.map(([n, v]) => `  <${n}>${escapeXmlValue(v)}</${n}>`);
    return Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<status>\n${lines.join("\n")}\n</status>\n`,
    );
  }
  const entries: ProfileEntry[] = [];
  for (const [name, state] of store.entries()) {
    if (NEVER_REPORTED.test(name)) continue;
    if (hidePasswords && store.catalogue.isSecret(name)) continue;
    if (content === "delta" && !changedSinceSync.has(name)) continue;
    const group = groupOf?.(name);
    entries.push({
      name,
      value: state.value,
      access: state.access,
      ...(group === undefined ? {} : { group }),
    });
  }
  return Buffer.from(serializeXmlProfile({ format: "xml", entries }, { declaration: true }).text);
}

export interface ReportContext {
  readonly params: ParameterStore;
  readonly fetcher: ProfileFetcher;
  readonly dhcp: DhcpOptions | undefined;
  /** MPP applies Restricted_Access_Domains to reports (§8.4), and encodes a report without
   * `--key` with its IKM when it holds one (§3.6.6). */
  readonly family: DeviceFamily;
  readonly userAgent: string;
  readonly clientCertificate: ClientCertificate | undefined;
  readonly trustedCas: readonly string[];
  readonly nameCheck: ServerNameCheck;
  readonly changedSinceSync: ReadonlySet<string>;
  readonly info: ProductInformation;
  /** `reportHidePasswords`: leave the passwords out of configuration reports. */
  readonly hidePasswords?: boolean;
  note(message: string, kind?: "note" | "error"): void;
}

export interface ReportResult {
  readonly url: string;
  readonly content: ReportUpload["content"];
  readonly ok: boolean;
  readonly err: string;
  readonly bytes: number;
}

/** Sends one upload; never throws. */
export async function sendReport(ctx: ReportContext, upload: ReportUpload): Promise<ReportResult> {
  const { url } = upload;
  let host = url.server.kind === "host" ? url.server.host : "";
  let port = url.port;
  if (url.server.kind === "default") {
    const d = defaultServer(ctx.dhcp, ctx.params.get("DHCP_Option_To_Use") ?? "66");
    host = d?.host ?? "";
    port = d?.port ?? port;
  }
  const target = requestTarget(url);
  const where = `${url.scheme}://${host}:${port}${target}`;
  const done = (ok: boolean, err: string, bytes = 0, detail?: string): ReportResult => {
    ctx.note(
      ok
        ? `report (${upload.content}) sent to ${where}`
        : `report to ${where} failed: ${detail ?? err}`,
      ok ? "note" : "error",
    );
    return { url: where, content: upload.content, ok, err, bytes };
  };
  if (host === "") return done(false, ERR.noServer);
  if (
    ctx.family === "mpp" &&
    !hostAllowed(host, ctx.params.get("Restricted_Access_Domains") ?? "")
  ) {
    return done(false, ERR.restricted);
  }
  const addresses = await addressesOf(ctx.fetcher, host);
  if (addresses.length === 0) return done(false, ERR.dns);
  let body = reportDocument(
    ctx.params,
    upload.content,
    ctx.changedSinceSync,
    ctx.info,
    undefined,
    ctx.hidePasswords === true,
  );
  // A `--key` wins over the IKM (§3.6.6).
  const ikm =
    upload.key === undefined && ctx.family === "mpp"
      ? (ctx.params.get("IKM_HTTP_Encrypt_Content") ?? "")
      : "";
  try {
    if (upload.key !== undefined) body = encodeProfileBytes(body, { key: upload.key });
    else if (ikm !== "") body = encodeAes128gcm(body, ikm);
  } catch (e) {
    if (!isProvisioError(e)) throw e;
    return done(false, "encryption failed", 0, e.message);
  }
  const request = {
    scheme: url.scheme,
    host,
    addresses,
    port,
    target,
    method: "POST" as const,
    body,
    contentType: upload.key === undefined ? "application/xml" : "application/octet-stream",
    ...(ikm === "" ? {} : { contentEncoding: AES128GCM_CONTENT_ENCODING }),
    upload: true,
    ...(upload.uid === undefined ? {} : { uid: upload.uid }),
    ...(upload.pwd === undefined ? {} : { pwd: upload.pwd }),
    userAgent: ctx.userAgent,
    ...(ctx.clientCertificate === undefined ? {} : { clientCertificate: ctx.clientCertificate }),
    trustedCas: ctx.trustedCas,
    nameCheck: ctx.nameCheck,
  };
  const r =
    upload.transfer === "tftp-put"
      ? await ctx.fetcher.put(request, body)
      : await ctx.fetcher.fetch(request);
  return r.kind === "ok" ? done(true, "", body.length) : done(false, r.err, 0, r.detail);
}
