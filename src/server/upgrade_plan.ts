/**
 * A device's next firmware hop and the Upgrade_Rule that takes it there (pure).
 *
 * A policy names a target and the releases a unit must pass through on its way ("below 7.5
 * must pass through 7.5.5"). The unit's reported version (`$SWVER`, from its User-Agent)
 * picks the first hop above it; the rule offers that one image only, guarded so that the
 * image's own version makes the condition false — a unit that installed it matches nothing
 * (no loop, and the Sipura loop protection passes) and asks again at its next resync, when the
 * server offers the following hop. One hop per rule rather than the whole chain: the server
 * decides every step, so a halted rollout stops a unit between two hops.
 */
import type { FirmwareVersion } from "../rules/index.ts";
import {
  compareReleases,
  compareToRelease,
  parseImageVersion,
  parseReleaseVersion,
  type ReleaseVersion,
} from "./firmware_version.ts";

export type UpgradeScheme = "http" | "https" | "tftp";

export interface PlanImage {
  readonly id: string;
  readonly version: string;
  /** Product names (`SPA962`), series (`962`) or `*`. */
  readonly models: readonly string[];
  readonly fileName: string;
}

export interface PlanPolicy {
  readonly id: string;
  readonly target: string;
  readonly intermediates: readonly string[];
  /** Written to the unit as `Downgrade_Rev_Limit`; null leaves the unit's own value. */
  readonly downgradeRevLimit: string | null;
  readonly scheme: UpgradeScheme;
}

export interface PlanInput {
  readonly policy: PlanPolicy;
  /** The version the unit reported (User-Agent); undefined when it sent none. */
  readonly reported: string | undefined;
  readonly productName: string | null;
  readonly productSeries: string | null;
  readonly images: readonly PlanImage[];
  /** `scheme://host[:port]` per scheme; undefined: no server known for that scheme. */
  readonly servers: Readonly<Partial<Record<UpgradeScheme, string>>>;
  /** The unit's effective `Downgrade_Rev_Limit` from its layers, if any. */
  readonly unitLimit?: string | undefined;
}

export type UpgradePlan =
  /** Nothing to do (at or above the target, or no usable version reported). */
  | { readonly kind: "none"; readonly reason: string }
  /** A hop is due but cannot be offered (no image, below the downgrade limit, no server). */
  | { readonly kind: "refused"; readonly hop: string; readonly reason: string }
  | {
      readonly kind: "hop";
      readonly hop: string;
      readonly image: PlanImage;
      /** True when the hop is the policy's target. */
      readonly final: boolean;
      readonly parameters: readonly { readonly name: string; readonly value: string }[];
      /** The whole path in one rule (no version reported); `image` is then the target's. */
      readonly chained?: boolean;
    };

/** The policy's hops in ascending order; undefined when one does not parse or formats mix. */
export function policyHops(
  policy: Pick<PlanPolicy, "target" | "intermediates">,
): ReleaseVersion[] | undefined {
  const hops: ReleaseVersion[] = [];
  for (const text of [...policy.intermediates, policy.target]) {
    const r = parseReleaseVersion(text);
    if (r === undefined) return undefined;
    hops.push(r);
  }
  if (hops.some((h) => h.format !== hops[0]!.format)) return undefined;
  hops.sort((a, b) => compareReleases(a, b) ?? 0);
  return hops;
}

function fits(image: PlanImage, pn: string | null, psn: string | null): boolean {
  return image.models.some(
    (m) =>
      m === "*" ||
      (pn !== null && m.toUpperCase() === pn.toUpperCase()) ||
      (psn !== null && m === psn),
  );
}

/**
 * Whether a unit takes an https firmware URL: MPP units and the SPA9x2 phones (SPA922,
 * SPA942, SPA962) do; the SPA ATAs and SPA9000 do not, nor a unit of unknown model.
 */
function upgradesOverHttps(format: FirmwareVersion["format"], productName: string | null): boolean {
  if (format === "mpp") return true;
  return productName !== null && /^SPA9\d2(?!\d)/i.test(productName.trim());
}

/** The URL of an image for this scheme; SPA over TFTP may leave the server to DHCP. */
function imageUrl(
  scheme: UpgradeScheme,
  server: string | undefined,
  fileName: string,
): string | undefined {
  const path = `/firmware/${fileName}?mac=$MA`;
  if (server !== undefined) return `${server}${path}`;
  return scheme === "tftp" ? path : undefined;
}

