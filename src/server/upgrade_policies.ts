/**
 * The upgrade policies a node applies, in memory (reloaded from the store on every firmware
 * change), and which one covers a unit: its group's, else its model's, else its tenant's.
 * A policy limited to both a group and a model covers the units of that group of that model,
 * before a group-only one.
 */
import type { Logger } from "pino";
import type { Device, Store, UpgradePolicy } from "../store/index.ts";

function rank(p: UpgradePolicy): number {
  return (p.groupId !== null ? 2 : 0) + (p.modelPn !== null ? 1 : 0);
}

export class UpgradePolicies {
  readonly #store: Store;
  readonly #logger: Logger;
  #byTenant = new Map<string, UpgradePolicy[]>();
  #loading: Promise<void> | undefined;
  readonly #unsubscribe: () => void;

  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
    this.#unsubscribe = store.changes.subscribe((notice) => {
      if (notice.entity === "firmware" || notice.entity === "all" || notice.entity === "tenant") {
        void this.reload();
      }
    });
  }

  reload(): Promise<void> {
    const run = (this.#loading ?? Promise.resolve()).then(async () => {
      const byTenant = new Map<string, UpgradePolicy[]>();
      for (const p of await this.#store.firmware.listPolicies()) {
        const list = byTenant.get(p.tenantId) ?? [];
        list.push(p);
        byTenant.set(p.tenantId, list);
      }
      for (const list of byTenant.values()) list.sort((a, b) => rank(b) - rank(a));
      this.#byTenant = byTenant;
    });
    this.#loading = run.catch((error: unknown) =>
      this.#logger.error({ err: error }, "upgrade policies could not be loaded"),
    );
    return run;
  }

  forDevice(device: Device): UpgradePolicy | undefined {
    const list = this.#byTenant.get(device.tenantId);
    if (list === undefined) return undefined;
    for (const p of list) {
      if (p.groupId !== null && p.groupId !== device.groupId) continue;
      if (p.modelPn !== null && p.modelPn !== device.modelPn) continue;
      return p;
    }
    return undefined;
  }

  close(): void {
    this.#unsubscribe();
  }
}
