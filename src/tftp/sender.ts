/**
 * The sending side's window (RFC 1350 lock-step is windowsize 1; RFC 7440 otherwise) as
 * a pure state machine: no sockets, no timers. Block numbers are absolute (1, 2, …,
 * beyond 65535); the wire carries them modulo 65536 (rollover to 0).
 *
 * Sorcerer's Apprentice: an ACK that acknowledges nothing new (a duplicate) never makes
 * the sender transmit; only new ACKs and timeouts do.
 */
export type AckOutcome =
  /** Acknowledged new blocks; more to send. */
  | "progress"
  /** Acknowledged the final block: the transfer is complete. */
  | "done"
  /** Repeats the last acknowledgement: ignored. */
  | "duplicate"
  /** Acknowledges a block never sent (stale or bogus): ignored. */
  | "ignored";

export class SendWindow {
  /** Lowest unacknowledged block (0 while an OACK awaits its ACK 0). */
  base: number;
  /** Next block to transmit. */
  next: number;
  /** Highest block ever transmitted. */
  highestSent: number;
  /** Final block once known (the first block shorter than blksize). */
  lastBlock: number | undefined = undefined;

  constructor(
    readonly windowsize: number,
    withOack: boolean,
  ) {
    this.base = withOack ? 0 : 1;
    this.next = this.base;
    this.highestSent = this.base - 1;
  }

  /** Highest block that may be on the wire now. */
  limit(): number {
    if (this.base === 0) return 0;
    const l = this.base + this.windowsize - 1;
    return this.lastBlock !== undefined && l > this.lastBlock ? this.lastBlock : l;
  }

  canSend(): boolean {
    return this.next <= this.limit();
  }

  /** Takes the next block to transmit (no allocation: the hot path calls this per
   * packet). Whether it went out before is `block <= highestSent` read before the call. */
  take(): number {
    const block = this.next++;
    if (block > this.highestSent) this.highestSent = block;
    return block;
  }

  /** Maps a 16-bit wire block number onto the absolute block it can mean. */
  absolute(wire: number): number {
    const acked = this.base - 1;
    return acked + ((wire - acked) & 0xffff);
  }

  onAck(wire: number): AckOutcome {
    const a = this.absolute(wire);
    if (a === this.base - 1) return "duplicate";
    if (a > this.highestSent) return "ignored";
    this.base = a + 1;
    // Go back to the first unacknowledged block (RFC 7440 §4: the receiver acks the last
    // block it got in order when it detects a gap).
    this.next = this.base;
    if (this.lastBlock !== undefined && a >= this.lastBlock) return "done";
    return "progress";
  }

  /** Retransmission timer expired: resend from the first unacknowledged block. */
  onTimeout(): void {
    this.next = this.base;
  }

  isDone(): boolean {
    return this.lastBlock !== undefined && this.base > this.lastBlock;
  }
}
