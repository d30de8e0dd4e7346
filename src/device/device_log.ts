/**
 * The device log: the syslog lines the firmware would send (`Log_*` templates, already
 * macro-expanded, §6.8) and the emulator's own notes (timers, skipped rules, reboots),
 * kept in a bounded ring and emitted as they happen.
 */
import { EventEmitter } from "node:events";

export type LogKind = "syslog" | "note" | "error";

export interface LogEntry {
  /** Device clock, ms since the epoch. */
  readonly time: number;
  readonly kind: LogKind;
  readonly message: string;
}

export interface DeviceLogEvents {
  entry: [LogEntry];
}

export class DeviceLog extends EventEmitter<DeviceLogEvents> {
  private readonly ring: LogEntry[] = [];
  private start = 0;

  constructor(private readonly capacity = 1000) {
    super();
  }

  /**
   * Whether an entry added now would be kept or heard: with no capacity and no listener a
   * caller may skip building its message.
   */
  get wanted(): boolean {
    return this.capacity > 0 || this.listenerCount("entry") > 0;
  }

  add(entry: LogEntry): void {
    if (this.capacity === 0) {
      // nothing kept
    } else if (this.ring.length < this.capacity) this.ring.push(entry);
    else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    }
    this.emit("entry", entry);
  }

  /** Oldest first. */
  entries(kind?: LogKind): LogEntry[] {
    const all = [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    return kind === undefined ? all : all.filter((e) => e.kind === kind);
  }

  /** Messages only, oldest first. */
  messages(kind?: LogKind): string[] {
    return this.entries(kind).map((e) => e.message);
  }

  clear(): void {
    this.ring.length = 0;
    this.start = 0;
  }
}
