/**
 * Slot hogging by sources that are there (issue 10, finding 3, re-probe variant): each
 * attacker address first completes a normal fetch (so it is "known"), then opens as many
 * transfers as it may with `blksize=8` and acknowledges every packet just inside the
 * negotiated timeout. Every slot stays held while each transfer creeps along; before the
 * fix, devices got "Server busy". Scaled to 32 slots and a 2 s timeout; real UDP on
 * loopback addresses, the known device is Debian's tftp-hpa.
 */
import { execFile } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bytesSource,
  encodeAck,
  encodeError,
  encodeRequest,
  errorSource,
  negotiateServerOptions,
  Opcode,
  parsePacket,
  type TftpRequest,
  tftpGet,
} from "../../src/tftp/index.ts";
import { SourceLimits, type SourceSlot } from "../../src/tftp/source_limits.ts";
import { until, withTftpServer } from "./helpers.ts";

const run = promisify(execFile);
const haveHpa = existsSync("/usr/bin/tftp");
const PROFILE = Buffer.from(
  `<flat-profile>\n${"  <Resync_Periodic>3600</Resync_Periodic>\n".repeat(40)}</flat-profile>\n`,
);
const resolver = async (r: TftpRequest) =>
  r.filename === "profile.xml" ? bytesSource(PROFILE) : errorSource(1);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tftp-hog-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * One attacker port: asks for the profile with blksize=8 and timeout=2, acknowledges each
 * packet after `delayMs` (inside the 2 s timeout, so the server never retransmits), and
 * asks again when its transfer ends (completed, preempted or refused) or it hears nothing.
 */
class SlowClient {
  private timer: NodeJS.Timeout | undefined;
  private blksize = 512;
  closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
    private readonly delayMs: number,
  ) {
    socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo.port));
  }

  static async open(address: string, port: number, delayMs: number): Promise<SlowClient> {
    const s = createSocket("udp4");
    s.on("error", () => undefined);
    await new Promise<void>((resolve) => s.bind(0, address, resolve));
    return new SlowClient(s, port, delayMs);
  }

  ask(): void {
    if (this.closed) return;
    this.blksize = 512;
    this.socket.send(
      encodeRequest(Opcode.RRQ, "profile.xml", "octet", [
        ["blksize", "8"],
        ["timeout", "2"],
      ]),
      this.port,
      "127.0.0.1",
    );
    // Like any client: heard nothing, ask again.
    this.later(() => this.ask(), 1000);
  }

  private later(fn: () => void, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.closed) fn();
    }, ms);
  }

  /** Acknowledges; heard nothing after that (the transfer was ended without a word), asks
   * again. */
  private acknowledge(block: number, tid: number): void {
    this.socket.send(encodeAck(block), tid, "127.0.0.1");
    this.later(() => this.ask(), 3000);
  }

  private onMessage(msg: Buffer, tid: number): void {
    const p = parsePacket(msg);
    if (p.op === Opcode.OACK) {
      this.blksize = Number(p.options.get("blksize") ?? 512);
      this.later(() => this.acknowledge(0, tid), this.delayMs);
    } else if (p.op === Opcode.DATA) {
      const last = p.data.length < this.blksize;
      this.later(() => {
        if (!last) this.acknowledge(p.block, tid);
        else {
          this.socket.send(encodeAck(p.block), tid, "127.0.0.1");
          // The request socket may hear the new request before the transfer socket has
          // the final ACK: ask again a moment later.
          this.later(() => this.ask(), 100);
        }
      }, this.delayMs);
    } else if (p.op === Opcode.ERROR) {
      this.later(() => this.ask(), 100);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket.close();
  }
}

