/**
 * The fleet clock's armed timers: a binary min-heap ordered by (time, creation order), with
 * cancellation by marking, because a fleet arms and clears hundreds of thousands of them
 * and a sorted array would make each insert linear.
 */

export interface QueuedTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class TimerQueue {
  private readonly heap: QueuedTimer[] = [];
  private readonly cancelled = new Set<number>();
  /** Ids armed and neither fired nor cancelled (clearing a fired timer must not count). */
  private readonly live = new Set<number>();
  private nextId = 1;

  get size(): number {
    return this.live.size;
  }

  add(at: number, fn: () => void): number {
    const timer = { id: this.nextId++, at, fn };
    this.heap.push(timer);
    this.live.add(timer.id);
    this.up(this.heap.length - 1);
    return timer.id;
  }

  cancel(id: number): void {
    if (this.live.delete(id)) this.cancelled.add(id);
  }

  /** The earliest live timer, or undefined. */
  peek(): QueuedTimer | undefined {
    this.dropCancelled();
    return this.heap[0];
  }

  /** Removes and returns the earliest live timer. */
  pop(): QueuedTimer | undefined {
    this.dropCancelled();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.live.delete(top.id);
    this.removeTop();
    return top;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0]!.id)) {
      this.cancelled.delete(this.heap[0]!.id);
      this.removeTop();
    }
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
  }

  private before(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && this.before(h[l]!, h[min]!)) min = l;
      if (r < h.length && this.before(h[r]!, h[min]!)) min = r;
      if (min === i) return;
      [h[i], h[min]] = [h[min]!, h[i]!];
      i = min;
    }
  }
}
