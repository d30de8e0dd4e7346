/**
 * A provider's tenant layer for benchmarks: a full-size profile of one model's own catalogue
 * parameters at their factory values, `templated` of them value templates over the device,
 * tenant and account. Parameters that steer provisioning itself (rules, resync timers,
 * passwords) are left to each benchmark, so a fleet keeps resyncing where it was told to.
 */
import {
  type Catalogue,
  createCatalogue,
  type DeviceFamily,
  definitionDefault,
} from "../src/profile/index.ts";
import type { LayerParameter } from "../src/store/index.ts";

const TEMPLATES = [
  "{{ device.mac }}",
  "prov-{{ device.mac_upper }}.example.net",
  "{{ account.line1.user_id }}@{{ tenant.slug }}",
  "{{ device.serial | default: 'none' }}",
  "{{ account.reference }} {{ device.label }}",
];

const STEERING =
  /^(Profile_Rule|Upgrade_Rule|Report_Rule|Resync_|Provision_Enable|Restricted_Access_Domains|Forced_Resync_Delay|Admin_Passwd|User_Password|Line_Enable_)/;

export interface ProviderLayerOptions {
  /** The parameters come from this catalogue (e.g. one model's, or the whole catalogue). */
  readonly catalogue: Catalogue;
  readonly family: DeviceFamily;
  readonly parameters: number;
  readonly templated: number;
}

export function providerLayer(o: ProviderLayerOptions): LayerParameter[] {
  const chosen = o.catalogue.parameters
    .filter((p) => !p.definition.secret && !STEERING.test(p.name))
    .slice(0, o.parameters);
  let templated = 0;
  const layer = chosen.map((p): LayerParameter => {
    const kind = p.definition.type.kind;
    if (templated < o.templated && (kind === "str" || kind === "fqdn" || kind === "userId")) {
      return { name: p.name, value: TEMPLATES[templated++ % TEMPLATES.length]!, access: null };
    }
    return { name: p.name, value: definitionDefault(p.definition, o.family), access: "na" };
  });
  if (templated < o.templated) throw new RangeError(`only ${templated} templatable parameters`);
  return layer;
}

/** One model's own parameters (what a provider's profile for that model carries). */
export function modelCatalogue(model: string): Catalogue {
  return createCatalogue(undefined, { model });
}