describe.skipIf(!haveHpa)("slot hogging by sources acknowledging just inside the timeout", () => {
  it.each([
    ["known (each fetched once first)", true, 32],
    ["never seen before (the unreserved 24 of 32)", false, 24],
  ])(
    "4 addresses × 8 slow blksize=8 transfers, attacker %s, hold every slot they may: tftp-hpa (known) and new devices still get their profile",
    async (_n, warm, held) => {
      await withTftpServer(
        { resolver, maxTransfers: 32, maxTransfersPerClient: 8 },
        async (server, port) => {
          let preempted = 0;
          server.on("rejected", (r) => {
            if (r.reason.startsWith("Preempted")) preempted++;
          });
          const hpa = async (name: string): Promise<boolean> => {
            const out = join(dir, `legit-${name}`);
            await rm(out, { force: true });
            await run(
              "tftp",
              ["127.0.0.1", String(port), "-m", "binary", "-c", "get", "profile.xml", out],
              { timeout: 60_000 },
            ).catch(() => undefined);
            const data = await readFile(out).catch(() => undefined);
            return data?.equals(PROFILE) ?? false;
          };
          // The known device fetched its profile before the attack.
          expect(await hpa("warmup")).toBe(true);
          const attackers: SlowClient[] = [];
          try {
            for (let h = 2; h <= 5; h++) {
              const address = `127.0.0.${h}`;
              // Warm-up: a normal fetch makes the address "known".
              if (warm)
                await tftpGet("profile.xml", { host: "127.0.0.1", port, localAddress: address });
              for (let k = 0; k < 8; k++)
                attackers.push(await SlowClient.open(address, port, 1800));
            }
            for (const a of attackers) a.ask();
            await until(() => server.activeTransfers >= held, 10_000);
            // Let every attacker transfer get past its first acknowledgement.
            await new Promise((r) => setTimeout(r, 2500));
            const rounds = 6;
            let known = 0;
            let fresh = 0;
            for (let i = 0; i < rounds; i++) {
              // The attacker takes back what the previous round freed.
              await until(() => server.activeTransfers >= held, 10_000);
              if (await hpa(String(i))) known++;
              await until(() => server.activeTransfers >= held, 10_000);
              const ok = await tftpGet("profile.xml", {
                host: "127.0.0.1",
                port,
                localAddress: `127.0.0.${100 + i}`,
                maxRetries: 1,
              }).then(
                (r) => r.data.equals(PROFILE),
                () => false,
              );
              if (ok) fresh++;
            }
            console.log(
              `slot hogging: known device ${known}/${rounds}, new devices ${fresh}/${rounds}, preempted ${preempted}, active ${server.activeTransfers}`,
            );
            expect(known).toBe(rounds);
            expect(fresh).toBe(rounds);
            // Under the hogging each fetch took a slot from an attacker's address.
            expect(preempted).toBeGreaterThanOrEqual(rounds);
          } finally {
            for (const a of attackers) a.close();
          }
        },
      );
    },
    120_000,
  );
});

/** A socket on `address` that queues what it receives. */
async function peer(address: string) {
  const socket = createSocket("udp4");
  socket.on("error", () => undefined);
  const got: Array<{ msg: Buffer; port: number }> = [];
  socket.on("message", (msg, rinfo) => got.push({ msg, port: rinfo.port }));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return { socket, got };
}

describe("preemption on the wire", () => {
  it("a verified victim is told ERROR 0 Server busy, an unverified one gets nothing; the requester is served", async () => {
    await withTftpServer(
      { resolver, maxTransfers: 3, protectedPerClient: 0, retransmitMs: 5000 },
      async (server, port) => {
        const preempted: number[] = [];
        server.on("rejected", (r) => {
          if (r.reason.startsWith("Preempted")) preempted.push(r.remote.port);
        });
        const hog = [await peer("127.0.0.2"), await peer("127.0.0.2"), await peer("127.0.0.2")];
        const asker = await peer("127.0.0.3");
        try {
          const rrq = encodeRequest(Opcode.RRQ, "profile.xml", "octet");
          for (const h of hog) h.socket.send(rrq, port, "127.0.0.1");
          await until(() => hog.every((h) => h.got.length === 1));
          // Two acknowledge DATA 1 (they are there), the third never does.
          for (const h of hog.slice(0, 2)) h.socket.send(encodeAck(1), h.got[0]!.port, "127.0.0.1");
          await until(() => hog.slice(0, 2).every((h) => h.got.length === 2));
          asker.socket.send(rrq, port, "127.0.0.1");
          await until(() => asker.got.length === 1);
          expect(parsePacket(asker.got[0]!.msg)).toMatchObject({ op: Opcode.DATA, block: 1 });
          // The unverified transfer went first, silently.
          expect(preempted).toEqual([hog[2]!.socket.address().port]);
          expect(hog[2]!.got).toHaveLength(1);
          // The hog still holds two more than a new address: it loses a verified one, and
          // that client is told.
          const other = await peer("127.0.0.4");
          try {
            other.socket.send(rrq, port, "127.0.0.1");
            await until(() => other.got.length === 1 && hog.some((h) => h.got.length === 3));
            expect(parsePacket(other.got[0]!.msg)).toMatchObject({ op: Opcode.DATA });
            const told = hog.find((h) => h.got.length === 3)!;
            expect(parsePacket(told.got[2]!.msg)).toMatchObject({
              op: Opcode.ERROR,
              code: 0,
              message: "Server busy, try again later",
            });
            // Every address now holds one: nobody holds two more than another.
            const last = await peer("127.0.0.5");
            try {
              last.socket.send(rrq, port, "127.0.0.1");
              await until(() => last.got.length === 1);
              expect(parsePacket(last.got[0]!.msg)).toMatchObject({ op: Opcode.ERROR, code: 0 });
              expect(preempted).toHaveLength(2);
            } finally {
              last.socket.close();
            }
          } finally {
            other.socket.close();
          }
        } finally {
          for (const h of [...hog, asker]) h.socket.close();
        }
      },
    );
  });
});

