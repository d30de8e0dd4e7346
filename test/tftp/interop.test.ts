/**
 * Interop with Debian's real clients: `tftp` (tftp-hpa: plain RFC 1350, no options) and
 * `atftp` (blksize, windowsize, tsize, timeout). Real sockets on 127.0.0.1.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bytesSource,
  errorSource,
  staticRootResolver,
  type TftpRequest,
  TftpServer,
  type TftpTransferStats,
} from "../../src/tftp/index.ts";
import { sha256 } from "./helpers.ts";

const run = promisify(execFile);
const haveClients = existsSync("/usr/bin/tftp") && existsSync("/usr/bin/atftp");

let dir: string;
let root: string;
let firmware: Buffer;
let server: TftpServer;
let port: number;
const ends: TftpTransferStats[] = [];
const uploads = new Map<string, Buffer>();
const staticFiles = () => staticRootResolver(root);

/** A "dynamic profile": rendered per request from the MAC in the file name. */
function renderProfile(filename: string): Buffer {
  const mac = /([0-9a-f]{12})/i.exec(filename)?.[1]?.toLowerCase() ?? "unknown";
  const lines = [
    "<flat-profile>",
    `  <Station_Name ua="ro">spa-${mac}</Station_Name>`,
    `  <Profile_Rule ua="na">http://prov.example.com/spa/${mac}.xml</Profile_Rule>`,
    ...Array.from(
      { length: 300 },
      (_, i) => `  <Speed_Dial_${i} ua="rw">${i * 7919}</Speed_Dial_${i}>`,
    ),
    "</flat-profile>",
    "",
  ];
  return Buffer.from(lines.join("\n"));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tftp-interop-"));
  root = join(dir, "root");
  await run("mkdir", ["-p", root]);
  firmware = randomBytes(32 * 1024 * 1024);
  await writeFile(join(root, "firmware.bin"), firmware);
  const files = staticFiles();
  server = new TftpServer({
    port: 0,
    address: "127.0.0.1",
    resolver: async (r: TftpRequest) => {
      if (r.filename.endsWith(".xml")) return bytesSource(renderProfile(r.filename));
      if (r.filename.startsWith("/ro/")) return errorSource(2, "read only");
      return files(r);
    },
    upload: async (r) =>
      r.filename.startsWith("reports/")
        ? { kind: "accept", onComplete: (d) => void uploads.set(r.filename, d) }
        : { kind: "error", code: 2, message: "Uploads only under reports/" },
  });
  server.on("transferEnd", (s) => ends.push(s));
  port = (await server.listen()).port;
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function tftpHpa(args: string[]): Promise<string> {
  const r = await run("tftp", ["127.0.0.1", String(port), ...args], { timeout: 60_000 });
  return r.stdout + r.stderr;
}

async function atftp(options: string[], remote: string, local: string, put = false) {
  const args = [
    ...options.flatMap((o) => ["--option", o]),
    put ? "-p" : "-g",
    "-r",
    remote,
    "-l",
    local,
    "127.0.0.1",
    String(port),
  ];
  return run("atftp", args, { timeout: 60_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      out: `${e.stdout}${e.stderr}`,
    }),
  );
}

const lastEnd = (filename: string) => [...ends].reverse().find((e) => e.filename === filename);

