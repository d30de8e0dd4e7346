/**
 * Refusals about devices, over real sockets (issue 10, black-box re-probe, findings 7, 9, 10):
 *
 * - a certificate-only tenant's path without a device certificate answers the same for every
 *   MAC, before any lookup (HTTP and TFTP);
 * - a device of a tenant that does not trust the presented certificate's CA, or a request
 *   naming another device with a device certificate, is answered exactly as an unknown one;
 * - every refusal uses up the source's miss budget (device certificates included) and the
 *   events table grows by a bounded number of rows per source, whatever the MACs;
 * - over TFTP, a source that never completed a transfer (possibly forged) creates no device;
 *   auto-create budgets per /24 as well as per address.
 *
 * Certificates are made with the real openssl; HTTPS with client certificates, plain HTTP and
 * raw UDP TFTP speak from chosen loopback addresses.
 */
import { createSocket } from "node:dgram";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "./helpers.ts";
import { issue, makeCa } from "./openssl_pki.ts";
import { type HttpAnswer, httpFrom, tftpFirstAnswer } from "./sources.ts";

/** Misses (refusals) a source may make per minute on this node. */
const BUDGET = 20;
const MAC_A = parseMac("000e08a0a0a0");
const MAC_B = parseMac("000e08b0b0b0");
const MAC_NEW_A = parseMac("000e08f0f0a1");
const MAC_NEW_B = parseMac("000e08f0f0b1");
const measure = process.env.PROVISIO_MEASURE === "1";

/**
 * The miss budget is BUDGET per one-minute window: a flood that a loaded machine stretches over
 * more than a minute is allowed BUDGET in each window it spans (+1 for the request that finds
 * the budget spent as the window turns).
 */
function allowedMisses(startedAt: number): number {
  const windows = Math.floor((Date.now() - startedAt) / 60_000) + 1;
  return windows * (BUDGET + 1);
}
let dir: string;
let node: ProvisioNode;
let http: string;
let https: string;
let tftpPort: number;
let dbFile: string;

