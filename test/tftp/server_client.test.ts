import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProvisioError } from "../../src/errors.ts";
import {
  bytesSource,
  encodeAck,
  encodeRequest,
  errorSource,
  fileSource,
  Opcode,
  parsePacket,
  TftpClient,
  type TftpRequest,
  TftpServer,
  type TftpServerOptions,
  type TftpTransferStats,
  tftpGet,
  tftpPut,
} from "../../src/tftp/index.ts";
import { randomBytes, rawSocket, sha256, TRANSFER_IOS, until, withTftpServer } from "./helpers.ts";

const PROFILE = Buffer.from(
  '<flat-profile>\n  <Profile_Rule ua="na">http://prov.example.com/spa/$MA.xml</Profile_Rule>\n</flat-profile>\n',
);
const TEXT = Buffer.from("line one\nline two\r\nbare\rcr\n\n");
let dir: string;
let firmware: Buffer;
let firmwarePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tftp-sc-"));
  firmware = randomBytes(3 * 1024 * 1024 + 77, 42);
  firmwarePath = join(dir, "fw.bin");
  await writeFile(firmwarePath, firmware);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resolver = async (r: TftpRequest) => {
  switch (r.filename) {
    case "profile.xml":
      return bytesSource(PROFILE);
    case "text.txt":
      return bytesSource(TEXT);
    case "fw.bin":
      return fileSource(firmwarePath);
    case "empty":
      return bytesSource(Buffer.alloc(0));
    case "denied":
      return errorSource(2, "no profile for you");
    case "throws":
      throw new Error("database on fire (must not leak)");
    case "throws-tftp":
      throw new ProvisioError("TFTP_FILE_NOT_FOUND", "no such device");
    default:
      return errorSource(1);
  }
};

/** Transfer I/O under test: every test below runs once per kind. */
let io: "native" | "dgram" = "native";

function withServer<T>(
  extra: Partial<TftpServerOptions>,
  fn: (server: TftpServer, port: number, ends: TftpTransferStats[]) => Promise<T>,
): Promise<T> {
  return withTftpServer({ resolver, io, ...extra }, fn);
}

