/**
 * Issue 10, finding 8: connection exhaustion. Over real sockets: many idle and slow
 * connections and stalled TLS handshakes from one address (127.0.0.1) while a legitimate
 * device on another loopback address (127.0.0.2 — Linux routes all of 127/8) keeps getting
 * its profile with the real curl; connections beyond the per-address and total caps are
 * refused; silent connections and stalled handshakes are closed at their deadlines; the admin
 * listener (the real Fastify app) has the same protections.
 */
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import { loadServeConfig } from "../../src/server/config.ts";
import { clientAddressKey, refusalReporter } from "../../src/server/connection_limit.ts";
import { type ProvisioNode, startNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, type DeviceCertFiles, issueCert, tempDir } from "./helpers.ts";

const DEVICE = parseMac("000e08cc0001");
const ATTACKER = "127.0.0.1";
const DEVICE_ADDRESS = "127.0.0.2";

const nodes: ProvisioNode[] = [];
const sockets: Socket[] = [];

async function startLimitedNode(name: string, env: Record<string, string>): Promise<ProvisioNode> {
  const data = join(tempDir(`limits-${name}`), "data");
  const config = loadServeConfig({
    flags: {
      data,
      host: "127.0.0.1",
      httpPort: "0",
      httpsPort: "0",
      adminPort: "0",
      tftpPort: "off",
    },
    env,
    cwd: data,
  });
  const logger = pino({ level: "silent" });
  const node = await startNode(config, {
    logger,
    issueInitialToken: false,
    createAdmin: (deps) => createAdminApp({ ...deps, logger }),
  });
  nodes.push(node);
  return node;
}

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(nodes.map((n) => n.close()));
});

/** A batch of raw TCP connections from one local address, and what became of them. */
interface Flood {
  /** Connections established (TCP handshake done). */
  connected(): number;
  /** Connections the server closed or reset. */
  closed(): number;
  open(): number;
}

/**
 * Opens `count` connections to `port` from `localAddress`; each sends `first` (if any) once
 * connected, then `drip` every `dripMs` (a slowloris) — or nothing at all.
 */
