/**
 * Abuse over real UDP: slot exhaustion with never-acknowledged requests (a long
 * negotiated `timeout` used to hold a slot for 6 × 255 s), the timeout cap, the packets
 * an unverified source gets for one request (amplification), the lifetime cap. The
 * attacker is raw node:dgram sockets on several loopback addresses; the legitimate
 * client is Debian's tftp-hpa.
 */
import { execFile } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
  fileSource,
  Opcode,
  parsePacket,
  type TftpRequest,
  type TftpServerOptions,
  type TftpTransferInfo,
  type TftpTransferStats,
  tftpGet,
} from "../../src/tftp/index.ts";
import { SourceLimits } from "../../src/tftp/source_limits.ts";
import {
  FakeClock,
  randomBytes,
  rawSocket,
  TRANSFER_IOS,
  until,
  withTftpServer,
} from "./helpers.ts";

const run = promisify(execFile);
const haveHpa = existsSync("/usr/bin/tftp");
const PROFILE = Buffer.from(
  `<flat-profile>\n${"  <Resync_Periodic>3600</Resync_Periodic>\n".repeat(40)}</flat-profile>\n`,
);
let dir: string;
let fwPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tftp-abuse-"));
  fwPath = join(dir, "fw.bin");
  await writeFile(fwPath, randomBytes(256 * 1024, 5));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resolver = async (r: TftpRequest) => {
  if (r.filename === "profile.xml" || r.filename === "/profile.xml") return bytesSource(PROFILE);
  if (r.filename === "fw.bin") return fileSource(fwPath);
  return errorSource(1);
};

let io: "native" | "dgram" = "native";
function withServer<T>(
  extra: Partial<TftpServerOptions>,
  fn: (
    server: Parameters<Parameters<typeof withTftpServer>[1]>[0],
    port: number,
    ends: TftpTransferStats[],
  ) => Promise<T>,
): Promise<T> {
  return withTftpServer({ resolver, io, ...extra }, fn);
}

async function bound(address: string): Promise<Socket> {
  const s = createSocket("udp4");
  s.on("error", () => undefined);
  s.on("message", () => undefined);
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  return s;
}