describe("preemption while the content is being resolved", () => {
  it("a preempted request whose port asks again meanwhile is served once, by its new transfer", async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const slowResolver = async (r: TftpRequest) => {
      if (r.filename === "slow.xml") await gate;
      return bytesSource(PROFILE);
    };
    await withTftpServer(
      { resolver: slowResolver, maxTransfers: 2, protectedPerClient: 0, retransmitMs: 5000 },
      async (server, port, ends) => {
        const hog = [await peer("127.0.0.2"), await peer("127.0.0.2")];
        const asker = await peer("127.0.0.3");
        try {
          // The first hog request waits in the resolver; the second runs, unacknowledged.
          hog[0]!.socket.send(encodeRequest(Opcode.RRQ, "slow.xml", "octet"), port, "127.0.0.1");
          await until(() => server.activeTransfers === 1);
          hog[1]!.socket.send(encodeRequest(Opcode.RRQ, "a.xml", "octet"), port, "127.0.0.1");
          await until(() => hog[1]!.got.length === 1);
          // The asker preempts the waiting one (not started: ranked first).
          asker.socket.send(encodeRequest(Opcode.RRQ, "a.xml", "octet"), port, "127.0.0.1");
          await until(() => asker.got.length === 1);
          asker.socket.send(encodeError(0, "done"), asker.got[0]!.port, "127.0.0.1");
          await until(() => server.activeTransfers === 1);
          // Same port asks again and gets a slot; then the old resolver returns.
          hog[0]!.socket.send(encodeRequest(Opcode.RRQ, "a.xml", "octet"), port, "127.0.0.1");
          await until(() => hog[0]!.got.length === 1);
          open();
          await new Promise((r) => setTimeout(r, 200));
          expect(hog[0]!.got.map((g) => g.port)).toHaveLength(1);
          expect(server.activeTransfers).toBe(2);
          expect(ends.filter((e) => e.filename === "slow.xml")).toEqual([]);
        } finally {
          for (const h of [...hog, asker]) h.socket.close();
        }
      },
    );
  });
});

