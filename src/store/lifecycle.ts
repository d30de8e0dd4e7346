import { writeActivity } from "./activity.ts";
import type { Core } from "./core.ts";
import type { LifecycleRepository } from "./store.ts";
import {
  type DeviceLifecycle,
  type DeviceLifecycleUpdate,
  LIFECYCLE_STATES,
  type LifecycleState,
} from "./types.ts";

/** A stored state, or null for a value this version does not know (written by a newer one). */
export function parseLifecycleState(text: string | null): LifecycleState | null {
  return (LIFECYCLE_STATES as readonly (string | null)[]).includes(text)
    ? (text as LifecycleState)
    : null;
}

/** The row of a device's lifecycle (from the devices query's left join), or null. */
export function toLifecycle(
  state: string | null,
  since: number | string | null,
  cause: string | null,
): DeviceLifecycle | null {
  const known = parseLifecycleState(state);
  if (known === null || since === null) return null;
  return { state: known, since: new Date(Number(since)), cause };
}

/** Lifecycle states of devices: written in batches by the server, counted for the metrics. */
export class Lifecycles implements LifecycleRepository {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  recordBatch(updates: readonly DeviceLifecycleUpdate[]): Promise<void> {
    return writeActivity(this.#core, { lifecycles: updates });
  }

  async counts(query: { readonly tenantId?: string } = {}): Promise<Map<LifecycleState, number>> {
    let q = this.#core.db
      .selectFrom("device_lifecycle as l")
      .innerJoin("devices as d", "d.mac", "l.mac")
      .select((eb) => ["l.state", eb.fn.countAll<number>().as("n")])
      .groupBy("l.state");
    if (query.tenantId !== undefined) q = q.where("d.tenant_id", "=", query.tenantId);
    const rows = await this.#core.run(() => q.execute());
    const out = new Map<LifecycleState, number>(LIFECYCLE_STATES.map((s) => [s, 0]));
    for (const row of rows) {
      const state = parseLifecycleState(row.state);
      if (state !== null) out.set(state, Number(row.n));
    }
    return out;
  }
}
