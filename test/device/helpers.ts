/** Real peers for the device tests: a plain node:http static server and tftp-hpa's in.tftpd. */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Device, type DeviceOptions, type VirtualClock } from "../../src/device/index.ts";

export interface Recorded {
  readonly time: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly clientCertSubject?: Record<string, string>;
}

export interface Reply {
  readonly status?: number;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
}

export type Handler = (req: Recorded) => Reply | undefined;

export interface StaticServer {
  readonly port: number;
  readonly base: string;
  readonly requests: Recorded[];
  /** Path (with query) → reply; absent ⇒ 404. */
  readonly files: Map<string, Reply>;
  handler: Handler | undefined;
  close(): Promise<void>;
}

/** A plain static server; `now` stamps each request (the device's virtual clock). */
export async function startStaticServer(
  now: () => number = Date.now,
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean },
): Promise<StaticServer> {
  const requests: Recorded[] = [];
  const files = new Map<string, Reply>();
  const state: { handler: Handler | undefined } = { handler: undefined };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const socket = req.socket as {
        getPeerCertificate?: () => { subject?: Record<string, string> };
      };
      const peer = socket.getPeerCertificate?.();
      const rec: Recorded = {
        time: now(),
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("latin1"),
        ...(peer?.subject === undefined ? {} : { clientCertSubject: { ...peer.subject } }),
      };
      requests.push(rec);
      const reply = state.handler?.(rec) ??
        files.get(rec.url) ?? { status: 404, body: "not found" };
      res.writeHead(reply.status ?? 200, reply.headers ?? { "Content-Type": "text/xml" });
      res.end(reply.body ?? "");
    });
  };
  const server: Server =
    tls === undefined
      ? createServer(listener)
      : createHttpsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            requestCert: tls.requestCert === true,
            rejectUnauthorized: tls.requestCert === true,
          },
          listener,
        );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    requests,
    files,
    get handler() {
      return state.handler;
    },
    set handler(h) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A free UDP port on loopback. */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface Tftpd {
  readonly port: number;
  readonly root: string;
  put(path: string, content: string | Buffer): void;
  close(): Promise<void>;
}

/** tftp-hpa's in.tftpd in the foreground on a loopback high port, serving a temp root. */
export async function startTftpd(options: { allowCreate?: boolean } = {}): Promise<Tftpd> {
  const root = mkdtempSync(join(tmpdir(), "provisio-tftpd-"));
  chmodSync(root, 0o755);
  // The free port is released before in.tftpd binds it, so another test's ephemeral socket can
  // take it meanwhile; in.tftpd then exits (its reason goes to syslog, not stderr): try again.
  let failures = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const started = await spawnTftpd(root, port, options.allowCreate === true);
    if (typeof started === "string") {
      failures += `\n  port ${port}: ${started}`;
      continue;
    }
    const child = started;
    return {
      port,
      root,
      put(path, content) {
        const file = join(root, path);
        mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
        writeFileSync(file, content, { mode: 0o644 });
      },
      close: async () => {
        if (child.exitCode === null) {
          const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
          child.kill("SIGTERM");
          await exited;
        }
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw new RangeError(`in.tftpd did not start:${failures}`);
}

/** Starts in.tftpd and waits until it holds the port; a string says why it did not. */
async function spawnTftpd(
  root: string,
  port: number,
  allowCreate: boolean,
): Promise<ChildProcess | string> {
  const child: ChildProcess = spawn(
    "/usr/sbin/in.tftpd",
    ["-L", ...(allowCreate ? ["-c"] : []), "-s", root, "-a", `127.0.0.1:${port}`, "-u", "root"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  // Wait until the port is taken (bind) or the process dies.
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return `exited (${child.exitCode ?? child.signalCode}) ${stderr.trim()}`;
    }
    const probe = createSocket("udp4");
    const taken = await new Promise<boolean>((resolve) => {
      probe.once("error", () => resolve(true));
      probe.bind(port, "127.0.0.1", () => resolve(false));
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (taken) {
      // Taken by in.tftpd, or by someone else while it was starting: if it then exits, retry.
      await new Promise((r) => setTimeout(r, 30));
      if (child.exitCode !== null || child.signalCode !== null) {
        return `exited (${child.exitCode ?? child.signalCode}) ${stderr.trim()}`;
      }
      return child;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  return "did not bind within 2 s";
}

/** The Appendix B fixture unit on a virtual clock. */
export function fixtureDevice(clock: VirtualClock, options: Partial<DeviceOptions> = {}): Device {
  return new Device({
    mac: "00:0e:08:01:23:45",
    productName: "SPA2102",
    productSeries: "2102",
    serial: "88012BA01234",
    swVersion: "2.0.6(b)",
    hwVersion: "1.88.1",
    clock,
    seed: 7,
    ...options,
  });
}

export const flat = (body: string): string => `<flat-profile>${body}</flat-profile>`;
