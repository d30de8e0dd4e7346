/**
 * User access (§3.2.3): what the *User* account may do with a parameter. The admin is
 * never restricted, so there is no admin access level to model.
 */
export type UserAccess = "na" | "ro" | "rw";

export const USER_ACCESS_VALUES: readonly UserAccess[] = ["na", "ro", "rw"];

/** `na`/`ro`/`rw` exactly (the devices compare case-sensitively); anything else → undefined. */
export function parseUserAccess(value: string): UserAccess | undefined {
  return value === "na" || value === "ro" || value === "rw" ? value : undefined;
}

export function isUserAccess(value: unknown): value is UserAccess {
  return value === "na" || value === "ro" || value === "rw";
}

/** Plain-text access tags (§3.3.2, §3.3.4). `""` is "no tag". */
export type SpcTag = "!" | "?" | "*" | "";

/**
 * What `*` means. §3.3.4 adopts `keepAccess` (set the value, leave access alone); the
 * other readings are switches so a test can reproduce either guess.
 */
export type StarTagMeaning = "keepAccess" | "noAccess" | "rw";

/**
 * Tag → access stated by the statement; undefined means "not stated" (keep current).
 * Note that *no tag* is not "unchanged": it hides the parameter (§3.3.2).
 */
export function spcTagToAccess(
  tag: SpcTag,
  starTag: StarTagMeaning = "keepAccess",
): UserAccess | undefined {
  switch (tag) {
    case "!":
      return "rw";
    case "?":
      return "ro";
    case "":
      return "na";
    case "*":
      return starTag === "keepAccess" ? undefined : starTag === "rw" ? "rw" : "na";
  }
}

/** Access → tag; unstated access needs `*`, which only means that under `keepAccess`. */
export function accessToSpcTag(access: UserAccess | undefined): SpcTag {
  switch (access) {
    case "rw":
      return "!";
    case "ro":
      return "?";
    case "na":
      return "";
    case undefined:
      return "*";
  }
}
