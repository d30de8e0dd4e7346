/**
 * A provider's redirect profile — what the redirect service answers a registered unit:
 * restricted access domains (at most five), DNS servers, Provision_Enable, the resync timers
 * and the Profile_Rule to the provider's own server. Parsed strictly on input: a rule that
 * does not parse, or whose servers lie outside the restricted domains, is refused here,
 * not discovered by a unit in the field.
 */
import { isIP } from "node:net";
import { isProvisioError } from "../errors.ts";
import { expandMacros, parseProfileRule, parseSchedule } from "../rules/index.ts";
import { invalid } from "./errors.ts";
import * as v from "./validate.ts";

/** At most five restricted access domains are honoured by a unit. */
export const MAX_RESTRICTED_DOMAINS = 5;

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export interface RedirectProfileFields {
  /** Lower-case host names; a unit then talks only to hosts equal to or under one. */
  readonly restrictedDomains: readonly string[];
  readonly primaryDns: string | null;
  readonly secondaryDns: string | null;
  readonly provisionEnable: "Yes" | "No";
  /** Schedules as the unit reads them (`30`, `3600`, `30,60,120`); null = not set. */
  readonly resyncPeriodic: string | null;
  readonly resyncErrorRetryDelay: string | null;
  /** The rule to the provider's own server, e.g. `https://prov.example.com/profile/$MA.xml`. */
  readonly profileRule: string;
}

export interface RedirectProfile extends RedirectProfileFields {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RedirectProfileInput {
  readonly tenantId: string;
  readonly name: string;
  readonly restrictedDomains?: readonly string[] | string;
  readonly primaryDns?: string | null;
  readonly secondaryDns?: string | null;
  readonly provisionEnable?: boolean | "Yes" | "No";
  readonly resyncPeriodic?: string | number | null;
  readonly resyncErrorRetryDelay?: string | number | null;
  readonly profileRule: string;
}

/** `a.com, b.com` or a list ▸ lower-case, unique host names; at most five. */
export function parseRestrictedDomains(input: readonly string[] | string | undefined): string[] {
  if (input === undefined) return [];
  const parts = typeof input === "string" ? input.split(",") : [...input];
  const domains: string[] = [];
  for (const part of parts) {
    if (typeof part !== "string") throw invalid("restricted domains must be host names");
    const d = part.trim().toLowerCase().replace(/\.$/, "");
    if (d === "") continue;
    if (isIP(d) !== 0 || !HOSTNAME.test(d)) {
      throw invalid(`restricted domain ${JSON.stringify(d.slice(0, 64))} is not a host name`, {
        field: "restrictedDomains",
      });
    }
    if (!domains.includes(d)) domains.push(d);
  }
  if (domains.length > MAX_RESTRICTED_DOMAINS) {
    throw invalid(
      `at most ${MAX_RESTRICTED_DOMAINS} restricted domains (a unit ignores the rest); got ${domains.length}`,
      { field: "restrictedDomains" },
    );
  }
  return domains;
}

/** True when `host` is one of the domains or under one (case-insensitive); no IP literal. */
export function hostWithinDomains(host: string, domains: readonly string[]): boolean {
  if (domains.length === 0) return true;
  if (isIP(host) !== 0) return false;
  const h = host.toLowerCase().replace(/\.$/, "");
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}

function dns(value: string | null | undefined, field: string): string | null {
  const text = v.optionalText(value, field, 253);
  if (text === undefined || text === null) return null;
  if (isIP(text) === 0 && !HOSTNAME.test(text.toLowerCase())) {
    throw invalid(`${field} must be an IP address or a host name`, { field });
  }
  return text;
}

function schedule(value: string | number | null | undefined, field: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  const text = String(value).trim();
  if (text.length > 128 || /[\u0000-\u001f]/.test(text)) throw invalid(`${field} is too long`);
  try {
    parseSchedule(text);
  } catch (error) {
    if (!isProvisioError(error)) throw error;
    throw invalid(`${field}: ${error.message}`, { field });
  }
  return text;
}

function provisionEnable(value: RedirectProfileInput["provisionEnable"]): "Yes" | "No" {
  if (value === undefined || value === true || value === "Yes") return "Yes";
  if (value === false || value === "No") return "No";
  throw invalid("provisionEnable must be Yes or No", { field: "provisionEnable" });
}

/** Macros that expand to a unit's identity (host-name characters): a sub-domain at most. */
const IDENTITY_MACROS = new Set(["MA", "MAU", "SN", "PN", "PSN"]);
const IDENTITY = "id0";
const OTHER_MACRO = "__macro__";

/**
 * The Profile_Rule must parse, name a server in every URL (a unit redirected to "the DHCP
 * server" would not reach the provider) and, with restricted domains, stay inside them. The
 * unit expands macros first: a unit's identity (`$MA`, …) in a server name can only name a
 * sub-domain (`$MA.prov.example.com`); any other macro there could name any server.
 */
export function checkRedirectRule(rule: string, domains: readonly string[]): string {
  const text = v.text(rule.trim(), "profileRule", 1024);
  const marked = expandMacros(text, (macro) =>
    IDENTITY_MACROS.has(macro) ? IDENTITY : OTHER_MACRO,
  );
  let parsed: ReturnType<typeof parseProfileRule>;
  try {
    parsed = parseProfileRule(marked);
  } catch (error) {
    if (!isProvisioError(error)) throw error;
    throw invalid(`profileRule: ${error.message}`, { field: "profileRule" });
  }
  const urls = parsed.alternatives.flatMap((a) => (a.url === undefined ? [] : [a.url]));
  if (urls.length === 0) throw invalid("profileRule names no URL", { field: "profileRule" });
  for (const url of urls) {
    if (url.host === undefined) {
      throw invalid("profileRule must name the provider's server in every URL", {
        field: "profileRule",
      });
    }
    if (url.host.includes(OTHER_MACRO)) {
      throw invalid(
        "profileRule: a macro in the server name could send the unit to any server; only a unit's identity ($MA, $MAU, $SN, $PN, $PSN) may name a sub-domain",
        { field: "profileRule" },
      );
    }
    if (!hostWithinDomains(url.host, domains)) {
      throw invalid(
        `profileRule server ${JSON.stringify(url.host)} is outside the restricted domains (${domains.join(", ")}): the unit would refuse to contact it`,
        { field: "profileRule" },
      );
    }
  }
  return text;
}

/** Input ▸ the stored fields (throws `STORE_INVALID_INPUT` naming the field). */
export function parseRedirectProfile(input: RedirectProfileInput): RedirectProfileFields {
  const restrictedDomains = parseRestrictedDomains(input.restrictedDomains);
  return {
    restrictedDomains,
    primaryDns: dns(input.primaryDns, "primaryDns"),
    secondaryDns: dns(input.secondaryDns, "secondaryDns"),
    provisionEnable: provisionEnable(input.provisionEnable),
    resyncPeriodic: schedule(input.resyncPeriodic, "resyncPeriodic"),
    resyncErrorRetryDelay: schedule(input.resyncErrorRetryDelay, "resyncErrorRetryDelay"),
    profileRule: checkRedirectRule(input.profileRule, restrictedDomains),
  };
}
