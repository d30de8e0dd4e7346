/**
 * The device lifecycle on the server: where each device is (MFG-RESET, SP-CUST, SEC-PRV-1,
 * SEC-PRV-2), as far as the server can tell from what it served and what the device fetched
 * next. The firmware holds no such state; these are the server's conclusions, each one an
 * event in the device's history with what showed it.
 *
 * - {@link nextLifecycle} is the pure transition table.
 * - {@link DeviceLifecycles} keeps the current state of the devices this process saw in
 *   memory (the stored one is read with the device record, never per request), writes
 *   transitions in batches (status, not configuration: no revision bump) and puts an event
 *   in the device's history for each.
 *
 * Flows report what they saw through `observe` (a staging profile served, the factory file
 * asked for) or, when they know better than the table, `transition` (e.g. a device bound by
 * an activation code). Secure provisioning (a targeted profile installing a key, resyncs
 * with that key) reports `targeted-key-profile` and `keyed-fetch` once it exists.
 */
import type { Logger } from "pino";
import type {
  ChangeFeed,
  ChangeNotice,
  Device,
  DeviceLifecycle,
  DeviceLifecycleUpdate,
  LifecycleState,
  MacAddress,
  ResyncEventInput,
} from "../store/index.ts";
import { BoundedMap } from "./profile_cache.ts";
import type { StatusWriter } from "./status_writer.ts";

/** What the server saw a device do, or what it served it. */
export type LifecycleObservation =
  /** It asked for its factory file (`/spa112.cfg`): its `Profile_Rule` is the factory one. */
  | { readonly kind: "factory-file"; readonly path: string }
  /** It asked for its per-MAC staging file, where only its factory file sends units. */
  | { readonly kind: "staging-file"; readonly path: string }
  /** It fetched its own profile on one of its tenant's paths. */
  | { readonly kind: "own-profile"; readonly path: string }
  /** It was served a targeted profile whose rule installs a key (`--key`). */
  | { readonly kind: "targeted-key-profile"; readonly path: string }
  /** It fetched its profile with the key such a profile installed. */
  | { readonly kind: "keyed-fetch"; readonly path: string }
  /** It was served a profile whose rules carry no `--key` any more. */
  | { readonly kind: "keys-removed"; readonly path: string };

export interface LifecycleTransition {
  readonly to: LifecycleState;
  readonly cause: string;
}

/** Upper-case display name of a state (`SP-CUST`); `(never seen)` for none. */
export function lifecycleLabel(state: LifecycleState | null): string {
  return state === null ? "(never seen)" : state.toUpperCase();
}

/**
 * Whether fetching its own profile moves a device in this state (to SP-CUST): not one that is
 * SP-CUST already, nor a keyed one — that is secure provisioning's business (keyed-fetch).
 */
export function ownProfileMoves(current: LifecycleState | null): boolean {
  return current !== "sp-cust" && current !== "sec-prv-1" && current !== "sec-prv-2";
}

/**
 * The transition table: the state a device moves to after an observation, and why; undefined
 * when the observation leaves it where it is.
 */
export function nextLifecycle(
  current: LifecycleState | null,
  seen: LifecycleObservation,
): LifecycleTransition | undefined {
  const to = ((): LifecycleState | undefined => {
    switch (seen.kind) {
      case "factory-file":
      case "staging-file":
        return "mfg-reset";
      case "own-profile":
        return ownProfileMoves(current) ? "sp-cust" : undefined;
      case "targeted-key-profile":
        return current === "sec-prv-2" ? undefined : "sec-prv-1";
      case "keyed-fetch":
        return current === "sec-prv-1" || current === "sec-prv-2" ? "sec-prv-2" : undefined;
      case "keys-removed":
        return current === "sec-prv-1" || current === "sec-prv-2" ? "sp-cust" : undefined;
    }
  })();
  if (to === undefined || to === current) return undefined;
  return { to, cause: CAUSES[seen.kind](seen.path) };
}

