/**
 * Guess budgets of the activation flow: failed attempts counted per source address (an IPv4
 * address or an IPv6 /64, `clientAddressKey`), per tenant (attempts that named one of its
 * codes or devices) and over the whole process (attempts nobody can be attributed to), each
 * in a fixed window. A spent source or process budget refuses every attempt before any
 * lookup, so a throttled guesser learns nothing; a spent tenant budget refuses that tenant's
 * activations with the ordinary refusal.
 */
import { clientAddressKey } from "./connection_limit.ts";

export interface ActivationBudgets {
  /** Failed attempts per source address per window (default 10). */
  readonly perSource: number;
  /** Failed attempts per tenant per window (default 100). */
  readonly perTenant: number;
  /** Failed attempts attributed to no tenant, per process per window (default 1,000). */
  readonly unattributed: number;
  /** Window length (default 10 minutes). */
  readonly windowMs: number;
}

export const DEFAULT_ACTIVATION_BUDGETS: ActivationBudgets = {
  perSource: 10,
  perTenant: 100,
  unattributed: 1_000,
  windowMs: 600_000,
};

interface Window {
  start: number;
  failures: number;
}

/** Most keys tracked per kind; beyond it the oldest windows are forgotten. */
const MAX_KEYS = 100_000;

export class ActivationLimits {
  readonly #budgets: ActivationBudgets;
  readonly #sources = new Map<string, Window>();
  readonly #tenants = new Map<string, Window>();
  #unattributed: Window = { start: 0, failures: 0 };

  constructor(budgets: Partial<ActivationBudgets> = {}) {
    this.#budgets = { ...DEFAULT_ACTIVATION_BUDGETS, ...budgets };
  }

  get windowMs(): number {
    return this.#budgets.windowMs;
  }

  /** Which budget, if any, refuses this source before anything is looked up. */
  beforeLookup(remoteAddress: string, now: number): "source" | "unattributed" | undefined {
    if (this.#spent(this.#sources, clientAddressKey(remoteAddress), this.#budgets.perSource, now)) {
      return "source";
    }
    if (this.#current(this.#unattributed, now).failures >= this.#budgets.unattributed) {
      return "unattributed";
    }
    return undefined;
  }

  tenantSpent(tenantId: string, now: number): boolean {
    return this.#spent(this.#tenants, tenantId, this.#budgets.perTenant, now);
  }

  /**
   * Counts a failed attempt against the source and the tenant (or the process). Says which
   * shared budget this very attempt used up — once per window, so the caller can tell the
   * operator that activations are refused now, whatever the security log's rate left out.
   */
  fail(
    remoteAddress: string,
    tenantId: string | undefined,
    now: number,
  ): "tenant" | "unattributed" | undefined {
    this.#bump(this.#sources, clientAddressKey(remoteAddress), now);
    if (tenantId === undefined) {
      const failures = ++this.#current(this.#unattributed, now).failures;
      return failures === this.#budgets.unattributed ? "unattributed" : undefined;
    }
    return this.#bump(this.#tenants, tenantId, now) === this.#budgets.perTenant
      ? "tenant"
      : undefined;
  }

  #current(window: Window, now: number): Window {
    if (now - window.start >= this.#budgets.windowMs) {
      window.start = now;
      window.failures = 0;
    }
    return window;
  }

  #spent(map: Map<string, Window>, key: string, budget: number, now: number): boolean {
    const window = map.get(key);
    return window !== undefined && this.#current(window, now).failures >= budget;
  }

  /** Counts one failure; the window's count after it. */
  #bump(map: Map<string, Window>, key: string, now: number): number {
    let window = map.get(key);
    if (window === undefined) {
      if (map.size >= MAX_KEYS) {
        const oldest = map.keys().next();
        if (oldest.done !== true) map.delete(oldest.value);
      }
      window = { start: now, failures: 0 };
      map.set(key, window);
    }
    return ++this.#current(window, now).failures;
  }
}
