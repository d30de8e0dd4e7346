/** The firmware API's shapes (src/api/routes/firmware_routes.ts) and its calls. */
import { api } from "../../api/client.ts";

export interface FirmwareImage {
  readonly id: string;
  readonly tenant: string;
  readonly version: string;
  readonly models: readonly string[];
  readonly fileName: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface UpgradePolicy {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly model: string | null;
  readonly group: string | null;
  readonly target: string;
  readonly intermediates: readonly string[];
  readonly downgradeRevLimit: string | null;
  readonly scheme: string;
  readonly baseUrl: string | null;
  readonly staged: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WaveProgress {
  readonly wave: number;
  readonly percent: number;
  readonly size: number;
  readonly waiting: number;
  readonly offered: number;
  readonly upgraded: number;
  readonly failed: number;
  readonly unreached: number;
}

export type RolloutState = "running" | "halted" | "aborted" | "completed";

export interface Rollout {
  readonly id: string;
  readonly tenant: string;
  readonly policy: string;
  readonly policyName?: string;
  readonly target?: string;
  readonly state: RolloutState;
  readonly wave: number;
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly silenceSeconds: number;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly progress?: readonly WaveProgress[];
}

export type RolloutAction = "halt" | "resume" | "abort";

export const firmwareKeys = {
  images: (tenant: string) => ["firmware", "images", tenant] as const,
  policies: (tenant: string) => ["firmware", "policies", tenant] as const,
  rollouts: (tenant: string) => ["firmware", "rollouts", tenant] as const,
  rollout: (id: string) => ["firmware", "rollout", id] as const,
};

export const listImages = (tenant: string) =>
  api<FirmwareImage[]>("/api/v1/firmware", { query: { tenant } });
export const listPolicies = (tenant: string) =>
  api<UpgradePolicy[]>("/api/v1/upgrade-policies", { query: { tenant } });
export const listRollouts = (tenant: string) =>
  api<Rollout[]>("/api/v1/rollouts", { query: { tenant } });
export const getRollout = (id: string) =>
  api<Rollout>(`/api/v1/rollouts/${encodeURIComponent(id)}`);
export const moveRollout = (id: string, action: RolloutAction) =>
  api<Rollout>(`/api/v1/rollouts/${encodeURIComponent(id)}/${action}`, { method: "POST" });

/** Which operator actions a rollout in this state allows. */
export function actionsFor(state: RolloutState): readonly RolloutAction[] {
  if (state === "running") return ["halt", "abort"];
  if (state === "halted") return ["resume", "abort"];
  return [];
}

export const STATE_COLOR: Record<RolloutState, string> = {
  running: "blue",
  halted: "orange",
  aborted: "gray",
  completed: "green",
};

/** SHA-256 of a file, in the browser, as the upload route wants it (hex). */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
