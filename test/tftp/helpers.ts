/** Shared test helpers: a fake clock, a seeded PRNG and a UDP fault-injecting shim. */
import { createHash } from "node:crypto";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import {
  type TftpClock,
  type TftpResolver,
  TftpServer,
  type TftpServerOptions,
  type TftpTransferStats,
} from "../../src/tftp/index.ts";
import { nativeEndpoint } from "../../src/tftp/native_endpoint.ts";

/** Transfer I/O kinds to run server tests through: the native endpoint when it is built
 * (native_endpoint.test.ts fails on Linux when it is not), and node:dgram always. */
export const TRANSFER_IOS: ReadonlyArray<"native" | "dgram"> = nativeEndpoint()
  ? ["native", "dgram"]
  : ["dgram"];

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** mulberry32: small, seedable, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(n: number, seed: number): Buffer {
  const r = prng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (r() * 256) | 0;
  return b;
}

/** A virtual clock: timers fire only when the test advances time. */
export class FakeClock implements TftpClock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, timer] of this.timers) {
        if (timer.at < nextAt || (timer.at === nextAt && id < (nextId ?? Infinity))) {
          nextAt = timer.at;
          nextId = id;
        }
      }
      if (nextId === undefined || nextAt > end) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.t = Math.max(this.t, timer.at);
      timer.fn();
    }
    this.t = end;
  }
}

export interface FaultProfile {
  readonly seed: number;
  /** Probability a datagram is dropped. */
  readonly loss: number;
  /** Probability a datagram is sent twice. */
  readonly duplicate: number;
  /** Probability a datagram is held back 1–6 ms (so later ones overtake it). */
  readonly reorder: number;
}

export interface ShimCounters {
  forwarded: number;
  dropped: number;
  duplicated: number;
  reordered: number;
}

/**
 * A UDP proxy in front of a TFTP server that loses, duplicates and reorders datagrams in
 * both directions. It preserves TFTP's port semantics: each server transfer port P is
 * mirrored by a shim port the client sees as the server's TID.
 */
export class FaultShim {
  readonly counters: ShimCounters = { forwarded: 0, dropped: 0, duplicated: 0, reordered: 0 };
  private readonly random: () => number;
  private front: Socket | undefined;
  private readonly sockets: Socket[] = [];
  private readonly upstreams = new Map<string, Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly serverPort: number,
    private readonly faults: FaultProfile,
  ) {
    this.random = prng(faults.seed);
  }

  async listen(): Promise<number> {
    this.front = await this.bind();
    this.front.on("message", (msg, rinfo) => this.fromClient(msg, rinfo, this.serverPort));
    return this.front.address().port;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.close();
    this.sockets.length = 0;
  }

  private async bind(): Promise<Socket> {
    const s = createSocket("udp4");
    await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
    s.on("error", () => undefined);
    this.sockets.push(s);
    return s;
  }

  private forward(from: Socket, msg: Buffer, port: number): void {
    const r = this.random();
    const f = this.faults;
    if (r < f.loss) {
      this.counters.dropped++;
      return;
    }
    const send = () => {
      try {
        from.send(msg, port, "127.0.0.1");
      } catch {
        // socket closed during shutdown
      }
    };
    const copies = this.random() < f.duplicate ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      if (this.random() < f.reorder) {
        this.counters.reordered++;
        const t = setTimeout(
          () => {
            this.timers.delete(t);
            send();
          },
          1 + Math.floor(this.random() * 6),
        );
        this.timers.add(t);
      } else {
        send();
      }
    }
    this.counters.forwarded++;
  }

  /** Client → server: through the client's upstream socket, to the mirrored port. */
  private async fromClient(msg: Buffer, rinfo: RemoteInfo, serverPort: number): Promise<void> {
    const up = await this.upstream(rinfo);
    this.forward(up, msg, serverPort);
  }

  private async upstream(client: RemoteInfo): Promise<Socket> {
    const key = `${client.address}|${client.port}`;
    let up = this.upstreams.get(key);
    if (up) return up;
    up = await this.bind();
    this.upstreams.set(key, up);
    const mirrors = new Map<number, Promise<Socket>>();
    const u = up;
    up.on("message", async (msg, rinfo) => {
      // Server → client: from a shim socket mirroring the server's source port.
      if (rinfo.port === this.serverPort) {
        this.forward(this.front!, msg, client.port);
        return;
      }
      let mirror = mirrors.get(rinfo.port);
      if (!mirror) {
        mirror = this.bind().then((m) => {
          m.on("message", (back, from) => {
            if (from.port === client.port) this.forward(u, back, rinfo.port);
          });
          return m;
        });
        mirrors.set(rinfo.port, mirror);
      }
      this.forward(await mirror, msg, client.port);
    });
    return up;
  }
}

/** A raw UDP socket for speaking hand-made packets to a server. */
export async function rawSocket(): Promise<{
  socket: Socket;
  port: number;
  next: (timeoutMs?: number) => Promise<{ msg: Buffer; rinfo: RemoteInfo } | undefined>;
  close: () => void;
}> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const queue: Array<{ msg: Buffer; rinfo: RemoteInfo }> = [];
  let waiter: (() => void) | undefined;
  socket.on("message", (msg, rinfo) => {
    queue.push({ msg, rinfo });
    waiter?.();
  });
  const next = async (timeoutMs = 1000) => {
    if (queue.length === 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      waiter = undefined;
    }
    return queue.shift();
  };
  return { socket, port: socket.address().port, next, close: () => socket.close() };
}

/** Runs `fn` against a loopback server on an ephemeral port, closing it afterwards. */
export async function withTftpServer<T>(
  options: Partial<TftpServerOptions> & { resolver: TftpResolver },
  fn: (server: TftpServer, port: number, ends: TftpTransferStats[]) => Promise<T>,
): Promise<T> {
  const server = new TftpServer({ port: 0, address: "127.0.0.1", ...options });
  const ends: TftpTransferStats[] = [];
  server.on("transferEnd", (s) => ends.push(s));
  const { port } = await server.listen();
  try {
    return await fn(server, port, ends);
  } finally {
    await server.close();
  }
}

/** Polls `cond` every 5 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
