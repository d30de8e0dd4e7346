import { isParameterName } from "./parameter_name.ts";
import type { ProfileEntry } from "./profile.ts";
import { isXmlName, type XmlLeaf } from "./xml_codec.ts";

/*
 * Alias maps (§4.5.3): `[--alias m]` names a GPP parameter holding
 *
 *   /CPE/SIP-Credentials/name = /flat-profile/Display_Name_1_ ;
 *
 * entries; each leaf element of the fetched document whose path ends with an entry's left
 * side (whole path segments, as much as written) sets the parameter on the right. A device
 * honours at most 30 entries. The map is data a customer typed into a parameter, so a bad
 * entry is skipped and reported, never thrown.
 */

/** At most this many aliases are honoured (§4.5.3). */
export const MAX_ALIASES = 30;

export interface Alias {
  /** Path segments of the left side, `["CPE", "SIP-Credentials", "name"]`. */
  readonly source: readonly string[];
  /** Element name of the parameter it sets. */
  readonly parameter: string;
}

export interface ParsedAliasMap {
  readonly aliases: readonly Alias[];
  /** One line per skipped entry (malformed, or beyond the 30th). */
  readonly problems: readonly string[];
}

const TARGET_PREFIX = "/flat-profile/";

function pathSegments(path: string): string[] | undefined {
  if (!path.startsWith("/")) return undefined;
  const segments = path.slice(1).split("/");
  return segments.every(isXmlName) ? segments : undefined;
}

/** Parses the value of the GPP parameter `--alias` names. */
export function parseAliasMap(text: string): ParsedAliasMap {
  const aliases: Alias[] = [];
  const problems: string[] = [];
  let skipped = 0;
  for (const raw of text.split(";")) {
    const item = raw.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    const source = eq < 0 ? undefined : pathSegments(item.slice(0, eq).trim());
    const target = eq < 0 ? "" : item.slice(eq + 1).trim();
    const parameter = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    if (source === undefined || !isParameterName(parameter)) {
      problems.push(`alias "${item}" is not "/path/to/element = /flat-profile/Parameter_Name"`);
    } else if (aliases.length < MAX_ALIASES) {
      aliases.push({ source, parameter });
    } else {
      skipped++;
    }
  }
  if (skipped > 0) {
    problems.push(`only the first ${MAX_ALIASES} aliases are honoured; ${skipped} more ignored`);
  }
  return { aliases, problems };
}

function endsWith(path: readonly string[], suffix: readonly string[]): boolean {
  if (suffix.length > path.length) return false;
  const offset = path.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (path[offset + i] !== suffix[i]) return false;
  return true;
}

/**
 * The entries an alias map makes of a document's leaves (`parseXmlProfile(…, {
 * collectLeaves: true }).leaves`), in document order; each leaf takes the first alias it
 * matches. Access is not stated (an alias carries no `ua`).
 */
export function applyAliasMap(
  leaves: readonly XmlLeaf[],
  aliases: readonly Alias[],
): ProfileEntry[] {
  const entries: ProfileEntry[] = [];
  if (aliases.length === 0) return entries;
  for (const leaf of leaves) {
    const path = leaf.path.slice(1).split("/");
    const alias = aliases.find((a) => endsWith(path, a.source));
    if (alias !== undefined) {
      entries.push({
        name: alias.parameter,
        value: leaf.value,
        access: undefined,
        position: leaf.position,
      });
    }
  }
  return entries;
}