describe("slot fairness and block size floor (pure)", () => {
  it("SourceLimits.victim: the slowest slot of the source holding the most, never within the protected share, never to a source holding as many", () => {
    const limits = new SourceLimits({
      maxTransfers: 8,
      maxPerSource: 8,
      maxUnverifiedPerSource: 8,
      reservedForKnown: 2,
      knownSources: 16,
      protectedPerSource: 2,
    });
    limits.completed("10.0.0.1");
    const hog: SourceSlot[] = [];
    for (let i = 0; i < 6; i++) hog.push(limits.admit("10.0.0.1") as SourceSlot);
    const nat = [limits.admit("10.0.0.2"), limits.admit("10.0.0.2")] as SourceSlot[];
    expect(limits.admit("10.0.0.3")).toBe("busy");
    const rates = new Map<SourceSlot, number>(hog.map((s, i) => [s, 10 - i]));
    const rank = (s: SourceSlot) => rates.get(s) ?? 0;
    // The hog's slowest transfer goes, not the NAT'd site's (within its protected two).
    expect(limits.victim("10.0.0.3", "busy", rank)).toBe(hog[5]);
    // The hog itself never preempts; refusals other than lack of slots stand.
    expect(limits.victim("10.0.0.1", "busy", rank)).toBeUndefined();
    expect(limits.victim("10.0.0.3", "unverified", rank)).toBeUndefined();
    // Fair share: slots move until no source holds two more than the requester.
    for (const s of hog.slice(3)) limits.release(s);
    expect(limits.size).toBe(5);
    for (let i = 0; i < 3; i++) expect(typeof limits.admit(`10.0.1.${i}`)).toBe("object");
    expect(limits.victim("10.0.0.3", "busy", rank)).toBe(hog[2]);
    limits.release(hog[2] as SourceSlot);
    expect(typeof limits.admit("10.0.0.3")).toBe("object");
    // Now the hog holds 2, within the protected share: nothing to take.
    expect(limits.admit("10.0.0.4")).toBe("busy");
    expect(limits.victim("10.0.0.4", "busy", rank)).toBeUndefined();
    for (const s of nat) limits.release(s);
  });

  it("SourceLimits.victim for the unreserved share takes only slots taken while unknown", () => {
    const limits = new SourceLimits({
      maxTransfers: 8,
      maxPerSource: 8,
      maxUnverifiedPerSource: 8,
      reservedForKnown: 4,
      knownSources: 16,
      protectedPerSource: 1,
    });
    const flood = [1, 2, 3, 4].map(() => limits.admit("192.0.2.1") as SourceSlot);
    expect(limits.admit("192.0.2.9")).toBe("reserved");
    expect(limits.victim("192.0.2.9", "reserved", () => 0)).toBe(flood[0]);
    limits.completed("192.0.2.1");
    const known = limits.admit("192.0.2.1") as SourceSlot;
    expect(known.known).toBe(true);
    const v = limits.victim("192.0.2.9", "reserved", (s) => (s === known ? -1 : 0));
    expect(v).not.toBe(known);
  });

  it("SourceLimits.victim for an unknown source refused as busy takes no known slot while the unreserved share is full", () => {
    const limits = new SourceLimits({
      maxTransfers: 8,
      maxPerSource: 8,
      maxUnverifiedPerSource: 8,
      reservedForKnown: 4,
      knownSources: 16,
      protectedPerSource: 1,
    });
    limits.completed("10.0.0.1");
    const known = [1, 2, 3, 4].map(() => limits.admit("10.0.0.1") as SourceSlot);
    const flood = [1, 2, 3, 4].map((i) => limits.admit(`192.0.2.${i}`) as SourceSlot);
    expect(known.every((s) => s.known) && flood.every((s) => !s.known)).toBe(true);
    // Every slot is held and the unreserved share too: freeing a known slot would not admit
    // a forged unknown source, so none is named (and none of the unknown holds more than one).
    expect(limits.admit("198.51.100.7")).toBe("busy");
    expect(limits.victim("198.51.100.7", "busy", () => 0)).toBeUndefined();
    // A known source refused as busy may still take from the known hog.
    limits.completed("10.0.0.2");
    expect(limits.admit("10.0.0.2")).toBe("busy");
    expect(limits.victim("10.0.0.2", "busy", () => 0)).toBe(known[0]);
  });

  it("SourceLimits.victim names nothing for a source at its own unacknowledged cap", () => {
    const limits = new SourceLimits({
      maxTransfers: 8,
      maxPerSource: 8,
      maxUnverifiedPerSource: 2,
      reservedForKnown: 0,
      knownSources: 16,
      protectedPerSource: 1,
    });
    limits.completed("10.0.0.1");
    const hog = [1, 2, 3, 4, 5, 6].map(() => {
      const slot = limits.admit("10.0.0.1") as SourceSlot;
      limits.verified(slot);
      return slot;
    });
    const forged = [limits.admit("198.51.100.7"), limits.admit("198.51.100.7")];
    expect(forged.every((s) => typeof s === "object")).toBe(true);
    // Freeing one of the hog's slots would not admit a third unacknowledged transfer.
    expect(limits.admit("198.51.100.7")).toBe("busy");
    expect(limits.victim("198.51.100.7", "busy", () => 0)).toBeUndefined();
    expect(limits.victim("198.51.100.8", "busy", () => 0)).toBe(hog[0]);
  });

  it("a blksize below the floor is declined (the transfer runs at 512); at or above it is granted", () => {
    const req = (blksize: string) =>
      negotiateServerOptions(
        new Map([
          ["blksize", blksize],
          ["timeout", "2"],
        ]),
        "read",
        1000,
        { maxBlksize: 65464, maxWindowSize: 64, minBlksize: 512 },
      );
    expect(req("8")).toMatchObject({ accepted: [["timeout", "2"]], params: { blksize: 512 } });
    expect(req("511").params.blksize).toBe(512);
    expect(req("512")).toMatchObject({
      accepted: [
        ["blksize", "512"],
        ["timeout", "2"],
      ],
    });
    expect(req("1428").params.blksize).toBe(1428);
  });
});
