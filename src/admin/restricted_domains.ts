/**
 * Restricted access domains, checked when a layer is set: a unit with
 * `Restricted_Access_Domains` talks only to servers in those domains (a host equal to one or
 * under it; never an IP address), so a `Profile_Rule`, `Upgrade_Rule` or `Report_Rule`
 * naming another server is a configuration error — refused here, not found by a unit in the
 * field that stops resyncing.
 *
 * Macros are expanded by the unit before it reads the rule. In a server name, a macro whose
 * value is a unit's identity (`$MA`, `$MAU`, `$SN`, `$PN`, `$PSN`: letters, digits and `-`)
 * can only name a sub-domain, so `$MA.prov.example.com` is fine when `example.com` is
 * listed; any other macro (a GPP, a firmware version) or value template could put the unit
 * anywhere and is refused. Macros in the path are the unit's business (the secure
 * provisioning rules keep their random directory there); the unit applies the domains to the
 * expanded URL as well.
 */
import { isIP } from "node:net";
import { isProvisioError } from "../errors.ts";
import {
  expandMacros,
  parseProfileRule,
  parseReportRule,
  parseUpgradeRule,
  type RuleAlternative,
} from "../rules/index.ts";
import type { LayerParameter } from "../store/index.ts";
import { apiError } from "./errors.ts";

export const RESTRICTED_DOMAINS_PARAMETER = "Restricted_Access_Domains";
/** A unit honours at most this many domains. */
export const MAX_RESTRICTED_DOMAINS = 5;

/** The rules whose servers must lie inside the domains. */
export const RESTRICTED_RULES: ReadonlySet<string> = new Set([
  "Profile_Rule",
  "Profile_Rule_B",
  "Profile_Rule_C",
  "Profile_Rule_D",
  "Upgrade_Rule",
  "Report_Rule",
]);

/** Macros that expand to a unit's identity: host-name characters only. */
const IDENTITY_MACROS = new Set(["MA", "MAU", "SN", "PN", "PSN"]);
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function refused(message: string, parameter: string): never {
  throw apiError("API_RESTRICTED_DOMAIN", message, { details: { parameter } });
}

/** `a.com, b.com` ▸ lower-case host names, at most five (empty: no restriction). */
export function parseRestrictedDomains(value: string): string[] {
  const domains: string[] = [];
  for (const part of value.split(",")) {
    const d = part.trim().toLowerCase().replace(/\.$/, "");
    if (d === "") continue;
    if (isIP(d) !== 0 || d.length > 253 || !d.split(".").every((l) => LABEL.test(l))) {
      refused(
        `${RESTRICTED_DOMAINS_PARAMETER}: ${JSON.stringify(d.slice(0, 64))} is not a host name (a comma-separated list of domains, e.g. "example.com, example.net")`,
        RESTRICTED_DOMAINS_PARAMETER,
      );
    }
    if (!domains.includes(d)) domains.push(d);
  }
  if (domains.length > MAX_RESTRICTED_DOMAINS) {
    refused(
      `${RESTRICTED_DOMAINS_PARAMETER}: at most ${MAX_RESTRICTED_DOMAINS} domains (a unit ignores the rest); got ${domains.length}`,
      RESTRICTED_DOMAINS_PARAMETER,
    );
  }
  return domains;
}

function within(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}

const MARKER = /__m(\d+)__/g;

/**
 * Why `rule` (the value of parameter `name`) may lead a unit outside `domains`, or undefined
 * when every server it names is inside them.
 */