const CAUSES: Readonly<Record<LifecycleObservation["kind"], (path: string) => string>> = {
  "factory-file": (p) => `asked for its factory file ${p}`,
  "staging-file": (p) => `asked for its staging file ${p} (where its factory file sends it)`,
  "own-profile": (p) => `fetched its own profile ${p}`,
  "targeted-key-profile": (p) => `was served a targeted profile installing a key at ${p}`,
  "keyed-fetch": (p) => `fetched its encrypted profile ${p} with the installed key`,
  "keys-removed": (p) => `was served a profile without a key at ${p}`,
};

/** Where a request came from, for the event of a transition. */
export interface LifecycleContext {
  readonly transport: string;
  readonly path?: string | null | undefined;
  readonly remoteAddress?: string | null | undefined;
  readonly userAgent?: string | null | undefined;
}

/** The part of a device the lifecycle needs. */
export type LifecycleDevice = Pick<Device, "mac" | "tenantId" | "lifecycle">;

export interface DeviceLifecyclesOptions {
  /** Where the transition events go (the batched status writer). */
  readonly events: Pick<StatusWriter, "event">;
  /** Writes a batch of states (`store.lifecycle.recordBatch`). */
  readonly record: (updates: readonly DeviceLifecycleUpdate[]) => Promise<void>;
  readonly logger?: Logger | undefined;
  /** Counts each transition (`from`, `to`). */
  readonly onTransition?: ((from: LifecycleState | null, to: LifecycleState) => void) | undefined;
  /** Batches are written at least this often (default 250 ms). */
  readonly intervalMs?: number;
  /** States kept in memory (default `LIFECYCLE_MEMORY_DEVICES`). */
  readonly maxDevices?: number;
  /** States kept while the database is unavailable (default 200,000). */
  readonly maxPending?: number;
  /**
   * The store's change feed: a device changed, deleted or re-created is forgotten here, so
   * its next request reads the state its fresh record carries.
   */
  readonly changes?: Pick<ChangeFeed, "subscribe"> | undefined;
  readonly now?: () => number;
}

/** Devices whose state one process keeps in memory by default. */
export const LIFECYCLE_MEMORY_DEVICES = 500_000;

/** Transition events one device may write per window; the rest are counted, not written. */
export const LIFECYCLE_EVENTS_PER_WINDOW = 10;
export const LIFECYCLE_EVENT_WINDOW_MS = 10 * 60_000;

interface EventWindow {
  start: number;
  written: number;
  dropped: number;
}

export class DeviceLifecycles {
  readonly #o: DeviceLifecyclesOptions;
  readonly #now: () => number;
  readonly #known: BoundedMap<MacAddress, DeviceLifecycle>;
  /**
   * Each device's event budget: anyone who can name a unit can alternate its factory file and
   * its profile, and each request would move it (one event row each) without one.
   */
  readonly #windows: BoundedMap<MacAddress, EventWindow>;
  #pending = new Map<MacAddress, DeviceLifecycleUpdate>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #unsubscribe: (() => void) | undefined;

  constructor(options: DeviceLifecyclesOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#known = new BoundedMap(options.maxDevices ?? LIFECYCLE_MEMORY_DEVICES);
    this.#windows = new BoundedMap(100_000);
    this.#unsubscribe = options.changes?.subscribe((notice) => this.invalidate(notice));
  }

