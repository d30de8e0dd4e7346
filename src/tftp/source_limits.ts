/**
 * Who may hold a transfer slot. TFTP runs over UDP: a request proves nothing about its
 * source until the source acknowledges the first packet we sent it (only a host that
 * receives at that address can). So slots are counted per source address, transfers not
 * yet acknowledged ("unverified") have their own per-source cap, and a share of the slots
 * is kept for sources that have completed a transfer before ("known"): requests from
 * unknown sources, however many addresses they come from, never take those.
 *
 * Pure bookkeeping, no I/O: the server asks `admit`, reports `verified` / `completed`,
 * and `release`s every slot it was given.
 */

export interface SourceLimitOptions {
  /** Concurrent transfers in all. */
  readonly maxTransfers: number;
  /** Concurrent transfers per source address. */
  readonly maxPerSource: number;
  /** Concurrent transfers per source address that have not been acknowledged yet. */
  readonly maxUnverifiedPerSource: number;
  /** Slots only sources that completed a transfer before may take. */
  readonly reservedForKnown: number;
  /** Sources remembered as known (least recently completed forgotten first). */
  readonly knownSources: number;
}

/**
 * Why a request was refused: every slot taken ("busy"), the address's share taken
 * ("per-source"); or — answered with silence, as a lost request, so the client retries
 * in a moment (a burst of devices behind one NAT address gets in as the first ones
 * acknowledge) and a forged source gets nothing — too many unacknowledged transfers from
 * the address ("unverified"), or the unreserved slots all taken by unknown addresses
 * ("reserved").
 */
export type SourceRefusal = "busy" | "per-source" | "unverified" | "reserved";

export interface SourceSlot {
  readonly address: string;
  /** The source had completed a transfer before this request. */
  readonly known: boolean;
  verified: boolean;
  released: boolean;
}

interface PerSource {
  total: number;
  unverified: number;
}

export class SourceLimits {
  private readonly perSource = new Map<string, PerSource>();
  /** Insertion order is recency: the first key is the least recently completed. */
  private readonly known = new Map<string, true>();
  private active = 0;
  private unknownActive = 0;

  constructor(private readonly o: SourceLimitOptions) {}

  /** Slots in use. */
  get size(): number {
    return this.active;
  }

  /** Sources currently remembered as known. */
  get knownCount(): number {
    return this.known.size;
  }

  isKnown(address: string): boolean {
    return this.known.has(address);
  }

  /** A slot for a request from `address`, or why not. */
  admit(address: string): SourceSlot | SourceRefusal {
    const known = this.known.has(address);
    if (this.active >= this.o.maxTransfers) return "busy";
    if (!known && this.unknownActive >= this.o.maxTransfers - this.o.reservedForKnown) {
      return "reserved";
    }
    const s = this.perSource.get(address);
    if (s && s.total >= this.o.maxPerSource) return "per-source";
    if (s && s.unverified >= this.o.maxUnverifiedPerSource) return "unverified";
    if (s) {
      s.total++;
      s.unverified++;
    } else {
      this.perSource.set(address, { total: 1, unverified: 1 });
    }
    this.active++;
    if (!known) this.unknownActive++;
    return { address, known, verified: false, released: false };
  }

  /** The source acknowledged a packet of this transfer: it is there. */
  verified(slot: SourceSlot): void {
    if (slot.verified || slot.released) return;
    slot.verified = true;
    const s = this.perSource.get(slot.address);
    if (s) s.unverified--;
  }

  /** The source completed a transfer: remember it (bounded, most recent kept). */
  completed(address: string): void {
    if (this.o.knownSources <= 0) return;
    this.known.delete(address);
    this.known.set(address, true);
    if (this.known.size > this.o.knownSources) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  release(slot: SourceSlot): void {
    if (slot.released) return;
    slot.released = true;
    this.active--;
    if (!slot.known) this.unknownActive--;
    const s = this.perSource.get(slot.address);
    if (!s) return;
    s.total--;
    if (!slot.verified) s.unverified--;
    if (s.total <= 0) this.perSource.delete(slot.address);
  }
}