describe.each(TRANSFER_IOS)("abuse (%s I/O)", (kind) => {
  beforeAll(() => {
    io = kind;
  });

  it("the negotiated timeout is capped: above the cap it is left out of the OACK and the transfer runs at the cap", async () => {
    const started: TftpTransferInfo[] = [];
    await withServer({ maxTimeout: 10 }, async (server, port) => {
      server.on("transferStart", (t) => started.push(t));
      const a = await rawSocket();
      try {
        const oackOf = async (timeout: string) => {
          a.socket.send(
            encodeRequest(Opcode.RRQ, "fw.bin", "octet", [
              ["blksize", "1024"],
              ["timeout", timeout],
            ]),
            port,
            "127.0.0.1",
          );
          const m = (await a.next())!;
          // Done with this transfer: tell the server so (ERROR ends it).
          a.socket.send(encodeError(0, "bye"), m.rinfo.port, "127.0.0.1");
          return { p: parsePacket(m.msg), port: m.rinfo.port };
        };
        const high = await oackOf("255");
        expect(high.p).toMatchObject({ op: Opcode.OACK });
        expect(high.p.op === Opcode.OACK && [...high.p.options]).toEqual([["blksize", "1024"]]);
        const low = await oackOf("5");
        expect(low.p.op === Opcode.OACK && [...low.p.options]).toEqual([
          ["blksize", "1024"],
          ["timeout", "5"],
        ]);
        await until(() => started.length === 2);
        expect(started.map((t) => t.params.timeoutMs)).toEqual([10_000, 5_000]);
      } finally {
        a.close();
      }
    });
  });

  it("an unverified source gets one packet per request: the first DATA / OACK is never retransmitted by the timer", async () => {
    const clock = new FakeClock();
    await withServer({ clock, retransmitMs: 1000, maxRetries: 5 }, async (server, port, ends) => {
      const a = await rawSocket();
      try {
        let sentBytes = 0;
        let gotBytes = 0;
        let got = 0;
        const drain = async () => {
          for (let m = await a.next(100); m; m = await a.next(50)) {
            got++;
            gotBytes += m.msg.length;
          }
        };
        // 15 bytes, no options: the amplification probe.
        const rrq = encodeRequest(Opcode.RRQ, "fw.bin", "octet");
        expect(rrq.length).toBe(15);
        a.socket.send(rrq, port, "127.0.0.1");
        sentBytes += rrq.length;
        await until(() => server.activeTransfers === 1 && ends.length === 0);
        await drain();
        expect(got).toBe(1);
        for (let t = 0; t < 60; t++) clock.advance(1000);
        await drain();
        await until(() => ends.length === 1);
        expect(got).toBe(1);
        expect(ends[0]).toMatchObject({ outcome: "timeout", packetsSent: 1, retransmits: 0 });
        expect(server.activeTransfers).toBe(0);
        // With options the first packet is the (small) OACK, also sent once.
        const withOptions = encodeRequest(Opcode.RRQ, "fw.bin", "octet", [["blksize", "65464"]]);
        a.socket.send(withOptions, port, "127.0.0.1");
        sentBytes += withOptions.length;
        await until(() => server.activeTransfers === 1);
        await drain();
        for (let t = 0; t < 60; t++) clock.advance(1000);
        await drain();
        await until(() => ends.length === 2);
        expect(got).toBe(2);
        expect(ends[1]).toMatchObject({ outcome: "timeout", packetsSent: 1 });
        expect(gotBytes / sentBytes).toBeLessThan(20);
      } finally {
        a.close();
      }
    });
  });

  it("an upload whose source never sends DATA gets its ACK 0 once and is released", async () => {
    const clock = new FakeClock();
    const upload = async () => ({ kind: "accept" as const, onComplete: () => undefined });
    await withServer({ clock, upload, retransmitMs: 1000 }, async (server, port, ends) => {
      const a = await rawSocket();
      try {
        a.socket.send(encodeRequest(Opcode.WRQ, "report.xml", "octet"), port, "127.0.0.1");
        await until(() => server.activeTransfers === 1 && ends.length === 0);
        expect(parsePacket((await a.next())!.msg)).toMatchObject({ op: Opcode.ACK, block: 0 });
        for (let t = 0; t < 60; t++) clock.advance(1000);
        await until(() => ends.length === 1);
        expect(await a.next(100)).toBeUndefined();
        expect(ends[0]).toMatchObject({ kind: "write", outcome: "timeout", packetsSent: 1 });
        expect(server.activeTransfers).toBe(0);
      } finally {
        a.close();
      }
    });
  });

  it("a repeated request (the RFC 1350 client's retry) resends the first packet, at most one per half RTO and maxRetries in all", async () => {
    const clock = new FakeClock();
    await withServer({ clock, retransmitMs: 1000, maxRetries: 3 }, async (server, port, ends) => {
      const a = await rawSocket();
      try {
        const rrq = encodeRequest(Opcode.RRQ, "fw.bin", "octet");
        a.socket.send(rrq, port, "127.0.0.1");
        await until(() => server.activeTransfers === 1);
        expect(parsePacket((await a.next())!.msg)).toMatchObject({ op: Opcode.DATA, block: 1 });
        let answers = 0;
        for (let i = 0; i < 8; i++) {
          // A burst of duplicates gets no answer before half an RTO has passed …
          a.socket.send(rrq, port, "127.0.0.1");
          a.socket.send(rrq, port, "127.0.0.1");
          clock.advance(600);
          a.socket.send(rrq, port, "127.0.0.1");
          for (let m = await a.next(150); m; m = await a.next(50)) answers++;
        }
        expect(answers).toBe(3);
        expect(ends).toHaveLength(0);
        clock.advance(10_000);
        await until(() => ends.length === 1);
        expect(ends[0]).toMatchObject({ outcome: "timeout", packetsSent: 4, retransmits: 3 });
      } finally {
        a.close();
      }
    });
  });

  it("once the peer acknowledges after a long wait, a lost DATA is retransmitted after one RTO again", async () => {
    const clock = new FakeClock();
    await withServer({ clock, retransmitMs: 1000, unverifiedMs: 5000 }, async (server, port) => {
      const a = await rawSocket();
      try {
        a.socket.send(encodeRequest(Opcode.RRQ, "fw.bin", "octet"), port, "127.0.0.1");
        await until(() => server.activeTransfers === 1);
        const first = (await a.next())!;
        expect(parsePacket(first.msg)).toMatchObject({ op: Opcode.DATA, block: 1 });
        clock.advance(1500); // the timer waited for an ACK that had not come yet
        a.socket.send(encodeAck(1), first.rinfo.port, "127.0.0.1");
        expect(parsePacket((await a.next())!.msg)).toMatchObject({ op: Opcode.DATA, block: 2 });
        // DATA 2 "lost": the retransmission comes an RTO or two later (the native endpoint
        // sent DATA 2 itself and reports it by real time), not at the unverified deadline.
        let resent: Buffer | undefined;
        for (let i = 0; i < 2 && !resent; i++) {
          clock.advance(1100);
          resent = (await a.next(500))?.msg;
        }
        expect(clock.now()).toBeLessThan(5000);
        expect(resent && parsePacket(resent)).toMatchObject({ op: Opcode.DATA, block: 2 });
      } finally {
        a.close();
      }
    });
  });

  it("a transfer's lifetime is capped whatever its progress", async () => {
    const clock = new FakeClock();
    await withServer({ clock, maxTransferMs: 10_000 }, async (_server, port, ends) => {
      const a = await rawSocket();
      try {
        a.socket.send(encodeRequest(Opcode.RRQ, "fw.bin", "octet"), port, "127.0.0.1");
        let blocks = 0;
        let error: string | undefined;
        for (let i = 0; i < 60 && error === undefined; i++) {
          const m = (await a.next())!;
          const p = parsePacket(m.msg);
          if (p.op === Opcode.ERROR) error = p.message;
          else if (p.op === Opcode.DATA) {
            blocks++;
            // Acknowledge just inside the retransmission timeout.
            clock.advance(900);
            a.socket.send(encodeAck(p.block), m.rinfo.port, "127.0.0.1");
          }
        }
        expect(error).toBe("Transfer time limit reached");
        expect(blocks).toBeLessThan(20);
        await until(() => ends.length === 1);
        expect(ends[0]).toMatchObject({ outcome: "aborted" });
      } finally {
        a.close();
      }
    });
  });

  it("unacknowledged transfers are capped per source address; a request over the cap gets no answer and gets in when retried", async () => {
    await withServer({ maxUnverifiedPerClient: 3 }, async (server, port) => {
      const refused: Array<{ reason: string; code: number | undefined }> = [];
      server.on("rejected", (r) => refused.push({ reason: r.reason, code: r.code }));
      const sockets = await Promise.all([1, 2, 3, 4].map(() => rawSocket()));
      try {
        const rrq = encodeRequest(Opcode.RRQ, "fw.bin", "octet");
        for (const s of sockets.slice(0, 3)) s.socket.send(rrq, port, "127.0.0.1");
        const first = await Promise.all(sockets.slice(0, 3).map((s) => s.next()));
        expect(first.map((m) => parsePacket(m!.msg).op)).toEqual([
          Opcode.DATA,
          Opcode.DATA,
          Opcode.DATA,
        ]);
        // Over the cap: silence (the client retries as after a loss), no ERROR to amplify.
        const late = sockets[3]!;
        late.socket.send(rrq, port, "127.0.0.1");
        await until(() => refused.length === 1);
        expect(refused).toEqual([
          { reason: "Too many unacknowledged transfers from this address", code: undefined },
        ]);
        expect(await late.next(100)).toBeUndefined();
        // Acknowledging one proves the source is there: it no longer counts.
        sockets[0]!.socket.send(encodeAck(1), first[0]!.rinfo.port, "127.0.0.1");
        expect(parsePacket((await sockets[0]!.next())!.msg)).toMatchObject({ block: 2 });
        expect(server.activeTransfers).toBe(3);
        // The retried request gets in (the native endpoint may have answered that ACK
        // itself and report it a moment later: retry until it is heard).
        let answer: Buffer | undefined;
        for (let i = 0; i < 100 && answer === undefined; i++) {
          late.socket.send(rrq, port, "127.0.0.1");
          answer = (await late.next(50))?.msg;
        }
        expect(answer && parsePacket(answer)).toMatchObject({ op: Opcode.DATA, block: 1 });
      } finally {
        for (const s of sockets) s.close();
      }
    });
  });
});