  /** A change-feed notice: forgets the devices it names (all of them when it names none). */
  invalidate(notice: ChangeNotice): void {
    if (notice.entity !== "device" && notice.entity !== "all") return;
    // A state not written yet is newer than any record: it stays.
    const macs =
      notice.keys === null || notice.entity === "all"
        ? [...this.#known.keys()]
        : (notice.keys as readonly MacAddress[]);
    for (const mac of macs) if (!this.#pending.has(mac)) this.#known.delete(mac);
  }

  /** The device's current state as this process knows it (memory first, then its record). */
  current(device: LifecycleDevice): DeviceLifecycle | null {
    return this.#known.get(device.mac) ?? device.lifecycle;
  }

  /** Applies what was seen; returns the transition made, if any. */
  observe(
    device: LifecycleDevice,
    seen: LifecycleObservation,
    context: LifecycleContext,
    at: number = this.#now(),
  ): LifecycleTransition | undefined {
    const transition = nextLifecycle(this.current(device)?.state ?? null, seen);
    if (transition !== undefined) this.#record(device, transition, context, at);
    return transition;
  }

  /**
   * Moves the device to `to` because of `cause` (a flow that knows, e.g. "bound to account
   * 1234 by an activation code"). Nothing is recorded when it is already there.
   */
  transition(
    device: LifecycleDevice,
    to: LifecycleState,
    cause: string,
    context: LifecycleContext,
    at: number = this.#now(),
  ): boolean {
    if (this.current(device)?.state === to) return false;
    this.#record(device, { to, cause }, context, at);
    return true;
  }

  /** A device was deleted or re-created: forget what this process knew. */
  forget(mac: MacAddress): void {
    this.#known.delete(mac);
  }

  #record(
    device: LifecycleDevice,
    transition: LifecycleTransition,
    context: LifecycleContext,
    at: number,
  ): void {
    const from = this.current(device)?.state ?? null;
    const since = new Date(at);
    const state: DeviceLifecycle = { state: transition.to, since, cause: transition.cause };
    this.#known.set(device.mac, state);
    this.#o.onTransition?.(from, transition.to);
    this.#pending.set(device.mac, { mac: device.mac, ...state });
    const max = this.#o.maxPending ?? 200_000;
    if (this.#pending.size > max) {
      const oldest = this.#pending.keys().next();
      if (oldest.done !== true) this.#pending.delete(oldest.value);
    }
    this.#schedule();
    const dropped = this.#admitEvent(device.mac, at);
    if (dropped === undefined) return;
    const unlogged =
      dropped === 0 ? "" : ` (${dropped} earlier transitions of this device were not logged)`;
    const event: ResyncEventInput = {
      mac: device.mac,
      tenantId: device.tenantId,
      at: since,
      transport: context.transport,
      result: "lifecycle",
      statusCode: null,
      path: context.path?.slice(0, 512) ?? null,
      bytes: null,
      durationMs: null,
      remoteAddress: context.remoteAddress ?? null,
      userAgent: context.userAgent?.slice(0, 256) ?? null,
      message: `${lifecycleLabel(from)} → ${lifecycleLabel(transition.to)}: ${transition.cause}${unlogged}`,
    };
    this.#o.events.event(event);
  }

  /**
   * Whether the device's transition gets an event: the number of transitions left unlogged
   * since its last event (to say so in this one), or undefined when its window's budget is spent.
   */
  #admitEvent(mac: MacAddress, at: number): number | undefined {
    const window = this.#windows.get(mac);
    if (window === undefined || at - window.start >= LIFECYCLE_EVENT_WINDOW_MS) {
      this.#windows.set(mac, { start: at, written: 1, dropped: 0 });
      return window?.dropped ?? 0;
    }
    if (window.written >= LIFECYCLE_EVENTS_PER_WINDOW) {
      window.dropped++;
      return undefined;
    }
    window.written++;
    return 0;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#o.intervalMs ?? 250);
    this.#timer.unref();
  }

  /** Writes the pending states now (a failed batch is kept for the next attempt). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = (async () => {
      try {
        await this.#o.record([...batch.values()]);
      } catch (error) {
        this.#o.logger?.warn({ err: error }, "lifecycle write failed; will retry");
        // Newer states recorded meanwhile win over the ones that failed.
        for (const [mac, update] of batch)
          if (!this.#pending.has(mac)) this.#pending.set(mac, update);
        if (!this.#closed) this.#schedule();
      } finally {
        this.#flushing = undefined;
      }
    })();
    await this.#flushing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
