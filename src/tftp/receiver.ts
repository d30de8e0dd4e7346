/**
 * The receiving side's window as a pure state machine. It acknowledges every
 * `windowsize` in-order blocks and the final block; on a gap or a duplicate it
 * acknowledges the last in-order block once (so a lost ACK or a lost block costs one
 * ACK, not one per packet), and again on its own timeout.
 */
export type DataOutcome =
  | {
      readonly kind: "accept";
      /** Absolute block number. */
      readonly block: number;
      readonly last: boolean;
      /** Wire block number to acknowledge now, if any. */
      readonly ack: number | undefined;
    }
  | { readonly kind: "ignore"; readonly ack: number | undefined };

export class ReceiveWindow {
  /** Next block expected (absolute). */
  expected = 1;
  private sinceAck = 0;
  private nackSent = false;
  done = false;

  constructor(
    readonly blksize: number,
    readonly windowsize: number,
  ) {}

  onData(wire: number, length: number): DataOutcome {
    if (!this.done && wire === (this.expected & 0xffff) && length <= this.blksize) {
      const block = this.expected++;
      const last = length < this.blksize;
      this.sinceAck++;
      let ack: number | undefined;
      if (last || this.sinceAck >= this.windowsize) {
        ack = block & 0xffff;
        this.sinceAck = 0;
      }
      this.nackSent = false;
      if (last) this.done = true;
      return { kind: "accept", block, last, ack };
    }
    // After the end, a repeated final block means our last ACK was lost: re-acknowledge
    // it every time (the sender only repeats on its timeout, so this cannot snowball).
    if (this.done) return { kind: "ignore", ack: (this.expected - 1) & 0xffff };
    // A gap or a duplicate: acknowledge what we have, once.
    if (this.nackSent) return { kind: "ignore", ack: undefined };
    this.nackSent = true;
    this.sinceAck = 0;
    return { kind: "ignore", ack: (this.expected - 1) & 0xffff };
  }

  /** Our timer expired without progress: re-acknowledge the last in-order block. */
  onTimeout(): number {
    this.nackSent = false;
    this.sinceAck = 0;
    return (this.expected - 1) & 0xffff;
  }
}