describe.skipIf(!haveHpa)("slot exhaustion attack (tftp-hpa as the legitimate device)", () => {
  it("576 never-acknowledged RRQs with timeout=255 from 9 addresses: a device that fetched before keeps getting its profile", async () => {
    await withTftpServer({ resolver, maxTransfers: 32 }, async (server, port) => {
      const get = async (name: string): Promise<boolean> => {
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
      // The device has fetched its profile before the attack.
      expect(await get("warmup")).toBe(true);
      // Attacker: 9 source addresses × 64 ports, each asking with timeout=255, never
      // acknowledging, repeating its request every round.
      const attackers: Socket[] = [];
      for (let h = 2; h <= 10; h++) {
        for (let k = 0; k < 64; k++) attackers.push(await bound(`127.0.0.${h}`));
      }
      const rrq = encodeRequest(Opcode.RRQ, "profile.xml", "octet", [["timeout", "255"]]);
      const flood = () => {
        for (const s of attackers) s.send(rrq, port, "127.0.0.1");
      };
      try {
        flood();
        await until(() => server.activeTransfers >= 24);
        let ok = 0;
        const rounds = 20;
        for (let i = 0; i < rounds; i++) {
          flood();
          if (await get(String(i))) ok++;
        }
        // A device the server has not seen before competes for the unreserved slots,
        // which the attacker holds: it is told "busy" (and retries later).
        const fresh = await tftpGet("profile.xml", {
          host: "127.0.0.1",
          port,
          localAddress: "127.0.0.77",
          maxRetries: 1,
        }).then(
          () => "ok",
          (e: { message?: string }) => e.message ?? "failed",
        );
        console.log(
          `slot exhaustion: legitimate ${ok}/${rounds}, active ${server.activeTransfers}, fresh source: ${fresh}`,
        );
        expect(ok).toBe(rounds);
      } finally {
        for (const s of attackers) s.close();
      }
    });
  }, 120_000);
});

describe("SourceLimits", () => {
  it("keeps the reserved share for known sources and forgets the least recent beyond its bound", () => {
    const limits = new SourceLimits({
      maxTransfers: 4,
      maxPerSource: 4,
      maxUnverifiedPerSource: 4,
      reservedForKnown: 1,
      knownSources: 2,
    });
    limits.completed("10.0.0.1");
    limits.completed("10.0.0.2");
    limits.completed("10.0.0.3");
    expect(limits.knownCount).toBe(2);
    expect(limits.isKnown("10.0.0.1")).toBe(false);
    const unknown = ["a", "b", "c"].map((x) => limits.admit(`192.0.2.${x}`));
    expect(unknown.every((s) => typeof s === "object")).toBe(true);
    expect(limits.admit("192.0.2.d")).toBe("reserved");
    expect(limits.admit("10.0.0.1")).toBe("reserved");
    const known = limits.admit("10.0.0.3");
    expect(typeof known).toBe("object");
    expect(limits.admit("10.0.0.2")).toBe("busy");
    for (const s of [...unknown, known]) if (typeof s === "object") limits.release(s);
    expect(limits.size).toBe(0);
  });
});
