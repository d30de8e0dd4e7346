import type { UserAccess } from "./access.ts";
import type { ProfileWarning, SourcePosition } from "./errors.ts";

/**
 * One parameter statement of a profile, in either format. The three optional parts are
 * independent, because both formats can state access without a value and vice versa.
 */
export interface ProfileEntry {
  /** Canonical element name (`Proxy_1_`, never `Proxy[1]`). */
  readonly name: string;
  /**
   * The value to store; `""` stores the empty string. `undefined` = leave the value
   * unchanged (`<X ua="rw"/>`, plain-text `X ! ;`).
   */
  readonly value: string | undefined;
  /**
   * User access to set. `undefined` = not stated: XML without `ua` (the device then
   * applies its `uaAbsent` policy, C5) or the plain-text `*` tag (keep access).
   */
  readonly access: UserAccess | undefined;
  /** MPP `preserve-value="y"`: keep an existing value, only change access (§3.2.3). */
  readonly preserveValue?: boolean;
  /**
   * The raw `ua` text when it was not na/ro/rw. §3.2.3: the device ignores the attribute
   * and keeps the current access — unlike an absent `ua`, which is policy-dependent.
   */
  readonly invalidAccess?: string;
  /**
   * Web group the parameter is shown under (`Ext_1/Proxy_and_Registration`), as device
   * exports write `group="…"`. A pure annotation: it never changes what applying does.
   */
  readonly group?: string;
  /** Where the statement starts in its source, for diagnostics. */
  readonly position?: SourcePosition;
}

/** Which codec produced a profile; device-side merge rules differ slightly (C5, C6). */
export type ProfileFormat = "xml" | "text";

/** Entries in source order; repeated names are all kept (last wins is a merge concern). */
export interface Profile {
  readonly format?: ProfileFormat;
  readonly entries: readonly ProfileEntry[];
}

/** A profile as built by code (servers, tests): value and optional access. */
export function entry(
  name: string,
  value: string | undefined,
  access?: UserAccess,
  extra: Pick<ProfileEntry, "preserveValue" | "position"> = {},
): ProfileEntry {
  return { name, value, access, ...extra };
}

/**
 * Builds a profile from a plain record (`{ GPP_A: "x" }`) or `[name, value]` pairs, all
 * with the same access. Insertion order is kept.
 */
export function profileFromValues(
  values: Readonly<Record<string, string>> | Iterable<readonly [string, string]>,
  access?: UserAccess,
  format?: ProfileFormat,
): Profile {
  const pairs = Symbol.iterator in values ? values : Object.entries(values);
  const entries: ProfileEntry[] = [];
  for (const [name, value] of pairs as Iterable<readonly [string, string]>) {
    entries.push({ name, value, access });
  }
  return format === undefined ? { entries } : { format, entries };
}

/**
 * The last entry per name, ordered by where each name first appeared. This is what a
 * device ends up applying for each name (§3.2.5) when one file repeats a parameter —
 * except that a device applies value and access of every occurrence in turn; use
 * `applyProfile` for exact device semantics.
 */
export function lastOccurrences(profile: Profile): Map<string, ProfileEntry> {
  const result = new Map<string, ProfileEntry>();
  for (const item of profile.entries) {
    result.set(item.name, item);
  }
  return result;
}

/** Names that occur more than once, each once, in order of their second occurrence. */
export function duplicateNames(profile: Profile): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  const result: string[] = [];
  for (const { name } of profile.entries) {
    if (seen.has(name)) {
      if (!reported.has(name)) {
        reported.add(name);
        result.push(name);
      }
    } else {
      seen.add(name);
    }
  }
  return result;
}

/** Concatenates profiles as a device applies them in one resync (Profile_Rule, _B, _C, _D). */
export function concatProfiles(...profiles: readonly Profile[]): Profile {
  const first = profiles[0]?.format;
  const same = profiles.every((p) => p.format === first);
  const entries = profiles.flatMap((p) => p.entries);
  return same && first !== undefined ? { format: first, entries } : { entries };
}

/** A copy without source positions, for comparing parse results of different sources. */
export function withoutPositions(profile: Profile): Profile {
  const entries = profile.entries.map(({ position: _position, ...rest }) => rest);
  return profile.format === undefined ? { entries } : { format: profile.format, entries };
}

/** What a parser returns: the profile and findings that did not stop it. */
export interface ParsedProfile extends Profile {
  readonly format: ProfileFormat;
  readonly warnings: readonly ProfileWarning[];
}

/** What a serializer returns: the document and findings (non-ASCII, skipped entries). */
export interface SerializedProfile {
  readonly text: string;
  readonly warnings: readonly ProfileWarning[];
}
