/**
 * The descriptive provisioning states of §2.1 and the transitions of §2.4. The firmware
 * holds no such parameter; the emulator derives the state from what happened, for tests
 * and displays only.
 */
export type ProvisioningStateName = "MFG-RESET" | "SP-CUST" | "SEC-PRV-1" | "SEC-PRV-2";

/** What one applied profile means for the state (computed by the resync sequence). */
export interface AppliedProfileFacts {
  /** The profile set a `Profile_Rule*` to a value other than its factory default. */
  readonly setsNonDefaultProfileRule: boolean;
  /**
   * The profile reached this device only: a targeted file, or (the §10.2 analogue) an
   * HTTPS answer to a request made with the unit's own client certificate.
   */
  readonly targeted: boolean;
  /** After applying it, some `Profile_Rule*` carries a `--key` option. */
  readonly keyRulesAfter: boolean;
}

/** §2.4 transition on "a profile was applied". */
export function afterProfileApplied(
  state: ProvisioningStateName,
  facts: AppliedProfileFacts,
): ProvisioningStateName {
  let next = state;
  if (next === "MFG-RESET" && facts.setsNonDefaultProfileRule) next = "SP-CUST";
  if (next === "SP-CUST" && facts.targeted && facts.keyRulesAfter) next = "SEC-PRV-1";
  if ((next === "SEC-PRV-1" || next === "SEC-PRV-2") && !facts.keyRulesAfter) next = "SP-CUST";
  return next;
}

/** §2.4 transition on "a resync sequence succeeded"; `usedKey`: a file came with `--key`. */
export function afterResyncSucceeded(
  state: ProvisioningStateName,
  usedKey: boolean,
): ProvisioningStateName {
  if ((state === "SEC-PRV-1" || state === "SEC-PRV-2") && usedKey) return "SEC-PRV-2";
  return state;
}