beforeAll(async () => {
  dir = tempDir("refusals");
  makeCa(dir, "acme-ca", "/O=Acme/CN=Acme Device CA");
  issue(dir, "a-dev", "acme-ca", { mac: MAC_A });
  issue(dir, "generic", "acme-ca", { subject: "/OU=SPA504G/L=ciscogeneric/ST=ciscogeneric" });
  makeCa(dir, "beta-ca", "/O=Beta/CN=Beta Device CA");
  issue(dir, "b-new", "beta-ca", { mac: MAC_NEW_B });
  issue(dir, "a-new", "acme-ca", { mac: MAC_NEW_A });
  node = await startTestNode(
    join(dir, "data"),
    { tftpPort: "0" },
    {},
    { PROVISIO_MISSES_PER_MINUTE: String(BUDGET) },
  );
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  https = `https://127.0.0.1:${node.addresses.https!.port}`;
  tftpPort = node.addresses.tftp!.port;
  dbFile = node.config.database.kind === "sqlite" ? node.config.database.file : "";
  writeFileSync(join(node.config.filesDir, "fw.bin"), Buffer.alloc(1500, 7));
  const acme = await node.store.tenants.create({
    slug: "acme",
    name: "Acme",
    settings: {
      profilePaths: ["/acme/$MA.xml"],
      requireClientCert: true,
      trustedClientCas: [readFileSync(join(dir, "acme-ca.crt"), "utf8")],
    },
  });
  const beta = await node.store.tenants.create({
    slug: "beta",
    name: "Beta",
    settings: {
      profilePaths: ["/beta/$MA.xml"],
      trustedClientCas: [readFileSync(join(dir, "beta-ca.crt"), "utf8")],
    },
  });
  await node.store.tenants.create({
    slug: "vault",
    name: "Vault",
    settings: {
      profilePaths: ["/vault/$MA.xml"],
      requireClientCert: true,
      autoCreate: true,
      trustedClientCas: [readFileSync(join(dir, "acme-ca.crt"), "utf8")],
    },
  });
  await node.store.tenants.create({
    slug: "auto",
    name: "Auto",
    settings: { profilePaths: ["/auto/$MA.xml"], autoCreate: true },
  });
  await node.store.devices.create({ mac: MAC_A, tenantId: acme.id });
  await node.store.layers.set({ scope: "device", mac: MAC_A }, [
    { name: "Password_1_", value: "A-SECRET", access: "na" },
  ]);
  await node.store.devices.create({ mac: MAC_B, tenantId: beta.id });
  await node.cache.settled();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

const mac = (prefix: string, i: number): string =>
  `${prefix}${i.toString(16).padStart(12 - prefix.length, "0")}`;

/** A keep-alive HTTPS client from `localAddress` presenting `cert` (a name in `dir`). */
function httpsFrom(localAddress: string, cert: string) {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 1,
    localAddress,
    cert: readFileSync(join(dir, `${cert}.crt`)),
    key: readFileSync(join(dir, `${cert}.key`)),
    ca: readFileSync(node.boot.paths.serverCert),
  });
  return {
    get(path: string): Promise<HttpAnswer> {
      return new Promise((resolve, reject) => {
        const req = request(`${https}${path}`, { agent, localAddress }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("latin1"),
            }),
          );
          res.on("error", reject);
        });
        req.on("error", reject);
        req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${path}`)));
        req.end();
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}

/** A whole TFTP read from `localAddress`, every block acknowledged (raw UDP). */
function tftpFullGet(localAddress: string, filename: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const blocks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`TFTP read of ${filename} did not finish`));
    }, 10_000);
    socket.on("message", (msg, rinfo) => {
      const opcode = msg.readUInt16BE(0);
      if (opcode === 5) {
        clearTimeout(timer);
        socket.close();
        reject(new Error(`TFTP error ${msg.readUInt16BE(2)}`));
        return;
      }
      if (opcode !== 3) return;
      const block = msg.readUInt16BE(2);
      if (block === blocks.length + 1) blocks.push(msg.subarray(4));
      socket.send(Buffer.from([0, 4, msg[2]!, msg[3]!]), rinfo.port, rinfo.address);
      if (msg.length < 516) {
        clearTimeout(timer);
        setImmediate(() => socket.close());
        resolve(Buffer.concat(blocks));
      }
    });
    socket.bind(0, localAddress, () => {
      socket.send(Buffer.from(`\0\u0001${filename}\0octet\0`, "latin1"), tftpPort, "127.0.0.1");
    });
  });
}

const withoutDate = (h: Record<string, unknown>): Record<string, unknown> => {
  const { date: _date, ...rest } = h;
  return rest;
};

function eventRows(where: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from events where ${where}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("a certificate-only tenant's path without a device certificate", () => {
  it("answers a registered and an unknown MAC alike over HTTP and TFTP (no oracle)", async () => {
    const client = httpFrom("127.0.0.21");
    try {
      const registered = await client.get(`${http}/acme/${MAC_A}.xml`);
      const unknown = await client.get(`${http}/acme/${mac("000e08a1", 1)}.xml`);
      expect(registered.status).toBe(403);
      expect(unknown.status).toBe(registered.status);
      expect(unknown.body).toBe(registered.body);
      expect(withoutDate(unknown.headers)).toEqual(withoutDate(registered.headers));
    } finally {
      client.close();
    }
    const generic = httpsFrom("127.0.0.21", "generic");
    try {
      const registered = await generic.get(`/acme/${MAC_A}.xml`);
      const unknown = await generic.get(`/acme/${mac("000e08a1", 2)}.xml`);
      expect(registered.status).toBe(403);
      expect(unknown.body).toBe(registered.body);
    } finally {
      generic.close();
    }
    const registeredTftp = await tftpFirstAnswer("127.0.0.21", tftpPort, `acme/${MAC_A}.xml`);
    const unknownTftp = await tftpFirstAnswer(
      "127.0.0.21",
      tftpPort,
      `acme/${mac("000e08a1", 3)}.xml`,
    );
    expect(registeredTftp).toMatchObject({ kind: "error", code: 2 });
    expect(unknownTftp).toEqual(registeredTftp);
  });

  it("throttles a flood for a registered MAC (HTTP and TFTP); the device with its certificate keeps 200", async () => {
    const attacker = httpFrom("127.0.0.22");
    const device = httpsFrom("127.0.0.1", "a-dev");
    const ATTACK = 10 * BUDGET;
    const statuses = new Map<number, number>();
    let legitOk = 0;
    let legitTried = 0;
    const startedAt = Date.now();
    try {
      for (let i = 0; i < ATTACK; i++) {
        const r = await attacker.get(`${http}/acme/${MAC_A}.xml`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (i % 10 === 0) {
          legitTried++;
          const ok = await device.get(`/acme/${MAC_A}.xml`);
          if (ok.status === 200 && ok.body.includes("A-SECRET")) legitOk++;
        }
      }
    } finally {
      attacker.close();
      device.close();
    }
    if (measure)
      console.info("no-cert flood, registered MAC, HTTP:", statuses, legitOk, legitTried);
    expect(legitOk).toBe(legitTried);
    const allowed = allowedMisses(startedAt);
    expect(statuses.get(403) ?? 0).toBeLessThanOrEqual(allowed);
    expect(statuses.get(429) ?? 0).toBeGreaterThanOrEqual(ATTACK - allowed);

    const answers: string[] = [];
    for (let i = 0; i < 3 * BUDGET; i++) {
      const a = await tftpFirstAnswer("127.0.0.23", tftpPort, `acme/${MAC_A}.xml`);
      answers.push(a.kind === "error" ? `${a.code}:${a.message}` : "data");
    }
    if (measure)
      console.info("no-cert flood, registered MAC, TFTP:", answers.at(0), answers.at(-1));
    expect(answers[0]).toMatch(/^2:/);
    expect(answers.at(-1)).toMatch(/too many requests/);
  });
});

describe("a device certificate or a generic one naming another tenant's devices", () => {
  it("gets the unknown device's answer (status, body, headers), generic or device certificate", async () => {
    for (const [from, cert] of [
      ["127.0.0.25", "generic"],
      ["127.0.0.26", "a-dev"],
    ] as const) {
      const client = httpsFrom(from, cert);
      try {
        const foreign = await client.get(`/beta/${MAC_B}.xml`);
        const unknown = await client.get(`/beta/${mac("000e08b1", 1)}.xml`);
        expect(foreign.status, cert).toBe(404);
        expect(foreign.body).toBe(unknown.body);
        expect(withoutDate(foreign.headers)).toEqual(withoutDate(unknown.headers));
      } finally {
        client.close();
      }
    }
    const metrics = await node.metrics.registry.metrics();
    expect(metrics).toMatch(
      /provisio_security_events_total\{reason="certificate-untrusted"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /provisio_security_events_total\{reason="certificate-mismatch"\} [1-9]/,
    );
  });

  it("uses up the source's budget: a trusted device certificate asking for many MACs is throttled", async () => {
    const client = httpsFrom("127.0.0.24", "a-dev");
    const ATTACK = 10 * BUDGET;
    const statuses = new Map<number, number>();
    const startedAt = Date.now();
    try {
      for (let i = 0; i < ATTACK; i++) {
        const target = i % 2 === 0 ? MAC_B : mac("000e08b2", i);
        const r = await client.get(`/beta/${target}.xml`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    } finally {
      client.close();
    }
    if (measure) console.info("device cert, other MACs:", statuses);
    expect(statuses.get(403) ?? 0).toBe(0);
    const allowed = allowedMisses(startedAt);
    expect(statuses.get(404) ?? 0).toBeLessThanOrEqual(allowed);
    expect(statuses.get(429) ?? 0).toBeGreaterThanOrEqual(ATTACK - allowed);
  });
});

describe("auto-create", () => {
  it("creates nothing from a TFTP request whose source never completed a transfer", async () => {
    const fresh = parseMac("000e08c1c1c1");
    const forged = await tftpFirstAnswer("127.0.0.27", tftpPort, `auto/${fresh}.xml`);
    expect(forged).toMatchObject({ kind: "error", code: 1 });
    expect(await node.store.devices.findByMac(fresh)).toBeNull();
    // Once the source has received a whole file (firmware, the generic file), it is there.
    expect((await tftpFullGet("127.0.0.27", "fw.bin")).length).toBe(1500);
    const profile = await tftpFullGet("127.0.0.27", `auto/${fresh}.xml`);
    expect(profile.toString("latin1")).toContain("flat-profile");
    expect(await node.store.devices.findByMac(fresh)).toMatchObject({ state: "factory" });
  });

  it("on a certificate-only tenant, only for a device certificate that tenant trusts", async () => {
    const foreign = httpsFrom("127.0.0.28", "b-new");
    try {
      expect((await foreign.get(`/vault/${MAC_NEW_B}.xml`)).status).toBe(404);
    } finally {
      foreign.close();
    }
    expect(await node.store.devices.findByMac(MAC_NEW_B)).toBeNull();
    const own = httpsFrom("127.0.0.28", "a-new");
    try {
      expect((await own.get(`/vault/${MAC_NEW_A}.xml`)).status).toBe(200);
    } finally {
      own.close();
    }
    expect(await node.store.devices.findByMac(MAC_NEW_A)).toMatchObject({ state: "factory" });
  });

  it("budgets per /24: three addresses of one network create 60, another network still creates", async () => {
    let created = 0;
    for (const host of [1, 2, 3]) {
      const client = httpFrom(`127.0.3.${host}`);
      try {
        for (let i = 0; i < 30; i++) {
          const r = await client.get(`${http}/auto/${mac(`000e08d${host}`, i)}.xml`);
          if (r.status === 200) created++;
          else expect(r.status).toBe(429);
        }
      } finally {
        client.close();
      }
    }
    if (measure) console.info("auto-create from 3 addresses of one /24:", created);
    expect(created).toBe(60);
    const elsewhere = httpFrom("127.0.4.1");
    try {
      expect((await elsewhere.get(`${http}/auto/${mac("000e08e1", 1)}.xml`)).status).toBe(200);
    } finally {
      elsewhere.close();
    }
  });
});

describe("the events table under these floods", () => {
  it("grows by a bounded number of rows per source, and keeps the real reason", async () => {
    await node.close();
    const rows = (source: string): number => eventRows(`remote_address = '${source}'`);
    const counts = {
      noCertHttp: rows("127.0.0.22"),
      noCertTftp: rows("127.0.0.23"),
      deviceCertOtherMacs: rows("127.0.0.24"),
      oracleProbes: rows("127.0.0.21"),
    };
    if (measure) console.info("event rows per source:", counts);
    // 200 HTTP and 60 TFTP requests for one MAC, 200 for 101 MACs: a few rows each
    // (aggregates per status, tenant and reason, plus the scan).
    expect(counts.noCertHttp).toBeLessThanOrEqual(4);
    expect(counts.noCertTftp).toBeLessThanOrEqual(4);
    expect(counts.deviceCertOtherMacs).toBeLessThanOrEqual(6);
    expect(
      eventRows(
        "remote_address = '127.0.0.25' and message like '%not issued by a CA this tenant trusts%'",
      ),
    ).toBe(1);
    expect(
      eventRows("remote_address = '127.0.0.26' and message like '%belongs to another device%'"),
    ).toBe(1);
  });
});
