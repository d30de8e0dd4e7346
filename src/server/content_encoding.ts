/**
 * MPP's RFC 8188 `aes128gcm` profile encoding, per model: a tenant lists in its setting
 * `aes128gcmModels` the product names whose profiles go out as `Content-Encoding: aes128gcm`,
 * keyed by the phone's IKM — the value of `IKM_HTTP_Encrypt_Content` the profile sets, which
 * is what the phone holds once it applied an earlier profile.
 *
 * Where the phone would not use the IKM, the profile goes out as without the setting:
 * - over TFTP (no header to mark the body with);
 * - when the device's profiles are AES-256-CBC (`encryption: aes`): a `--key` in the rule wins
 *   over the IKM on the phone;
 * - when the profile sets no IKM (the phone has none to decode with).
 * The IKM must reach the phone before its profiles are encoded with it (docs/security.md).
 *
 * The other way, a phone whose Report_Rule has no `--key` sends its configuration report
 * encoded with the IKM it holds: `configuredIkm` is the key the report flow decodes it with.
 */
import { AES128GCM_CONTENT_ENCODING, encodeAes128gcm } from "../crypto/index.ts";
import type { Device, Tenant } from "../store/index.ts";
import type { ProfileFinish } from "./flow_hook.ts";
import type { ConfigCache } from "./profile_cache.ts";
import { type ProfileRenderer, renderInputOf } from "./profile_renderer.ts";
import type { ResyncRequest } from "./resync_request.ts";

/** The parameter holding an MPP phone's IKM. */
export const IKM_PARAMETER = "IKM_HTTP_Encrypt_Content";

const AES128GCM_FINISH: ProfileFinish = {
  key: AES128GCM_CONTENT_ENCODING,
  wire(parameters, own) {
    const inner = own();
    if (inner.encoding === "aes") return inner;
    const ikm = parameters.find((p) => p.name === IKM_PARAMETER)?.value;
    if (ikm === undefined || ikm === "") return inner;
    return {
      encoding: inner.encoding,
      name: `${AES128GCM_CONTENT_ENCODING}+${inner.name}`,
      secret: ikm,
      contentType: inner.contentType,
      contentEncoding: AES128GCM_CONTENT_ENCODING,
      encode: (xml) => encodeAes128gcm(inner.encode(xml), ikm),
    };
  },
};

/** The finish of a device's own profile on its tenant's path: aes128gcm where it applies. */
export function contentEncodingFinish(
  tenant: Tenant,
  device: Device,
  request: Pick<ResyncRequest, "transport">,
): ProfileFinish | undefined {
  if (request.transport === "tftp" || device.modelPn === null) return undefined;
  return tenant.settings.aes128gcmModels.includes(device.modelPn) ? AES128GCM_FINISH : undefined;
}

/**
 * The IKM the device's configuration sets — what its profile gives the phone — or undefined
 * when it sets none (or an empty one). Only this parameter is resolved, over the records the
 * config cache holds and the renderer's merge of them.
 */
export async function configuredIkm(
  cache: ConfigCache<unknown>,
  renderer: ProfileRenderer,
  device: Device,
  tenant: Tenant,
): Promise<string | undefined> {
  const ikm = renderer.value(await renderInputOf(cache, device, tenant), IKM_PARAMETER);
  return ikm === "" ? undefined : ikm;
}
