/**
 * What the API and the CLI share for firmware: uploading an image (checksum verified before
 * anything is written, the file written under a temporary name and renamed, then
 * registered), upgrade policies with their versions checked as a path, and rollouts —
 * start (eligible units ranked into waves), resume, abort, progress. Every refusal of an
 * upload or a rollout move is written to the audit log.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  assignWaves,
  compareReleases,
  compareToRelease,
  FIRMWARE_FOLDER,
  parseImageVersion,
  parseReleaseVersion,
  policyHops,
  serverError,
} from "../server/index.ts";
import {
  type FirmwareImageRecord,
  isFirmwareFileName,
  type Rollout,
  type RolloutState,
  type Store,
  type UpgradePolicy,
  type UpgradePolicyInput,
  type WaveProgress,
} from "../store/index.ts";

/** Largest image accepted (the biggest MPP loads are tens of MB). */
export const MAX_FIRMWARE_BYTES = 256 * 1024 * 1024;

export interface FirmwareUpload {
  readonly tenantId: string;
  readonly version: string;
  readonly models: readonly string[];
  readonly fileName: string;
  /** The checksum the uploader states (hex); the bytes must hash to it. */
  readonly sha256: string;
  readonly bytes: Buffer;
}

async function refused(
  store: Store,
  actor: string,
  action: string,
  tenantId: string | null,
  after: unknown,
): Promise<void> {
  await store.audit
    .append({ actor, action, entity: "firmware-image", tenantId, after })
    .catch(() => undefined);
}

/** A tenant's firmware folder; its id comes from the store (a UUID or `default`). */
function tenantFolder(filesDir: string, tenantId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(tenantId)) {
    throw serverError("SERVER_FIRMWARE_INVALID", "no such tenant");
  }
  return join(filesDir, FIRMWARE_FOLDER, tenantId);
}

