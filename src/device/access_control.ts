/**
 * What each web account may see and change (§3.2.3, §3.7, §9.1): Admin everything, the
 * User only `rw` (edit) and `ro` (read) parameters, never `na`; secret GPPs (`GPP_SA`..`SD`)
 * are never shown and can be set only by a profile.
 */
import type { UserAccess } from "../profile/index.ts";
import type { ParameterStore } from "./parameter_store.ts";

export type Account = "admin" | "user";

export interface VisibleParameter {
  readonly name: string;
  /** Undefined for secrets, which are listed (so the field exists) but never shown. */
  readonly value: string | undefined;
  readonly editable: boolean;
}

const PROFILE_ONLY = /^GPP_S[A-D]$/;

/** The parameters `account` sees, in catalogue order. */
export function visibleParameters(store: ParameterStore, account: Account): VisibleParameter[] {
  const out: VisibleParameter[] = [];
  for (const [name, state] of store.entries()) {
    if (PROFILE_ONLY.test(name)) continue;
    if (account === "user" && state.access === "na") continue;
    const secret = store.catalogue.isSecret(name);
    out.push({
      name,
      value: secret ? undefined : state.value,
      editable: account === "admin" || state.access === "rw",
    });
  }
  return out;
}

export type EditRefusal = "unknown" | "hidden" | "read-only" | "profile-only" | "invalid";

/** Edits one value as `account` would on the web page; the reason when refused. */
export function editParameter(
  store: ParameterStore,
  account: Account,
  name: string,
  value: string,
): EditRefusal | undefined {
  const access: UserAccess | undefined = store.access(name);
  if (access === undefined) return "unknown";
  if (PROFILE_ONLY.test(name)) return "profile-only";
  if (account === "user" && access === "na") return "hidden";
  if (account === "user" && access === "ro") return "read-only";
  return store.set(name, value) ? undefined : "invalid";
}
