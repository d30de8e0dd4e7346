/**
 * `Restricted_Access_Domains` (§9.3): with a non-empty list the device talks only to hosts
 * equal to a listed domain or under it (case-insensitive); IP literals are refused.
 */
import { isIP } from "node:net";

/** At most five domains are honoured (SPA). */
export const MAX_RESTRICTED_DOMAINS = 5;

export function hostAllowed(host: string, restricted: string): boolean {
  const domains = restricted
    .split(",")
    .map((d) => d.trim().toLowerCase().replace(/\.$/, ""))
    .filter((d) => d !== "")
    .slice(0, MAX_RESTRICTED_DOMAINS);
  if (domains.length === 0) return true;
  if (isIP(host) !== 0) return false;
  const h = host.toLowerCase().replace(/\.$/, "");
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}
