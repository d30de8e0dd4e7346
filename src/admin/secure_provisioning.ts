/**
 * Secure provisioning for operators (CLI and API alike): each device's key state as it may be
 * shown — never a key, never a directory (with the key it opens the unit's profile; alone it
 * is still the unit's unguessable location) — and rotations and resets, audited.
 */
import type {
  DeviceSecureKeys,
  MacAddress,
  RotationResult,
  RotationScope,
  Store,
} from "../store/index.ts";

/** One word for where a device's keys are. */
export type SecureKeyState =
  /** Sent its first pair, has not fetched with it yet. */
  | "bootstrap"
  /** Fetches with its pair; no rotation under way. */
  | "active"
  /** A next pair waits; the device's old location has not served it yet. */
  | "rotation-pending"
  /** Its old location served the next pair; the device has not fetched with it yet. */
  | "rotation-delivered";

export function secureKeyState(keys: DeviceSecureKeys): SecureKeyState {
  if (keys.next !== null)
    return keys.nextDeliveredAt === null ? "rotation-pending" : "rotation-delivered";
  return keys.status;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function secureKeysJson(keys: DeviceSecureKeys) {
  return {
    mac: keys.mac,
    state: secureKeyState(keys),
    bootstrapVia: keys.via,
    generation: keys.current.generation,
    keyCreatedAt: keys.current.createdAt.toISOString(),
    createdAt: keys.createdAt.toISOString(),
    confirmedAt: iso(keys.confirmedAt),
    rotations: keys.rotations,
    rotatedAt: iso(keys.rotatedAt),
    rotation:
      keys.next === null
        ? null
        : {
            generation: keys.next.generation,
            requestedAt: keys.next.createdAt.toISOString(),
            deliveredAt: iso(keys.nextDeliveredAt),
          },
  };
}

export type SecureKeysJson = ReturnType<typeof secureKeysJson>;

/** Starts a rotation for the scope's devices; audited. */
export async function rotateSecureKeys(
  store: Store,
  scope: RotationScope,
  options: { readonly actor: string; readonly tenantId: string | null; readonly now?: number },
): Promise<RotationResult> {
  const result = await store.deviceKeys.rotate(scope, options.now ?? Date.now());
  const key =
    "macs" in scope
      ? scope.macs.length === 1
        ? scope.macs[0]!
        : `${scope.macs.length} devices`
      : "groupId" in scope
        ? `group:${scope.groupId}`
        : `tenant:${scope.tenantId}`;
  await store.audit.append({
    actor: options.actor,
    action: "secure.rotate",
    entity: "secure-provisioning",
    key,
    tenantId: options.tenantId,
    after: result,
  });
  return result;
}

/**
 * Forgets a device's keys so that its bootstrap answers it again (a factory-reset unit, or a
 * device leaving secure provisioning); audited. False when it had none.
 */
export async function resetSecureKeys(
  store: Store,
  mac: MacAddress,
  options: { readonly actor: string; readonly tenantId: string | null },
): Promise<boolean> {
  const removed = await store.deviceKeys.reset(mac);
  if (removed) {
    await store.audit.append({
      actor: options.actor,
      action: "secure.reset",
      entity: "secure-provisioning",
      key: mac,
      tenantId: options.tenantId,
    });
  }
  return removed;
}