export function planUpgrade(input: PlanInput): UpgradePlan {
  const { policy } = input;
  const hops = policyHops(policy);
  if (hops === undefined) return { kind: "none", reason: "the policy's versions do not parse" };
  if (input.reported === undefined) return chain(input, hops);
  const reported = parseImageVersion(input.reported);
  if (reported === undefined) {
    return { kind: "none", reason: `reported version ${input.reported} does not parse` };
  }
  if (reported.format !== hops[0]!.format) {
    return { kind: "none", reason: `reported version ${input.reported} is of another family` };
  }
  const index = hops.findIndex((h) => compareToRelease(reported, h) === -1);
  if (index < 0) return { kind: "none", reason: AT_TARGET };
  const step = offer(input, hops[index]!);
  if (step.kind === "refused") return step;
  return {
    kind: "hop",
    hop: hops[index]!.text,
    image: step.image,
    final: index === hops.length - 1,
    parameters: parametersOf(policy, [step.alternative]),
  };
}

export const AT_TARGET = "at or above the target";

type Offer =
  | { readonly kind: "refused"; readonly hop: string; readonly reason: string }
  | { readonly kind: "ok"; readonly image: PlanImage; readonly alternative: string };

/** The image for one hop, checked against the limits, as one guarded rule alternative. */
function offer(input: PlanInput, hop: ReleaseVersion): Offer {
  const { policy } = input;
  let best: { image: PlanImage; version: FirmwareVersion } | undefined;
  for (const image of input.images) {
    const v = parseImageVersion(image.version);
    if (v === undefined || compareToRelease(v, hop) !== 0) continue;
    if (!fits(image, input.productName, input.productSeries)) continue;
    if (best === undefined || compareToRelease(v, toRelease(best.version)) === 1) {
      best = { image, version: v };
    }
  }
  if (best === undefined) {
    return {
      kind: "refused",
      hop: hop.text,
      reason: `no image of ${hop.text} for ${input.productName ?? "this model"}`,
    };
  }
  for (const limitText of [policy.downgradeRevLimit, input.unitLimit]) {
    if (limitText === null || limitText === undefined || limitText.trim() === "") continue;
    const limit = parseImageVersion(limitText.trim());
    if (limit === undefined || limit.format !== best.version.format) continue;
    if (compareToRelease(best.version, toRelease(limit)) === -1) {
      return {
        kind: "refused",
        hop: hop.text,
        reason: `image ${best.image.version} is older than Downgrade_Rev_Limit ${limitText.trim()}`,
      };
    }
  }
  const scheme: UpgradeScheme =
    policy.scheme === "https" && !upgradesOverHttps(best.version.format, input.productName)
      ? "http"
      : policy.scheme;
  const url = imageUrl(scheme, input.servers[scheme], best.image.fileName);
  // MPP units need the server in an Upgrade_Rule (no DHCP shortcut there).
  if (url === undefined || (best.version.format === "mpp" && url.startsWith("/"))) {
    const reason =
      scheme === policy.scheme
        ? `no ${scheme} server address is known`
        : `${input.productName ?? "this model"} cannot upgrade over https and no http server address is known (set public.http_url)`;
    return { kind: "refused", hop: hop.text, reason };
  }
  return {
    kind: "ok",
    image: best.image,
    alternative: `($SWVER lt ${best.image.version})? ${url}`,
  };
}

/**
 * No version reported (TFTP sends no User-Agent): the whole path as one chained rule, each
 * alternative guarded by its image's version, so the unit itself picks the first hop above
 * what it runs and walks the chain one attempt at a time.
 */
function chain(input: PlanInput, hops: readonly ReleaseVersion[]): UpgradePlan {
  const alternatives: string[] = [];
  let last: PlanImage | undefined;
  for (const hop of hops) {
    const step = offer(input, hop);
    if (step.kind === "refused") return step;
    alternatives.push(step.alternative);
    last = step.image;
  }
  return {
    kind: "hop",
    hop: hops.at(-1)!.text,
    image: last!,
    final: true,
    parameters: parametersOf(input.policy, alternatives),
    chained: true,
  };
}

function parametersOf(
  policy: PlanPolicy,
  alternatives: readonly string[],
): { readonly name: string; readonly value: string }[] {
  const parameters = [
    { name: "Upgrade_Rule", value: alternatives.join(" | ") },
    // The unit resyncs right after each attempt, so the server sees the outcome at once.
    { name: "Resync_After_Upgrade_Attempt", value: "Yes" },
  ];
  if (policy.downgradeRevLimit !== null && policy.downgradeRevLimit !== "") {
    parameters.push({ name: "Downgrade_Rev_Limit", value: policy.downgradeRevLimit });
  }
  return parameters;
}

function toRelease(v: FirmwareVersion): ReleaseVersion {
  return { format: v.format, version: v, hasBuild: true, text: v.text };
}
