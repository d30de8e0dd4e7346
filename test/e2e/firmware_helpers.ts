/** Firmware images and upgrade runs for the end-to-end tests against the real server node. */
import { createHash } from "node:crypto";
import { uploadFirmware } from "../../src/admin/index.ts";
import { type Device, encodeFirmwareImage, type VirtualClock } from "../../src/device/index.ts";
import type { E2eServer } from "./provisio_server.ts";

/** An image the emulated units accept (its models and version inside). */
export function firmwareImage(version: string, models: readonly string[]): Buffer {
  return encodeFirmwareImage({
    version,
    models: [...models],
    payload: Buffer.from(`firmware ${version}`),
  });
}

/** Registers `bytes` as the default tenant's image `fileName` through the admin service. */
export async function uploadImage(
  server: E2eServer,
  version: string,
  models: readonly string[],
  fileName: string,
  bytes: Buffer = firmwareImage(version, models),
): Promise<void> {
  await uploadFirmware(
    server.node.store,
    server.node.config.filesDir,
    {
      tenantId: "default",
      version,
      models: [...models],
      fileName,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes,
    },
    "test",
  );
}

/** Runs the unit's clock until it reports `version`; the versions it installed on the way. */
export async function runUntilVersion(
  unit: Device,
  clock: VirtualClock,
  version: string,
): Promise<string[]> {
  for (let i = 0; i < 40 && unit.identity.swVersion !== version; i++) {
    await clock.advance(5000);
    await unit.settled();
  }
  return unit.log
    .messages()
    .filter((m) => m.startsWith("installed firmware "))
    .map((m) => m.slice("installed firmware ".length));
}