export function ruleOutsideDomains(
  name: string,
  rule: string,
  domains: readonly string[],
): string | undefined {
  if (domains.length === 0 || rule.trim() === "") return undefined;
  const listed = domains.join(", ");
  // Each macro and value template becomes a marker, so the rule parses as the unit would
  // parse it and the markers show where expansions land.
  const macros: string[] = [];
  const marked = expandMacros(
    rule.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, () => {
      macros.push("a value template");
      return `__m${macros.length - 1}__`;
    }),
    (macro) => {
      macros.push(macro);
      return `__m${macros.length - 1}__`;
    },
  );
  let alternatives: readonly RuleAlternative[];
  try {
    alternatives =
      name === "Report_Rule"
        ? parseReportRule(marked).targets.flat()
        : name === "Upgrade_Rule"
          ? parseUpgradeRule(marked).alternatives
          : parseProfileRule(marked).alternatives;
  } catch (error) {
    if (!isProvisioError(error)) throw error;
    // A rule this server cannot read is one whose servers it cannot vouch for: a unit may read
    // `https://prov.example.com@evil.net/`, `http://[::1]/` or `http://evil.net#.example.com/`
    // as a server outside the domains.
    return macros.length > 0
      ? `${name} cannot be checked against the restricted domains (${listed}): its macros or templates make its servers unknown until the unit expands them`
      : `${name} cannot be checked against the restricted domains (${listed}): ${error.message}`;
  }
  for (const alternative of alternatives) {
    const url = alternative.url;
    if (url === undefined) continue;
    if (url.host === undefined) {
      return `${name} names no server (the unit would use the one DHCP names, which the restricted domains ${listed} cannot vouch for): write the server, e.g. https://prov.${domains[0]}${url.path.replace(MARKER, "…")}`;
    }
    const host = url.host;
    const used = [...host.matchAll(MARKER)].map((m) => macros[Number(m[1])] ?? "?");
    if (used.length > 0) {
      const unbounded = used.filter((m) => !IDENTITY_MACROS.has(m));
      if (unbounded.length > 0) {
        const what = unbounded.map((m) => (m === "a value template" ? m : `$${m}`)).join(", ");
        return `${name}: the server name ${JSON.stringify(rule.slice(0, 120))} holds ${what}, which could expand to any server, outside the restricted domains (${listed}); only a unit's identity ($MA, $MAU, $SN, $PN, $PSN) may name a sub-domain`;
      }
      // The part after the last identity macro must itself be inside a domain.
      const last = [...host.matchAll(MARKER)].at(-1)!;
      const suffix = host.slice(last.index + last[0].length);
      if (!suffix.startsWith(".") || !within(suffix.slice(1), domains)) {
        return `${name}: the server ${JSON.stringify(host.replace(MARKER, "…"))} is not inside the restricted domains (${listed}) whatever the macro expands to`;
      }
      continue;
    }
    if (isIP(host) !== 0) {
      return `${name}: ${host} is an IP address; with restricted domains (${listed}) a unit contacts host names inside them only`;
    }
    if (!within(host, domains)) {
      return `${name}: the server ${host} is outside the restricted domains (${listed}); the unit would refuse to contact it`;
    }
  }
  return undefined;
}

/**
 * Checks a layer as it will be after an edit: its `Restricted_Access_Domains` (if it sets
 * one) is well-formed, and its rules stay inside the domains in force — the layer's own,
 * else `inherited` (the tenant's). Throws `API_RESTRICTED_DOMAIN` naming the parameter.
 */
export function checkRestrictedDomains(
  parameters: readonly LayerParameter[],
  inherited: string | undefined,
): void {
  const own = parameters.find((p) => p.name === RESTRICTED_DOMAINS_PARAMETER)?.value ?? undefined;
  const domains = own === undefined ? parseQuiet(inherited) : parseRestrictedDomains(own);
  if (domains.length === 0) return;
  for (const p of parameters) {
    if (p.value === null || !RESTRICTED_RULES.has(p.name)) continue;
    const problem = ruleOutsideDomains(p.name, p.value, domains);
    if (problem !== undefined) refused(problem, p.name);
  }
}

/** The inherited list was checked when it was set; a bad stored one restricts nothing here. */
function parseQuiet(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    return parseRestrictedDomains(value);
  } catch {
    return [];
  }
}