describe.skipIf(!haveClients)("interop: Debian tftp-hpa and atftp clients", () => {
  it("tftp-hpa (RFC 1350, 512-byte lock-step): dynamic profile and 32 MiB firmware arrive byte-identical", async () => {
    const prof = join(dir, "hpa-profile.xml");
    await tftpHpa(["-m", "binary", "-c", "get", "/spa0011223344aa.xml", prof]);
    expect(sha256(await readFile(prof))).toBe(sha256(renderProfile("spa0011223344aa.xml")));
    const fw = join(dir, "hpa-firmware.bin");
    const out = await tftpHpa(["-v", "-m", "binary", "-c", "get", "firmware.bin", fw]);
    expect(out).toMatch(/Received 33554432 bytes/);
    expect(sha256(await readFile(fw))).toBe(sha256(firmware));
    await rm(fw);
    const st = lastEnd("firmware.bin")!;
    expect(st).toMatchObject({ outcome: "complete", bytes: 32 * 1024 * 1024, blocks: 65537 });
    expect(st.params).toMatchObject({ blksize: 512, windowsize: 1 });
  }, 120_000);

  it("tftp-hpa netascii mode gets the profile back with LF line ends", async () => {
    const prof = join(dir, "hpa-ascii.xml");
    await tftpHpa(["-m", "netascii", "-c", "get", "spa0011223344bb.xml", prof]);
    expect((await readFile(prof)).equals(renderProfile("spa0011223344bb.xml"))).toBe(true);
  });

  it("tftp-hpa: traversal and refusals come back as TFTP errors", async () => {
    expect(
      await tftpHpa(["-m", "binary", "-c", "get", "../../../etc/passwd", join(dir, "x1")]),
    ).toMatch(/Error code 2: Access violation/);
    expect(
      await tftpHpa(["-m", "binary", "-c", "get", "nothing-here.bin", join(dir, "x2")]),
    ).toMatch(/Error code 1: File not found/);
    expect(
      await tftpHpa(["-m", "binary", "-c", "put", join(root, "firmware.bin"), "firmware.bin"]),
    ).toMatch(/Error code 2: Uploads only under reports/);
  });

  it("atftp with blksize 1428 + windowsize 16 + tsize + timeout 2: profile and 32 MiB firmware byte-identical", async () => {
    const opts = ["blksize 1428", "windowsize 16", "tsize", "timeout 2"];
    const prof = join(dir, "at-profile.xml");
    expect((await atftp(opts, "spa0011223344cc.xml", prof)).code).toBe(0);
    expect(sha256(await readFile(prof))).toBe(sha256(renderProfile("spa0011223344cc.xml")));
    const fw = join(dir, "at-firmware.bin");
    const r = await atftp(opts, "firmware.bin", fw);
    expect(r.code).toBe(0);
    expect(sha256(await readFile(fw))).toBe(sha256(firmware));
    await rm(fw);
    const st = lastEnd("firmware.bin")!;
    expect(st.outcome).toBe("complete");
    expect(st.params).toEqual({
      blksize: 1428,
      windowsize: 16,
      timeoutMs: 2000,
      tsize: 32 * 1024 * 1024,
    });
    expect(st.oack.map(([k]) => k).sort()).toEqual(["blksize", "timeout", "tsize", "windowsize"]);
  }, 120_000);

  it.each([
    ["blksize 1428"],
    ["windowsize 16"],
    ["tsize"],
    ["timeout 2"],
    ["blksize 8"],
    ["blksize 65464"],
  ])(
    "atftp --option %j alone: profile byte-identical and the option is acknowledged (blksize 8: declined)",
    async (opt) => {
      const name = `spa00112233${(opt.length + 16).toString(16).padStart(4, "0")}.xml`;
      const out = join(dir, `at-${opt.replace(" ", "-")}.xml`);
      const r = await atftp([opt], name, out);
      expect(r.code).toBe(0);
      expect(sha256(await readFile(out))).toBe(sha256(renderProfile(name)));
      const st = lastEnd(name)!;
      // Below the server's floor (512) blksize is declined and the transfer runs at 512.
      const declined = opt === "blksize 8";
      expect(st.oack.map(([k]) => k)).toEqual(declined ? [] : [opt.split(" ")[0]]);
      if (declined) expect(st.params.blksize).toBe(512);
    },
  );

  it("atftp uploads (WRQ) into the upload area, and is refused elsewhere", async () => {
    const local = join(dir, "report.xml");
    const body = renderProfile("report");
    await writeFile(local, body);
    const ok = await atftp(
      ["blksize 1428", "windowsize 8", "tsize"],
      "reports/0011223344dd.xml",
      local,
      true,
    );
    expect(ok.code).toBe(0);
    const deadline = Date.now() + 2000;
    while (!uploads.has("reports/0011223344dd.xml") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(uploads.get("reports/0011223344dd.xml")?.equals(body)).toBe(true);
    const refused = await atftp([], "elsewhere.xml", local, true);
    expect(refused.out).toMatch(/Uploads only under reports/);
  });

  it("atftp: a traversal attempt is an access violation", async () => {
    const r = await atftp(["tsize"], "../../etc/passwd", join(dir, "x3"));
    expect(r.out).toMatch(/Access violation/);
    expect(lastEnd("../../etc/passwd")).toBeUndefined();
  });
});