function flood(
  port: number,
  count: number,
  localAddress: string,
  options: { first?: string | Buffer; drip?: string; dripMs?: number } = {},
): Flood {
  let connected = 0;
  let closed = 0;
  for (let i = 0; i < count; i++) {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    sockets.push(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on("error", () => {});
    socket.on("data", () => {});
    socket.once("connect", () => {
      connected += 1;
      if (options.first !== undefined) socket.write(options.first);
      if (options.drip !== undefined) {
        timer = setInterval(() => socket.write(options.drip!), options.dripMs ?? 500);
      }
    });
    socket.once("close", () => {
      clearInterval(timer);
      closed += 1;
    });
  }
  return { connected: () => connected, closed: () => closed, open: () => connected - closed };
}

/** Polls `done` every 100 ms, at most `limit` times (a generous bound, not a timing claim). */
async function until(done: () => boolean, limit = 150): Promise<void> {
  for (let i = 0; i < limit && !done(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The start of a TLS ClientHello record header that never gets its body. */
const PARTIAL_CLIENT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);

async function provisionDevice(node: ProvisioNode): Promise<void> {
  const { store } = node;
  await store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  await store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  await store.devices.create({ mac: DEVICE, modelPn: "SPA504G" });
  await store.layers.set({ scope: "device", mac: DEVICE }, [
    { name: "Station_Name", value: "lobby-phone", access: "rw" },
  ]);
  await node.cache.settled();
}

describe("per-address and total connection caps", () => {
  let node: ProvisioNode;
  let cert: DeviceCertFiles;
  let http: string;
  let https: string;
  beforeAll(async () => {
    // Deadlines far away: what closes connections here is the cap alone.
    node = await startLimitedNode("caps", {
      PROVISIO_MAX_CONNECTIONS_PER_ADDRESS: "50",
      PROVISIO_ADMIN_MAX_CONNECTIONS_PER_ADDRESS: "20",
      PROVISIO_HEADERS_TIMEOUT_MS: "120000",
      PROVISIO_REQUEST_TIMEOUT_MS: "120000",
      PROVISIO_IDLE_TIMEOUT_MS: "120000",
      PROVISIO_HANDSHAKE_TIMEOUT_MS: "120000",
    });
    await provisionDevice(node);
    http = `http://127.0.0.1:${node.addresses.http!.port}`;
    https = `https://127.0.0.1:${node.addresses.https!.port}`;
    cert = await issueCert(node.config.dataDir, tempDir("limits-cert"), "device", {
      mac: DEVICE,
    });
  });

  it("500 idle HTTP, 300 stalled TLS from one address: 50 each held, the rest refused; a device on another address gets every profile", async () => {
    const fetches: Promise<boolean>[] = [];
    const fetchProfile = (tls: boolean): Promise<boolean> =>
      curl([
        "--interface",
        DEVICE_ADDRESS,
        ...(tls
          ? ["--cacert", node.boot.paths.serverCert, "--cert", cert.cert, "--key", cert.key]
          : []),
        `${tls ? https : http}/profile/${DEVICE}.xml`,
      ]).then(
        (r) => r.status === 200 && r.body.includes("lobby-phone"),
        () => false,
      );
    // The burst: the device fetches while the attacker's connections arrive.
    const idle = flood(node.addresses.http!.port, 250, ATTACKER);
    const slow = flood(node.addresses.http!.port, 250, ATTACKER, {
      first: "GET /profile/000e08cc0001.xml HTTP/1.1\r\n",
      drip: "X-Slow: 1\r\n",
      dripMs: 1000,
    });
    const silentTls = flood(node.addresses.https!.port, 150, ATTACKER);
    const partialTls = flood(node.addresses.https!.port, 150, ATTACKER, {
      first: PARTIAL_CLIENT_HELLO,
    });
    for (let i = 0; i < 10; i++) fetches.push(fetchProfile(i % 2 === 1));
    await until(
      () =>
        idle.closed() + slow.closed() >= 450 &&
        silentTls.closed() + partialTls.closed() >= 250 &&
        idle.connected() + slow.connected() === 500 &&
        silentTls.connected() + partialTls.connected() === 300,
    );
    // Sustained: the attacker holds its 50 + 50 connections; the device keeps resyncing.
    for (let i = 0; i < 30; i++) fetches.push(fetchProfile(i % 2 === 1));
    const results = await Promise.all(fetches);
    const ok = results.filter(Boolean).length;

    expect(idle.connected() + slow.connected()).toBe(500);
    expect(idle.open() + slow.open()).toBe(50);
    expect(silentTls.open() + partialTls.open()).toBe(50);
    const metrics = await node.metrics.registry.metrics();
    expect(metrics).toMatch(
      /provisio_security_events_total\{reason="connection-limit-per-address"\} 700/,
    );
    expect(`${ok}/${results.length} profiles served`).toBe(
      `${results.length}/${results.length} profiles served`,
    );
  });

  it("the admin listener (Fastify) caps connections per address too; another address still gets /healthz", async () => {
    const port = node.addresses.admin!.port;
    const held = flood(port, 100, ATTACKER);
    await until(() => held.connected() === 100 && held.closed() >= 80);
    expect(held.open()).toBe(20);
    const health = await curl(["--interface", DEVICE_ADDRESS, `http://127.0.0.1:${port}/healthz`]);
    expect(health.status).toBe(200);
  });
});

describe("the total cap of a listener", () => {
  it("refuses connections beyond max_connections, whatever their address", async () => {
    const node = await startLimitedNode("total", {
      PROVISIO_MAX_CONNECTIONS: "100",
      PROVISIO_MAX_CONNECTIONS_PER_ADDRESS: "1000",
      PROVISIO_HEADERS_TIMEOUT_MS: "120000",
      PROVISIO_REQUEST_TIMEOUT_MS: "120000",
      PROVISIO_IDLE_TIMEOUT_MS: "120000",
    });
    const port = node.addresses.http!.port;
    const floods = [1, 3, 4].map((n) => flood(port, 50, `127.0.0.${n}`));
    const all = (f: (x: Flood) => number): number => floods.reduce((sum, x) => sum + f(x), 0);
    await until(() => all((f) => f.connected()) === 150 && all((f) => f.closed()) >= 50);
    expect(all((f) => f.open())).toBe(100);
    expect(all((f) => f.closed())).toBe(50);
  });
});

describe("deadlines: silent and slow connections, stalled TLS handshakes", () => {
  let node: ProvisioNode;
  beforeAll(async () => {
    node = await startLimitedNode("deadlines", {
      PROVISIO_HANDSHAKE_TIMEOUT_MS: "1000",
      PROVISIO_HEADERS_TIMEOUT_MS: "1500",
      PROVISIO_IDLE_TIMEOUT_MS: "1500",
    });
  });

  it("TLS connections that never finish the handshake are closed by the server", async () => {
    const silent = flood(node.addresses.https!.port, 10, ATTACKER);
    const partial = flood(node.addresses.https!.port, 10, ATTACKER, {
      first: PARTIAL_CLIENT_HELLO,
    });
    // Bound: ten times the configured handshake timeout (Node's default was 120 s).
    await until(() => silent.closed() + partial.closed() === 20, 100);
    expect(silent.connected() + partial.connected()).toBe(20);
    expect(silent.closed() + partial.closed()).toBe(20);
  });

  it("HTTP connections that send nothing, or drip their headers, are closed by the server", async () => {
    const silent = flood(node.addresses.http!.port, 10, ATTACKER);
    const slowloris = flood(node.addresses.http!.port, 10, ATTACKER, {
      first: "GET /profile/000e08cc0001.xml HTTP/1.1\r\nHost: x\r\n",
      drip: "X-Slow: 1\r\n",
      dripMs: 300,
    });
    await until(() => silent.closed() + slowloris.closed() === 20, 100);
    expect(silent.connected() + slowloris.connected()).toBe(20);
    expect(silent.closed() + slowloris.closed()).toBe(20);
  });

  it("the admin listener closes silent connections too", async () => {
    const silent = flood(node.addresses.admin!.port, 5, ATTACKER);
    await until(() => silent.closed() === 5, 100);
    expect(silent.connected()).toBe(5);
    expect(silent.closed()).toBe(5);
  });
});

describe("configuration", () => {
  it("reads the limits from YAML, environment and defaults", () => {
    const config = loadServeConfig({
      env: { PROVISIO_MAX_CONNECTIONS_PER_ADDRESS: "7", PROVISIO_HANDSHAKE_TIMEOUT_MS: "3000" },
      cwd: tempDir("limits-config"),
    });
    expect(config.limits).toMatchObject({
      maxConnectionsPerAddress: 7,
      handshakeTimeoutMs: 3000,
      maxConnections: 10_000,
      headersTimeoutMs: 10_000,
      idleTimeoutMs: 15_000,
    });
    expect(config.adminLimits).toEqual({
      maxConnections: 1_000,
      maxConnectionsPerAddress: 64,
      requestTimeoutMs: 300_000,
    });
    expect(() =>
      loadServeConfig({ env: { PROVISIO_MAX_CONNECTIONS: "0" }, cwd: tempDir("limits-config") }),
    ).toThrow(/PROVISIO_MAX_CONNECTIONS: expected an integer between 1 and 1000000/);
  });
});

describe("client address keys", () => {
  it("IPv4 addresses count alone, IPv4-mapped IPv6 as IPv4, IPv6 by /64", () => {
    expect(clientAddressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(clientAddressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientAddressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientAddressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(clientAddressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(clientAddressKey("::1")).toBe("0:0:0:0::/64");
    expect(clientAddressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientAddressKey(undefined)).toBe("unknown");
  });

  it("any IPv6 address, written in full or compressed, counts under its first 64 bits", () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16).padStart(4, "0")).join(":");
        // The WHATWG URL parser writes the canonical, compressed form (`::`, no zeros).
        const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
        const key = clientAddressKey(compressed);
        expect(clientAddressKey(full)).toBe(key);
        const mapped = groups.slice(0, 6).every((g, i) => g === (i === 5 ? 0xffff : 0));
        expect(key).toBe(
          mapped
            ? `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`
            : `${groups
                .slice(0, 4)
                .map((g) => g.toString(16))
                .join(":")}::/64`,
        );
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("refusal reports", () => {
  it("count every refusal but log the first and then one line per interval with the sum", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const counted: string[] = [];
    let t = 0;
    const report = refusalReporter("http", logger, (reason) => counted.push(reason), {
      intervalMs: 10_000,
      now: () => t,
    });
    for (let i = 0; i < 1000; i++) {
      t = i * 15; // 1,000 refusals over 15 s
      report("per-address", "192.0.2.7");
    }
    report("total", "192.0.2.8");
    expect(counted.length).toBe(1001);
    expect(lines.map((l) => [l.security, l.refused])).toEqual([
      ["connection-limit", 1],
      ["connection-limit", 667],
    ]);
    expect(lines[0]).toMatchObject({ listener: "http", remoteAddress: "192.0.2.7" });
  });
});
