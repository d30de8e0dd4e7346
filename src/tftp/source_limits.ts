/**
 * Who may hold a transfer slot. TFTP runs over UDP: a request proves nothing about its
 * source until the source acknowledges the first packet we sent it (only a host that
 * receives at that address can). So slots are counted per source address, transfers not
 * yet acknowledged ("unverified") have their own per-source cap, and a share of the slots
 * is kept for sources that have completed a transfer before ("known"): requests from
 * unknown sources, however many addresses they come from, never take those.
 *
 * Being known or verified says a source is there, not that it is honest: a source that
 * acknowledges just inside every timeout holds its slots for as long as it likes. So when
 * every slot it could take is held, a request may take one from the source holding the
 * most (max-min fairness): `victim` names that source's slowest transfer, provided the
 * source holds more than `protectedPerSource` and at least two more than the requester.
 * A device or a small NAT'd site (up to `protectedPerSource` transfers) is never
 * preempted, so a forged request can only cut into a source that hogs slots.
 *
 * Pure bookkeeping, no I/O: the server asks `admit` (and `victim` when refused), reports
 * `verified` / `completed`, and `release`s every slot it was given.
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
  /** Transfers per source never preempted in favour of another source's request.
   * Default: `maxPerSource` (no preemption). */
  readonly protectedPerSource?: number;
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
  /** Slots taken while the source was not known: they count against the unreserved share. */
  unknown: number;
  readonly slots: Set<SourceSlot>;
}

/** Sources by how many slots they hold: `at[n]` = the addresses holding n. Finding the
 * heaviest is a walk down at most `maxPerSource` buckets, whatever the number of sources
 * (it runs for every refused request, and refused requests may come in floods). */
class Buckets {
  private readonly at: Array<Set<string>> = [];

  move(address: string, from: number, to: number): void {
    if (from > 0) this.at[from]?.delete(address);
    if (to > 0) {
      let b = this.at[to];
      if (!b) {
        b = new Set();
        this.at[to] = b;
      }
      b.add(address);
    }
  }

  /** Some source holding the most slots, and how many, if it holds more than `floor`. */
  heaviest(floor: number): readonly [string, number] | undefined {
    for (let n = this.at.length - 1; n > floor; n--) {
      const b = this.at[n];
      if (b && b.size > 0) {
        for (const address of b) return [address, n];
      }
    }
    return undefined;
  }
}

export class SourceLimits {
  private readonly perSource = new Map<string, PerSource>();
  /** Insertion order is recency: the first key is the least recently completed. */
  private readonly known = new Map<string, true>();
  private active = 0;
  private unknownActive = 0;
  private readonly byTotal = new Buckets();
  private readonly byUnknown = new Buckets();
  private readonly protectedPerSource: number;

  constructor(private readonly o: SourceLimitOptions) {
    this.protectedPerSource = o.protectedPerSource ?? o.maxPerSource;
  }

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
    const p = s ?? { total: 0, unverified: 0, unknown: 0, slots: new Set<SourceSlot>() };
    if (!s) this.perSource.set(address, p);
    this.byTotal.move(address, p.total, p.total + 1);
    p.total++;
    p.unverified++;
    if (!known) {
      this.byUnknown.move(address, p.unknown, p.unknown + 1);
      p.unknown++;
      this.unknownActive++;
    }
    this.active++;
    const slot: SourceSlot = { address, known, verified: false, released: false };
    p.slots.add(slot);
    return slot;
  }

  /**
   * For a request from `address` refused as "busy" or "reserved": the transfer to preempt
   * so that it gets a slot — among the slots of the source holding the most (for
   * "reserved", the most taken while unknown), the one `rank` puts lowest (the slowest).
   * Undefined when no source holds more than `protectedPerSource` and two more than the
   * requester: then the refusal stands.
   */
  victim(
    address: string,
    refusal: SourceRefusal,
    rank: (slot: SourceSlot) => number,
  ): SourceSlot | undefined {
    if (refusal !== "busy" && refusal !== "reserved") return undefined;
    // An unknown source refused as "busy" while the unreserved share is full too would still
    // be refused as "reserved" once a known slot is freed: only an unknown slot can admit it.
    const unreserved =
      refusal === "reserved" ||
      (!this.known.has(address) &&
        this.unknownActive >= this.o.maxTransfers - this.o.reservedForKnown);
    const mine = this.perSource.get(address);
    // Nor can a slot admit a source already at its own caps.
    if (
      mine &&
      (mine.total >= this.o.maxPerSource || mine.unverified >= this.o.maxUnverifiedPerSource)
    ) {
      return undefined;
    }
    const held = unreserved ? (mine?.unknown ?? 0) : (mine?.total ?? 0);
    const top = (unreserved ? this.byUnknown : this.byTotal).heaviest(
      Math.max(this.protectedPerSource, held + 1),
    );
    if (!top) return undefined;
    const s = this.perSource.get(top[0]);
    if (!s) return undefined;
    let best: SourceSlot | undefined;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const slot of s.slots) {
      if (unreserved && slot.known) continue;
      const r = rank(slot);
      if (best === undefined || r < bestRank) {
        best = slot;
        bestRank = r;
      }
    }
    return best;
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
    s.slots.delete(slot);
    this.byTotal.move(slot.address, s.total, s.total - 1);
    s.total--;
    if (!slot.known) {
      this.byUnknown.move(slot.address, s.unknown, s.unknown - 1);
      s.unknown--;
    }
    if (!slot.verified) s.unverified--;
    if (s.total <= 0) this.perSource.delete(slot.address);
  }
}
