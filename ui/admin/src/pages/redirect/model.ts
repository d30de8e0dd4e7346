/** The redirect (RC) service's API shapes (src/api/routes/redirect_routes.ts). */
export const STATUSES = [
  "open",
  "pending",
  "custom-pending",
  "acquired",
  "aborted",
  "unavailable",
] as const;
export type CustomizationStatus = (typeof STATUSES)[number];

export interface RedirectProfile {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly restrictedDomains: readonly string[];
  readonly primaryDns: string | null;
  readonly secondaryDns: string | null;
  readonly provisionEnable: "Yes" | "No";
  readonly resyncPeriodic: string | null;
  readonly resyncErrorRetryDelay: string | null;
  readonly profileRule: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RedirectUnit {
  readonly mac: string;
  readonly tenant: string;
  readonly profile: string | null;
  readonly status: CustomizationStatus;
  readonly customization: string;
  readonly statusAt: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RegisterResult {
  readonly registered: number;
  readonly unchanged: number;
  readonly conflicts: readonly string[];
  readonly outside: readonly string[];
}

export interface RedirectGrant {
  readonly id: string;
  readonly tenant: string;
  readonly first: string;
  readonly last: string;
  readonly size: number;
  readonly note: string | null;
  readonly createdAt: string;
}

export const STATUS_COLOR: Record<CustomizationStatus, string> = {
  open: "gray",
  pending: "blue",
  "custom-pending": "blue",
  acquired: "green",
  aborted: "red",
  unavailable: "orange",
};

/** MACs from pasted text: any separators, any notation per MAC. */
export function macsIn(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((m) => m.trim())
    .filter((m) => m !== "");
}
