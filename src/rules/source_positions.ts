import type { Expansion, MacroReplacement } from "./macro.ts";

/**
 * Work done by an evaluation that callers can count (tests and benches prove complexity by
 * counting steps, never by timing). Every character scanned and every search step adds one.
 */
export interface WorkCounter {
  steps: number;
}

/**
 * Maps offsets in a rule's expanded text back to line and column of the text the admin
 * wrote. Built once per evaluation: each lookup is a binary search, so a rule whose 8,000
 * alternatives each raise a diagnostic costs n log n, not the n² of rescanning per lookup.
 */
export class SourcePositions {
  private lineStarts: number[] | undefined;

  constructor(
    private readonly raw: string,
    private readonly expansion: Expansion,
    private readonly work: WorkCounter | undefined,
  ) {}

  /** `{ column }` for a one-line rule, `{ line, column }` when the rule spans lines. */
  locate(outputOffset: number): { line?: number; column: number } {
    const offset = this.sourceOffset(outputOffset);
    const starts = this.starts();
    const end = Math.min(Math.max(offset, 0), this.raw.length);
    // The last line start at or before `end`.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      this.count(1);
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= end) lo = mid;
      else hi = mid - 1;
    }
    const column = end - starts[lo]! + 1;
    return starts.length > 1 ? { line: lo + 1, column } : { column };
  }

  /** Same answer as the module's linear `sourceOffset`, by binary search. */
  private sourceOffset(outputOffset: number): number {
    const list: readonly MacroReplacement[] = this.expansion.replacements;
    // The last replacement starting at or before the offset (they are in output order).
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      this.count(1);
      const mid = (lo + hi) >> 1;
      if (list[mid]!.outputStart <= outputOffset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found === -1) return outputOffset;
    const r = list[found]!;
    if (outputOffset < r.outputEnd) return r.sourceStart;
    return outputOffset + (r.sourceEnd - r.outputEnd);
  }

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const { raw } = this;
      for (let i = raw.indexOf("\n"); i !== -1; i = raw.indexOf("\n", i + 1)) starts.push(i + 1);
      this.count(raw.length);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  private count(n: number): void {
    if (this.work !== undefined) this.work.steps += n;
  }
}