describe.each(TRANSFER_IOS)("server ↔ client (loopback, %s I/O)", (kind) => {
  beforeAll(() => {
    io = kind;
  });

  it("each transfer reports the I/O it ran on, reads and writes", async () => {
    const stored: Buffer[] = [];
    await withServer(
      { upload: async () => ({ kind: "accept", onComplete: (d) => void stored.push(d) }) },
      async (_server, port, ends) => {
        await tftpGet("profile.xml", { host: "127.0.0.1", port });
        await tftpPut("report.xml", PROFILE, { host: "127.0.0.1", port });
        await until(() => ends.length === 2 && stored.length === 1);
        expect(ends.map((e) => [e.kind, e.io, e.outcome])).toEqual([
          ["read", kind, "complete"],
          ["write", kind, "complete"],
        ]);
      },
    );
  });

  it("serves the default port 6969 unless told otherwise", () => {
    const server = new TftpServer({ resolver });
    expect((server as unknown as { o: { port: number } }).o.port).toBe(6969);
  });

  it.each<[string, { blksize?: number; windowsize?: number; tsize?: boolean; timeout?: number }]>([
    ["lock-step RFC 1350", {}],
    [
      "blksize 1428 + windowsize 16 + tsize + timeout",
      { blksize: 1428, windowsize: 16, tsize: true, timeout: 2 },
    ],
    ["blksize 8", { blksize: 8, windowsize: 32 }],
    ["blksize 65464 + windowsize 4", { blksize: 65464, windowsize: 4 }],
  ])("downloads an in-memory profile and a streamed firmware file (%s)", async (_n, opts) => {
    // The floor (default 512) is lowered: this exercises the protocol at its extremes.
    await withServer({ minBlksize: 8 }, async (_s, port, ends) => {
      const p = await tftpGet("profile.xml", { host: "127.0.0.1", port, ...opts });
      expect(p.data.equals(PROFILE)).toBe(true);
      if (opts.blksize !== 8) {
        const f = await tftpGet("fw.bin", { host: "127.0.0.1", port, ...opts });
        expect(sha256(f.data)).toBe(sha256(firmware));
        if ("tsize" in opts) expect(f.stats.params.tsize).toBe(firmware.length);
        expect(f.stats.params.blksize).toBe(opts.blksize ?? 512);
        expect(f.stats.params.windowsize).toBe(opts.windowsize ?? 1);
      }
      await until(() => ends.length >= (opts.blksize !== 8 ? 2 : 1));
      expect(ends.every((e) => e.outcome === "complete")).toBe(true);
      expect(ends[0]).toMatchObject({
        kind: "read",
        filename: "profile.xml",
        bytes: PROFILE.length,
        retransmits: 0,
      });
      expect(ends[0]!.durationMs).toBeGreaterThanOrEqual(0);
    });
  });

  it("rolls block numbers over 65535 (blksize 8, 600 KB)", async () => {
    const big = randomBytes(8 * 70_000 + 5, 9);
    await withServer(
      { resolver: async () => bytesSource(big), minBlksize: 8 },
      async (_s, port) => {
        const r = await tftpGet("x", { host: "127.0.0.1", port, blksize: 8, windowsize: 64 });
        expect(sha256(r.data)).toBe(sha256(big));
        expect(r.stats.blocks).toBe(70_001);
      },
    );
  });

  it("netascii: the server encodes, the client decodes back to the original text", async () => {
    await withServer({ minBlksize: 8 }, async (_s, port) => {
      const r = await tftpGet("text.txt", {
        host: "127.0.0.1",
        port,
        mode: "netascii",
        blksize: 8,
        tsize: true,
      });
      expect(r.data.equals(TEXT)).toBe(true);
      const f = await tftpGet("fw.bin", {
        host: "127.0.0.1",
        port,
        mode: "netascii",
        blksize: 1428,
        windowsize: 8,
      });
      expect(sha256(f.data)).toBe(sha256(firmware));
    });
  });

  it("uses one ephemeral port per transfer, never the request port", async () => {
    await withServer({}, async (server, port, ends) => {
      const starts: number[] = [];
      server.on("transferStart", (i) => starts.push(i.localPort));
      const results = await Promise.all(
        [1, 2, 3].map(() => tftpGet("profile.xml", { host: "127.0.0.1", port })),
      );
      expect(new Set(starts).size).toBe(3);
      expect(starts).not.toContain(port);
      expect(new Set(results.map((r) => r.stats.serverPort))).toEqual(new Set(starts));
      await until(() => ends.length === 3);
    });
  });

  it("client: TftpClient defaults, streaming with onData, abort with an AbortSignal", async () => {
    await withServer({}, async (_s, port) => {
      const client = new TftpClient({ host: "127.0.0.1", port, blksize: 1428, windowsize: 8 });
      const chunks: Buffer[] = [];
      const r = await client.get("fw.bin", { onData: (c) => chunks.push(Buffer.from(c)) });
      expect(r.data.length).toBe(0);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(firmware));
      const ac = new AbortController();
      const pending = client.get("fw.bin", {
        signal: ac.signal,
        blksize: 512,
        windowsize: 1,
        onData: () => ac.abort(),
      });
      await expect(pending).rejects.toMatchObject({ code: "TFTP_ABORTED" });
      await expect(client.get("fw.bin", { maxBytes: 1000 })).rejects.toMatchObject({
        code: "TFTP_TOO_LARGE",
      });
    });
  });

  it("sends an empty file as a single empty DATA block", async () => {
    await withServer({}, async (_s, port) => {
      const r = await tftpGet("empty", { host: "127.0.0.1", port });
      expect(r.data.length).toBe(0);
      expect(r.stats.blocks).toBe(1);
    });
  });

  it("maps resolver answers to TFTP errors without leaking internals", async () => {
    const callbackErrors: unknown[] = [];
    await withServer({}, async (server, port) => {
      server.on("callbackError", (e) => callbackErrors.push(e.error));
      const get = (name: string) =>
        tftpGet(name, { host: "127.0.0.1", port }).then(
          () => "ok",
          (e: ProvisioError) => `${e.code}: ${e.message}`,
        );
      expect(await get("missing")).toBe("TFTP_FILE_NOT_FOUND: TFTP peer error 1: File not found");
      expect(await get("denied")).toBe(
        "TFTP_ACCESS_VIOLATION: TFTP peer error 2: no profile for you",
      );
      expect(await get("throws-tftp")).toBe(
        "TFTP_FILE_NOT_FOUND: TFTP peer error 1: File not found",
      );
      expect(await get("throws")).toBe("TFTP_NOT_DEFINED: TFTP peer error 0: Internal error");
      expect(callbackErrors).toHaveLength(1);
      expect(server.activeTransfers).toBe(0);
    });
  });

  it("refuses WRQ with an access violation when no upload area is configured", async () => {
    await withServer({}, async (_s, port) => {
      await expect(
        tftpPut("report.xml", PROFILE, { host: "127.0.0.1", port }),
      ).rejects.toMatchObject({
        code: "TFTP_ACCESS_VIOLATION",
      });
    });
  });

  it("accepts WRQ into an upload area (octet + options, netascii) and enforces its size cap", async () => {
    const uploads = new Map<string, Buffer>();
    await withServer(
      {
        upload: async (r) => ({
          kind: "accept",
          maxBytes: 2 * 1024 * 1024,
          onComplete: (data) => {
            uploads.set(r.filename, data);
          },
        }),
      },
      async (_s, port, ends) => {
        const body = randomBytes(200_000, 5);
        const put = await tftpPut("report.bin", body, {
          host: "127.0.0.1",
          port,
          blksize: 1428,
          windowsize: 16,
          tsize: true,
        });
        expect(put.stats.negotiated).toBe(true);
        await tftpPut("report.txt", TEXT, { host: "127.0.0.1", port, mode: "netascii" });
        await until(() => uploads.size === 2);
        expect(sha256(uploads.get("report.bin")!)).toBe(sha256(body));
        expect(uploads.get("report.txt")!.equals(TEXT)).toBe(true);
        // tsize announces too much: refused up front; without tsize: refused mid-way.
        const huge = randomBytes(3 * 1024 * 1024, 6);
        await expect(
          tftpPut("big", huge, { host: "127.0.0.1", port, tsize: true }),
        ).rejects.toMatchObject({
          code: "TFTP_DISK_FULL",
        });
        await expect(
          tftpPut("big", huge, { host: "127.0.0.1", port, blksize: 65464, windowsize: 4 }),
        ).rejects.toMatchObject({ code: "TFTP_DISK_FULL" });
        await until(() => ends.length === 3);
        expect(ends.filter((e) => e.kind === "write").map((e) => e.outcome)).toEqual([
          "complete",
          "complete",
          "error",
        ]);
      },
    );
  });

  it("answers a packet from a wrong source port with ERROR 5 and carries on", async () => {
    await withServer({}, async (_s, port, ends) => {
      const a = await rawSocket();
      const b = await rawSocket();
      try {
        a.socket.send(encodeRequest(Opcode.RRQ, "profile.xml", "octet"), port, "127.0.0.1");
        const first = await a.next();
        expect(first && parsePacket(first.msg)).toMatchObject({ op: Opcode.DATA, block: 1 });
        const tid = first!.rinfo.port;
        b.socket.send(encodeAck(1), tid, "127.0.0.1");
        const err = await b.next();
        expect(err && parsePacket(err.msg)).toMatchObject({ op: Opcode.ERROR, code: 5 });
        a.socket.send(encodeAck(1), tid, "127.0.0.1");
        await until(() => ends.length === 1);
        expect(ends[0]!.outcome).toBe("complete");
      } finally {
        a.close();
        b.close();
      }
    });
  });

  it("ignores a repeated RRQ from the same client port (one transfer, not two)", async () => {
    await withServer({ retransmitMs: 5000 }, async (server, port) => {
      const a = await rawSocket();
      try {
        const rrq = encodeRequest(Opcode.RRQ, "fw.bin", "octet");
        a.socket.send(rrq, port, "127.0.0.1");
        a.socket.send(rrq, port, "127.0.0.1");
        a.socket.send(rrq, port, "127.0.0.1");
        expect(await a.next()).toBeDefined();
        expect(await a.next(200)).toBeUndefined();
        expect(server.activeTransfers).toBe(1);
      } finally {
        a.close();
      }
    });
  });

  it("frees the transfer of a client that vanished after its first ACK, after the retry budget", async () => {
    await withServer({ retransmitMs: 20, maxRetries: 3 }, async (server, port, ends) => {
      const a = await rawSocket();
      try {
        a.socket.send(
          encodeRequest(Opcode.RRQ, "fw.bin", "octet", [["blksize", "1024"]]),
          port,
          "127.0.0.1",
        );
        const oack = (await a.next())!;
        expect(parsePacket(oack.msg).op).toBe(Opcode.OACK);
        a.socket.send(encodeAck(0), oack.rinfo.port, "127.0.0.1");
        await until(() => ends.length === 1);
        expect(ends[0]).toMatchObject({ outcome: "timeout", timeouts: 4, retransmits: 3 });
        expect(server.activeTransfers).toBe(0);
        let data = 0;
        for (let m = await a.next(50); m; m = await a.next(50)) {
          if (parsePacket(m.msg).op === Opcode.DATA) data++;
        }
        expect(data).toBe(4);
      } finally {
        a.close();
      }
    });
  });

  it("limits concurrent transfers per client address and in all", async () => {
    const sockets = await Promise.all([1, 2, 3, 4].map(() => rawSocket()));
    try {
      await withServer({ maxTransfersPerClient: 2, retransmitMs: 5000 }, async (server, port) => {
        const rrq = encodeRequest(Opcode.RRQ, "fw.bin", "octet");
        for (const s of sockets.slice(0, 3)) s.socket.send(rrq, port, "127.0.0.1");
        const answers = await Promise.all(sockets.slice(0, 3).map((s) => s.next()));
        const ops = answers
          .map((a) => parsePacket(a!.msg))
          .map((p) => (p.op === Opcode.ERROR ? `error ${p.code} ${p.message}` : p.op));
        expect(ops.filter((o) => o === Opcode.DATA)).toHaveLength(2);
        expect(ops).toContain("error 0 Too many transfers from this address");
        expect(server.activeTransfers).toBe(2);
      });
      // Drain what the first server said on shutdown.
      for (const s of sockets) while (await s.next(20));
      await withServer({ maxTransfers: 1, retransmitMs: 5000 }, async (_server, port) => {
        const rrq = encodeRequest(Opcode.RRQ, "fw.bin", "octet");
        sockets[0]!.socket.send(rrq, port, "127.0.0.1");
        expect(parsePacket((await sockets[0]!.next())!.msg).op).toBe(Opcode.DATA);
        sockets[3]!.socket.send(rrq, port, "127.0.0.1");
        expect(parsePacket((await sockets[3]!.next())!.msg)).toMatchObject({
          op: Opcode.ERROR,
          code: 0,
          message: "Server busy, try again later",
        });
      });
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it("answers malformed packets with ERROR 4 or silence and keeps serving", async () => {
    await withServer({ retransmitMs: 50, maxRetries: 1 }, async (server, port) => {
      const a = await rawSocket();
      try {
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (junk) => {
            a.socket.send(Buffer.from(junk), port, "127.0.0.1");
          }),
          { numRuns: 300, seed: 99 },
        );
        // Nothing but ERROR packets (or nothing) came back for junk.
        for (let m = await a.next(100); m; m = await a.next(50)) {
          const p = parsePacket(m.msg);
          if (p.op !== Opcode.ERROR) expect([Opcode.DATA, Opcode.OACK]).toContain(p.op);
        }
        // Junk on a transfer port ends that transfer with ERROR 4.
        a.socket.send(encodeRequest(Opcode.RRQ, "fw.bin", "octet"), port + 0, "127.0.0.1");
        let m = await a.next();
        while (m && parsePacket(m.msg).op !== Opcode.DATA) m = await a.next();
        a.socket.send(Buffer.from([0, 9, 1, 2, 3]), m!.rinfo.port, "127.0.0.1");
        let err = await a.next();
        while (err && parsePacket(err.msg).op !== Opcode.ERROR) err = await a.next();
        expect(err && parsePacket(err.msg)).toMatchObject({ op: Opcode.ERROR, code: 4 });
        await until(() => server.activeTransfers === 0);
        const r = await tftpGet("profile.xml", { host: "127.0.0.1", port });
        expect(r.data.equals(PROFILE)).toBe(true);
      } finally {
        a.close();
      }
    });
  });

  it("refuses mail mode with ERROR 4", async () => {
    await withServer({}, async (_s, port) => {
      const a = await rawSocket();
      try {
        a.socket.send(encodeRequest(Opcode.RRQ, "profile.xml", "mail"), port, "127.0.0.1");
        expect(parsePacket((await a.next())!.msg)).toMatchObject({ op: Opcode.ERROR, code: 4 });
      } finally {
        a.close();
      }
    });
  });

  it("client times out against a silent server within its retry budget", async () => {
    const silent = await rawSocket();
    try {
      const t0 = Date.now();
      await expect(
        tftpGet("x", { host: "127.0.0.1", port: silent.port, retransmitMs: 20, maxRetries: 2 }),
      ).rejects.toMatchObject({ code: "TFTP_TIMEOUT" });
      expect(Date.now() - t0).toBeLessThan(1000);
      let requests = 0;
      while (await silent.next(10)) requests++;
      expect(requests).toBe(3);
    } finally {
      silent.close();
    }
  });

  it("server close aborts running transfers with an error to the client", async () => {
    const server = new TftpServer({ resolver, port: 0, address: "127.0.0.1" });
    const { port } = await server.listen();
    const a = await rawSocket();
    try {
      a.socket.send(encodeRequest(Opcode.RRQ, "fw.bin", "octet"), port, "127.0.0.1");
      expect(parsePacket((await a.next())!.msg).op).toBe(Opcode.DATA);
      await server.close();
      expect(parsePacket((await a.next())!.msg)).toMatchObject({ op: Opcode.ERROR, code: 0 });
      expect(server.activeTransfers).toBe(0);
    } finally {
      a.close();
    }
  });
});
