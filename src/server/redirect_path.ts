/**
 * The path an RC unit asks the redirect service for, keyed by its MAC: a setting
 * (`redirect.path`, default `/rc/$MA.xml`) holding exactly one `$MA` (lower-case hex) or
 * `$MAU` (upper-case), and optionally `$TENANT` (a provider's slug) when each provider's
 * units ship with their own redirect URL (`/rc/$TENANT/$MA.xml`): then a MAC asked for under
 * another provider's path is answered as an unknown one. The unit's factory Profile_Rule
 * names the path, e.g. `http://rc.example.net/rc/$MA.xml`.
 */
import { type MacAddress, tryParseMac } from "../store/index.ts";
import { serverError } from "./errors.ts";

export const DEFAULT_REDIRECT_PATH = "/rc/$MA.xml";

export interface RedirectTarget {
  readonly mac: MacAddress;
  /** The provider slug the path names (`$TENANT`), if the pattern has one. */
  readonly tenantSlug: string | undefined;
}

export interface RedirectPath {
  readonly pattern: string;
  /** What the path names, or undefined when it is not a redirect path. */
  match(path: string): RedirectTarget | undefined;
}

const TOKENS: Readonly<Record<string, string>> = {
  MA: "([0-9a-f]{12})",
  MAU: "([0-9A-F]{12})",
  TENANT: "([a-z0-9][a-z0-9-]{0,62})",
};

export function compileRedirectPath(pattern: string): RedirectPath {
  const bad = (): never => {
    throw serverError(
      "SERVER_CONFIG_INVALID",
      `redirect.path ${JSON.stringify(pattern)} must start with "/" and hold $MA (or $MAU) once, $TENANT at most once`,
    );
  };
  if (!/^\/[A-Za-z0-9._~/$-]*$/.test(pattern) || pattern.length > 255) bad();
  const order: string[] = [];
  const source = pattern
    .replace(/[.*+?^{}()|[\]\\]/g, "\\$&")
    .replace(/\$(MAU|MA|TENANT)(?![A-Za-z0-9_])/g, (_, name: string) => {
      order.push(name);
      return TOKENS[name]!;
    });
  const macs = order.filter((n) => n !== "TENANT").length;
  if (source.includes("$") || macs !== 1 || order.length - macs > 1) bad();
  const regex = new RegExp(`^${source}$`);
  return {
    pattern,
    match(path) {
      const m = regex.exec(path);
      if (m === null) return undefined;
      let mac: MacAddress | undefined;
      let tenantSlug: string | undefined;
      order.forEach((name, i) => {
        const value = m[i + 1]!;
        if (name === "TENANT") tenantSlug = value;
        else mac = tryParseMac(value);
      });
      return mac === undefined ? undefined : { mac, tenantSlug };
    },
  };
}