export async function uploadFirmware(
  store: Store,
  filesDir: string,
  upload: FirmwareUpload,
  actor: string,
): Promise<FirmwareImageRecord> {
  const summary = {
    fileName: upload.fileName.slice(0, 128),
    version: upload.version.slice(0, 64),
    bytes: upload.bytes.length,
  };
  const refuse = async (reason: string, error: Error): Promise<never> => {
    await refused(store, actor, "firmware.refused", upload.tenantId, { ...summary, reason });
    throw error;
  };
  if (upload.bytes.length > MAX_FIRMWARE_BYTES) {
    await refuse(
      "too large",
      serverError(
        "SERVER_FIRMWARE_TOO_LARGE",
        `the image is ${upload.bytes.length} bytes; at most ${MAX_FIRMWARE_BYTES} are accepted`,
      ),
    );
  }
  if (parseImageVersion(upload.version) === undefined) {
    await refuse(
      "version",
      serverError(
        "SERVER_FIRMWARE_INVALID",
        `"${summary.version}" is not a version a unit reports (5.1.6, 7.4.8a, sip88xx.11-3-1MPP-678)`,
      ),
    );
  }
  if (!isFirmwareFileName(upload.fileName)) {
    await refuse(
      "file name",
      serverError(
        "SERVER_FIRMWARE_INVALID",
        "the file name may hold letters, digits, '.', '-' and '_' only (no path)",
      ),
    );
  }
  const stated = upload.sha256.trim().toLowerCase();
  const actual = createHash("sha256").update(upload.bytes).digest("hex");
  if (stated !== actual) {
    await refuse(
      "checksum",
      serverError(
        "SERVER_FIRMWARE_CHECKSUM_MISMATCH",
        `the image's SHA-256 is ${actual}, not the ${stated.slice(0, 64)} given with it; nothing was stored`,
      ),
    );
  }
  // The tenant's own folder (its id: what the server reads, docs/firmware.md): two tenants
  // may each have an image of one name.
  const dir = tenantFolder(filesDir, upload.tenantId);
  await mkdir(dir, { recursive: true });
  const final = join(dir, upload.fileName);
  const temp = join(dir, `.${upload.fileName}.${randomBytes(6).toString("hex")}.part`);
  await writeFile(temp, upload.bytes, { mode: 0o644 });
  try {
    const image = await store.firmware.addImage(
      {
        tenantId: upload.tenantId,
        version: upload.version,
        models: upload.models,
        fileName: upload.fileName,
        sha256: actual,
        bytes: upload.bytes.length,
      },
      { actor },
    );
    // Registered first, then visible: a node that sees the row before the file answers 503.
    await rename(temp, final);
    return image;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Removes an image from the registry and the files directory. */
export async function removeFirmware(
  store: Store,
  filesDir: string,
  id: string,
  actor: string,
): Promise<FirmwareImageRecord> {
  const image = await store.firmware.removeImage(id, { actor });
  await rm(join(tenantFolder(filesDir, image.tenantId), image.fileName), { force: true });
  // A file still where names were installation-wide (no node has moved it yet) goes too, when
  // it holds this image's bytes.
  const legacy = join(filesDir, FIRMWARE_FOLDER, image.fileName);
  const bytes = await readFile(legacy).catch(() => undefined);
  if (bytes !== undefined && createHash("sha256").update(bytes).digest("hex") === image.sha256) {
    await rm(legacy, { force: true });
  }
  return image;
}

/** Creates or replaces a policy after checking its versions form one path of one family. */
export async function setUpgradePolicy(
  store: Store,
  input: UpgradePolicyInput,
  actor: string,
): Promise<UpgradePolicy> {
  const hops = policyHops({ target: input.target, intermediates: input.intermediates ?? [] });
  const refuse = async (reason: string): Promise<never> => {
    await store.audit
      .append({
        actor,
        action: "upgrade-policy.refused",
        entity: "upgrade-policy",
        tenantId: input.tenantId,
        after: { name: String(input.name).slice(0, 64), reason },
      })
      .catch(() => undefined);
    throw serverError("SERVER_ROLLOUT_INVALID", reason);
  };
  if (hops === undefined) {
    await refuse(
      "the target and intermediate versions must all be versions of one family (all SPA like 7.5.5, or all MPP like 11-3-7MPP)",
    );
  }
  const target = parseReleaseVersion(input.target)!;
  for (const text of input.intermediates ?? []) {
    const hop = parseReleaseVersion(text)!;
    if (compareReleases(hop, target) !== -1) {
      await refuse(`the intermediate version ${text} is not below the target ${input.target}`);
    }
  }
  if (
    input.downgradeRevLimit !== undefined &&
    input.downgradeRevLimit !== null &&
    input.downgradeRevLimit !== ""
  ) {
    const limit = parseImageVersion(input.downgradeRevLimit);
    if (limit === undefined || limit.format !== target.format) {
      await refuse("the downgrade limit must be a full version of the same family");
    }
    const lowest = hops![0]!;
    if (compareToRelease(limit!, lowest) === 1) {
      await refuse(
        `the downgrade limit ${input.downgradeRevLimit} is above the first hop ${lowest.text}: units would refuse it`,
      );
    }
  }
  return store.firmware.setPolicy(input, { actor });
}

export interface RolloutStart {
  readonly policyId: string;
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly silenceMs: number;
}

/** Starts a rollout over the policy's units that are below its target (or unknown). */
export async function startRollout(
  store: Store,
  input: RolloutStart,
  actor: string,
): Promise<{ rollout: Rollout; units: number }> {
  const policy = await store.firmware.getPolicy(input.policyId);
  const hops = policyHops(policy);
  const target = hops?.at(-1);
  const units = (await store.rollouts.eligibleUnits(policy.tenantId)).filter((u) => {
    if (policy.groupId !== null && u.groupId !== policy.groupId) return false;
    if (policy.modelPn !== null && u.modelPn !== policy.modelPn) return false;
    if (u.firmware === null || target === undefined) return true;
    const v = parseImageVersion(u.firmware);
    // A unit on another family or already at the target is not part of it.
    return v !== undefined && compareToRelease(v, target) === -1;
  });
  if (units.length === 0) {
    await store.audit
      .append({
        actor,
        action: "rollout.refused",
        entity: "rollout",
        tenantId: policy.tenantId,
        after: { policyId: policy.id, reason: "no unit to move" },
      })
      .catch(() => undefined);
    throw serverError("SERVER_ROLLOUT_INVALID", "no unit of this policy is below its target");
  }
  const key = randomBytes(8).toString("hex");
  const members = assignWaves(key, units, input.waves).map(({ unit, wave }) => ({
    mac: unit.mac,
    wave,
    fromVersion: unit.firmware,
  }));
  const rollout = await store.rollouts.create(
    {
      policyId: policy.id,
      waves: input.waves,
      failureThreshold: input.failureThreshold,
      silenceMs: input.silenceMs,
      members,
    },
    { actor },
  );
  return { rollout, units: members.length };
}

/** Resume a halted rollout (its wave's failures get the offer again) or abort one. */
/** What each operator action does to a rollout: from which states, to which. */
const MOVES = {
  // An operator's pause: nothing new is offered until a resume.
  halt: { from: ["running"], to: "halted", retryFailed: false },
  resume: { from: ["halted"], to: "running", retryFailed: true },
  abort: { from: ["running", "halted"], to: "aborted", retryFailed: false },
} as const satisfies Record<
  string,
  { from: readonly RolloutState[]; to: RolloutState; retryFailed: boolean }
>;

export type RolloutAction = keyof typeof MOVES;
export const ROLLOUT_ACTIONS = Object.keys(MOVES) as readonly RolloutAction[];

export async function moveRollout(
  store: Store,
  id: string,
  action: RolloutAction,
  actor: string,
): Promise<Rollout> {
  const r = await store.rollouts.get(id);
  const move = MOVES[action];
  const allowed = (move.from as readonly RolloutState[]).includes(r.state);
  const reason =
    move.to === "running" ? null : `${action === "halt" ? "halted" : "aborted"} by ${actor}`;
  const moved = allowed
    ? await store.rollouts.transition(
        id,
        { state: r.state, wave: r.wave },
        { state: move.to, wave: r.wave, reason },
        { actor, retryFailed: move.retryFailed },
      )
    : null;
  if (moved === null) {
    await store.audit
      .append({
        actor,
        action: "rollout.refused",
        entity: "rollout",
        key: id,
        tenantId: r.tenantId,
        after: { action, state: r.state },
      })
      .catch(() => undefined);
    throw serverError("SERVER_ROLLOUT_INVALID", `a ${r.state} rollout cannot ${action}`);
  }
  return moved;
}

export interface RolloutView {
  readonly rollout: Rollout;
  readonly policy: string;
  readonly target: string;
  readonly waves: readonly (WaveProgress & { readonly percent: number })[];
}

export async function rolloutView(store: Store, id: string): Promise<RolloutView> {
  const rollout = await store.rollouts.get(id);
  const policy = await store.firmware.getPolicy(rollout.policyId);
  const progress = await store.rollouts.progress(id);
  return {
    rollout,
    policy: policy.name,
    target: policy.target,
    waves: progress.map((p) => ({ ...p, percent: rollout.waves[p.wave]! })),
  };
}
