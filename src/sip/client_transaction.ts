/**
 * The non-INVITE client transaction over an unreliable transport (RFC 3261 §17.1.2): the
 * request is retransmitted on Timer E (T1, doubling to T2; every T2 once a provisional
 * answer came), given up on Timer F (64·T1), and after the final response kept for Timer K
 * (T4) to absorb its retransmissions. Timers run on an injected clock, so tests move time
 * by hand and never sleep.
 */
import type { SipResponse } from "./sip_message.ts";

export interface SipClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemSipClock: SipClock = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** RFC 3261 §17.1.1.1 defaults, in milliseconds. */
export interface SipTimers {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

export const DEFAULT_SIP_TIMERS: SipTimers = { t1: 500, t2: 4_000, t4: 5_000 };

export type TransactionResult =
  | { readonly kind: "response"; readonly response: SipResponse; readonly transmissions: number }
  | { readonly kind: "timeout"; readonly transmissions: number }
  | { readonly kind: "cancelled"; readonly transmissions: number };

type State = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteClientTransaction {
  readonly #send: () => void;
  readonly #clock: SipClock;
  readonly #timers: SipTimers;
  readonly #onTerminated: () => void;
  #state: State = "trying";
  #transmissions = 0;
  #interval = 0;
  #timerE: unknown;
  #timerF: unknown;
  #timerK: unknown;
  #resolve!: (result: TransactionResult) => void;
  readonly result: Promise<TransactionResult>;

  /** Sends the request at once; `onTerminated` runs when the transaction can be forgotten. */
  constructor(options: {
    readonly send: () => void;
    readonly clock: SipClock;
    readonly timers?: SipTimers;
    readonly onTerminated?: () => void;
  }) {
    this.#send = options.send;
    this.#clock = options.clock;
    this.#timers = options.timers ?? DEFAULT_SIP_TIMERS;
    this.#onTerminated = options.onTerminated ?? (() => undefined);
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#interval = this.#timers.t1;
    this.#transmit();
    this.#timerE = this.#clock.setTimeout(() => this.#fireE(), this.#interval);
    this.#timerF = this.#clock.setTimeout(() => this.#fireF(), 64 * this.#timers.t1);
  }

  get state(): State {
    return this.#state;
  }

  get transmissions(): number {
    return this.#transmissions;
  }

  #transmit(): void {
    this.#transmissions++;
    this.#send();
  }

  #fireE(): void {
    if (this.#state !== "trying" && this.#state !== "proceeding") return;
    this.#transmit();
    this.#interval =
      this.#state === "trying" ? Math.min(2 * this.#interval, this.#timers.t2) : this.#timers.t2;
    this.#timerE = this.#clock.setTimeout(() => this.#fireE(), this.#interval);
  }

  #fireF(): void {
    if (this.#state !== "trying" && this.#state !== "proceeding") return;
    this.#finish({ kind: "timeout", transmissions: this.#transmissions });
    this.#terminate();
  }

  /** A response matched to this transaction (by Via branch and CSeq method). */
  receive(response: SipResponse): void {
    if (this.#state === "completed" || this.#state === "terminated") return; // absorbed
    if (response.status < 200) {
      if (this.#state === "trying") {
        this.#state = "proceeding";
        // Timer E keeps running, now at T2 (§17.1.2.2).
        this.#clock.clearTimeout(this.#timerE);
        this.#interval = this.#timers.t2;
        this.#timerE = this.#clock.setTimeout(() => this.#fireE(), this.#interval);
      }
      return;
    }
    this.#state = "completed";
    this.#clock.clearTimeout(this.#timerE);
    this.#clock.clearTimeout(this.#timerF);
    this.#finish({ kind: "response", response, transmissions: this.#transmissions });
    this.#timerK = this.#clock.setTimeout(() => this.#terminate(), this.#timers.t4);
  }

  /** Stops the transaction (shutdown). */
  cancel(): void {
    if (this.#state === "terminated") return;
    this.#finish({ kind: "cancelled", transmissions: this.#transmissions });
    this.#terminate();
  }

  #finish(result: TransactionResult): void {
    this.#resolve(result);
  }

  #terminate(): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    for (const t of [this.#timerE, this.#timerF, this.#timerK]) {
      if (t !== undefined) this.#clock.clearTimeout(t);
    }
    this.#onTerminated();
  }
}
