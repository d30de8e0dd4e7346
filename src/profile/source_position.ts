import type { SourcePosition } from "./errors.ts";

/**
 * Offset → line/column, built once per parse. Lines end at `\n` (so CRLF counts once);
 * columns count UTF-16 code units from 1.
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  private cursor = 0;

  constructor(
    text: string,
    private readonly file?: string,
  ) {
    let at = text.indexOf("\n");
    while (at !== -1) {
      this.starts.push(at + 1);
      at = text.indexOf("\n", at + 1);
    }
  }

  /** Any offset, by binary search. */
  positionOf(offset: number): SourcePosition {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return this.make(low, offset);
  }

  /** Non-decreasing offsets (entries in source order): amortised O(1). */
  nextPositionOf(offset: number): SourcePosition {
    if (offset < this.starts[this.cursor]!) return this.positionOf(offset);
    while (this.cursor + 1 < this.starts.length && this.starts[this.cursor + 1]! <= offset)
      this.cursor++;
    return this.make(this.cursor, offset);
  }

  private make(lineIndex: number, offset: number): SourcePosition {
    const position = { line: lineIndex + 1, column: offset - this.starts[lineIndex]! + 1 };
    return this.file === undefined ? position : { ...position, file: this.file };
  }
}
