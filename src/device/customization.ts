/**
 * Remote-customization status (§1.1.3, shown on the Info page §12.1, `$ISCUST`).
 * SPA: `Open` (not an RC unit), `Pending` (RC unit not yet provisioned), or the owning
 * company's name once the RC server's profile was applied. MPP adds `Acquired` and
 * `Unavailable` (the RC server answered with an empty profile).
 */
import type { DeviceFamily } from "../profile/index.ts";

export type Customization = string;

export interface RemoteCustomization {
  /** The factory `Profile_Rule` of the RC unit, pointing at the (simulated) RC server. */
  readonly profileRule: string;
  /** Shown once customized (SPA). How the name reaches the device is not documented. */
  readonly company: string;
}

export function initialCustomization(rc: RemoteCustomization | undefined): Customization {
  return rc === undefined ? "Open" : "Pending";
}

/**
 * After a successful fetch from the RC rule: SPA shows the company; MPP shows `Acquired`,
 * or `Unavailable` when the answer set no parameter.
 */
export function customizationAfterRcFetch(
  family: DeviceFamily,
  rc: RemoteCustomization,
  appliedEntries: number,
): Customization {
  if (family === "mpp") return appliedEntries === 0 ? "Unavailable" : "Acquired";
  return appliedEntries === 0 ? "Pending" : rc.company;
}

/** `$ISCUST`: 1 once the unit is customized. */
export function isCustomized(status: Customization): boolean {
  return (
    status !== "Open" && status !== "Pending" && status !== "Unavailable" && status !== "Aborted"
  );
}
