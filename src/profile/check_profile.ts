import { hasNonAscii } from "./ascii.ts";
import type { Catalogue } from "./catalogue.ts";
import { type ProfileWarning, ProfileWarningCode } from "./errors.ts";
import type { Profile } from "./profile.ts";

/**
 * Lints a profile against a catalogue, the way a device would judge it: unknown names
 * (ignored by the device, §3.2.5) with "did you mean" suggestions, and values that fail
 * their type (§12.2; the device would keep the old value). Never throws.
 */
export interface CheckProfileOptions {
  /**
   * Compute "did you mean" for at most this many unknown names (default: all). A profile
   * full of another vendor's names costs an edit-distance search per name otherwise.
   */
  readonly suggestFor?: number;
}

export function checkProfile(
  profile: Profile,
  catalogue: Catalogue,
  options: CheckProfileOptions = {},
): ProfileWarning[] {
  const warnings: ProfileWarning[] = [];
  let suggestBudget = options.suggestFor ?? Number.POSITIVE_INFINITY;
  for (const item of profile.entries) {
    const where = item.position === undefined ? {} : { position: item.position };
    const parameter = catalogue.lookup(item.name);
    if (!parameter) {
      const suggestions = suggestBudget-- > 0 ? catalogue.suggest(item.name, 3) : [];
      const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(", ")}?` : "";
      warnings.push({
        code: ProfileWarningCode.UnknownName,
        message: `${item.name} is not a known parameter; a device ignores it${hint}`,
        name: item.name,
        suggestions,
        ...where,
      });
      continue;
    }
    if (item.value === undefined) continue;
    const check = catalogue.validate(item.name, item.value);
    for (const issue of check?.issues ?? []) {
      const nonAscii = issue.severity === "warning" && hasNonAscii(item.value);
      warnings.push({
        code: nonAscii ? ProfileWarningCode.NonAscii : ProfileWarningCode.ValueInvalid,
        message: `${item.name}: ${issue.message}`,
        name: item.name,
        ...where,
      });
    }
  }
  return warnings;
}
