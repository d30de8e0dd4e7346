import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bytesSource,
  encodeAck,
  encodeRequest,
  fileSource,
  Opcode,
  parsePacket,
  type TftpRequest,
  TftpServer,
  type TftpServerOptions,
  type TftpTransferStats,
  tftpGet,
} from "../../src/tftp/index.ts";
import { randomBytes, rawSocket, sha256, until as untilDone, withTftpServer } from "./helpers.ts";

let dir: string;
let fwPath: string;
const FW = randomBytes(2 * 1024 * 1024 + 3, 77);
const PROFILE = Buffer.from(
  "<flat-profile>\n<Resync_Periodic>3600</Resync_Periodic>\n</flat-profile>\n",
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tftp-workers-"));
  fwPath = join(dir, "fw.bin");
  await writeFile(fwPath, FW);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resolver = async (r: TftpRequest) =>
  r.filename === "fw.bin" ? fileSource(fwPath) : bytesSource(PROFILE);

function withServer<T>(
  extra: Partial<TftpServerOptions>,
  fn: (server: TftpServer, port: number, ends: TftpTransferStats[]) => Promise<T>,
): Promise<T> {
  return withTftpServer({ resolver, workers: 2, ...extra }, fn);
}

const until = (cond: () => boolean, ms = 5000) => untilDone(cond, ms);

describe("server with worker threads (workers: 2)", () => {
  it("serves in-memory and file sources from workers, with stats back on the main thread", async () => {
    await withServer({}, async (server, port, ends) => {
      const starts: number[] = [];
      server.on("transferStart", (i) => starts.push(i.localPort));
      const results = await Promise.all([
        tftpGet("profile.xml", { host: "127.0.0.1", port }),
        tftpGet("fw.bin", { host: "127.0.0.1", port, blksize: 1428, windowsize: 16, tsize: true }),
        tftpGet("fw.bin", { host: "127.0.0.1", port }),
        tftpGet("fw.bin", { host: "127.0.0.1", port, mode: "netascii", blksize: 512 }),
      ]);
      expect(results[0]!.data.equals(PROFILE)).toBe(true);
      for (const r of results.slice(1)) expect(sha256(r.data)).toBe(sha256(FW));
      expect(results[1]!.stats.params.tsize).toBe(FW.length);
      await until(() => ends.length === 4);
      expect(ends.every((e) => e.outcome === "complete")).toBe(true);
      expect(starts.every((p) => p > 0)).toBe(true);
      expect(server.activeTransfers).toBe(0);
    });
  });

  it("a worker transfer answers a wrong source port with ERROR 5 and frees a vanished client", async () => {
    await withServer({ retransmitMs: 20, maxRetries: 2 }, async (server, port, ends) => {
      const rejected: number[] = [];
      server.on("rejected", (r) => rejected.push(r.code ?? -1));
      const a = await rawSocket();
      const b = await rawSocket();
      try {
        a.socket.send(encodeRequest(Opcode.RRQ, "fw.bin", "octet"), port, "127.0.0.1");
        const first = await a.next();
        expect(parsePacket(first!.msg)).toMatchObject({ op: Opcode.DATA, block: 1 });
        b.socket.send(encodeAck(1), first!.rinfo.port, "127.0.0.1");
        expect(parsePacket((await b.next())!.msg)).toMatchObject({ op: Opcode.ERROR, code: 5 });
        await until(() => ends.length === 1);
        expect(ends[0]).toMatchObject({ outcome: "timeout", timeouts: 3 });
        expect(rejected).toContain(5);
        expect(server.activeTransfers).toBe(0);
      } finally {
        a.close();
        b.close();
      }
    });
  });

  it("close aborts worker transfers with an ERROR to the client", async () => {
    const server = new TftpServer({ resolver, port: 0, address: "127.0.0.1", workers: 1 });
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
