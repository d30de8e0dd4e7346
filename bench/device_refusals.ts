/**
 * Refusals about devices under attack (issue 10 re-probe): how the events table grows and how
 * a legitimate device fares while one source floods refusals.
 *
 *   npx tsx bench/device_refusals.ts [--seconds 20] [--scenario no-cert|tftp|device-cert|generic|auto-tftp|auto-net]
 *
 * A fresh SQLite installation in this process, default limits (120 misses per minute per
 * source; auto-create 30 per address, 60 per /24, 300 per node a minute). Tenant `acme`
 * requires client certificates (`/acme/$MA.xml`, its own CA made with openssl), tenant `beta`
 * does not (`/beta/$MA.xml`), tenant `auto` auto-creates (`/auto/$MA.xml`). Scenarios:
 *
 * - `no-cert`: HTTP without a certificate for acme's registered MAC, as fast as one
 *   keep-alive connection goes, for `--seconds`; acme's device resyncs over HTTPS with its
 *   certificate every 100 ms from another address.
 * - `tftp`: the same over raw TFTP RRQs.
 * - `device-cert`: acme's device certificate asking for beta's MACs (3,000 distinct, one
 *   registered) over HTTPS.
 * - `generic`: a generic certificate (`L=ciscogeneric`) from acme's CA asking for beta's
 *   registered MAC and unknown ones, alternately (3,000).
 * - `auto-tftp`: 1,000 RRQs for distinct unknown MACs on the auto-create path from a source
 *   that never completed a transfer.
 * - `auto-net`: 10 addresses of one /24 each try 40 new MACs; then 10 addresses in 10 /24s.
 *
 * Prints one JSON object per scenario.
 */
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pino from "pino";
import { loadServeConfig, startNode } from "../src/server/index.ts";
import { parseMac } from "../src/store/index.ts";
import { issue, makeCa } from "../test/server/openssl_pki.ts";
import { type HttpAnswer, httpFrom, tftpFirstAnswer } from "../test/server/sources.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    scenario: { type: "string", default: "no-cert" },
  },
});
const SECONDS = Number(args.seconds);
const SCENARIO = args.scenario ?? "no-cert";

const dir = mkdtempSync(join(tmpdir(), "provisio-refusal-bench-"));
makeCa(dir, "acme-ca", "/O=Acme/CN=Acme Device CA");
const MAC_A = parseMac("000e08a0a0a0");
const MAC_B = parseMac("000e08b0b0b0");
issue(dir, "a-dev", "acme-ca", { mac: MAC_A });
issue(dir, "generic", "acme-ca", { subject: "/OU=SPA504G/L=ciscogeneric/ST=ciscogeneric" });
const config = loadServeConfig({
  flags: {
    data: join(dir, "data"),
    host: "127.0.0.1",
    httpPort: "0",
    httpsPort: "0",
    adminPort: "off",
    tftpPort: "0",
  },
  env: {},
  cwd: dir,
});
const node = await startNode(config, { logger: pino({ level: "silent" }) });
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
  settings: { profilePaths: ["/beta/$MA.xml"] },
});
await node.store.tenants.create({
  slug: "auto",
  name: "Auto",
  settings: { profilePaths: ["/auto/$MA.xml"], autoCreate: true },
});
await node.store.devices.create({ mac: MAC_A, tenantId: acme.id });
await node.store.devices.create({ mac: MAC_B, tenantId: beta.id });
await node.cache.settled();
const http = `http://127.0.0.1:${node.addresses.http!.port}`;
const https = `https://127.0.0.1:${node.addresses.https!.port}`;
const tftpPort = node.addresses.tftp!.port;
const dbFile = config.database.kind === "sqlite" ? config.database.file : "";

function count(sql: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
const rowsBefore = count("select count(*) as n from events");
const devicesBefore = count("select count(*) as n from devices");

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
        });
        req.on("error", reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}

const answers = new Map<string, number>();
const bump = (key: string | number): void => {
  answers.set(String(key), (answers.get(String(key)) ?? 0) + 1);
};
const mac = (prefix: string, i: number): string =>
  `${prefix}${i.toString(16).padStart(12 - prefix.length, "0")}`;

let legitOk = 0;
let legitTried = 0;
let attacking = true;
async function legitimate(): Promise<void> {
  const device = httpsFrom("127.0.0.1", "a-dev");
  try {
    while (attacking) {
      legitTried++;
      const r = await device.get(`/acme/${MAC_A}.xml`);
      if (r.status === 200) legitOk++;
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    device.close();
  }
}

const started = Date.now();
const legit = legitimate();
const until = started + SECONDS * 1000;
if (SCENARIO === "no-cert") {
  const client = httpFrom("127.0.0.3");
  while (Date.now() < until) bump((await client.get(`${http}/acme/${MAC_A}.xml`)).status);
  client.close();
} else if (SCENARIO === "tftp") {
  while (Date.now() < until) {
    const a = await tftpFirstAnswer("127.0.0.3", tftpPort, `acme/${MAC_A}.xml`);
    bump(a.kind === "error" ? `tftp-error-${a.code}` : "tftp-data");
  }
} else if (SCENARIO === "device-cert" || SCENARIO === "generic") {
  const client = httpsFrom("127.0.0.3", SCENARIO === "generic" ? "generic" : "a-dev");
  for (let i = 0; i < 3000; i++) {
    const target = i % 2 === 0 || SCENARIO === "device-cert" ? mac("000e08b2", i) : MAC_B;
    bump((await client.get(`/beta/${i === 0 ? MAC_B : target}.xml`)).status);
  }
  client.close();
} else if (SCENARIO === "auto-tftp") {
  // Raw RRQs, never acknowledged: a forged source would look the same.
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.3", r));
  for (let i = 0; i < 1000; i++) {
    const a = await tftpFirstAnswer("127.0.0.3", tftpPort, `auto/${mac("000e08c2", i)}.xml`);
    bump(a.kind === "error" ? `tftp-error-${a.code}` : "tftp-data");
  }
  socket.close();
} else if (SCENARIO === "auto-net") {
  for (const [label, address] of [
    ["one /24", (h: number) => `127.0.5.${h + 1}`],
    ["ten /24s", (h: number) => `127.0.${10 + h}.1`],
  ] as const) {
    for (let h = 0; h < 10; h++) {
      const client = httpFrom(address(h));
      for (let i = 0; i < 40; i++) {
        const r = await client.get(`${http}/auto/${mac(`000e08${label.length}${h}`, i)}.xml`);
        bump(`${label} ${r.status}`);
      }
      client.close();
    }
  }
}
attacking = false;
await legit;
const elapsed = (Date.now() - started) / 1000;
await node.close();
console.log(
  JSON.stringify({
    scenario: SCENARIO,
    seconds: Math.round(elapsed * 10) / 10,
    answers: Object.fromEntries(answers),
    eventRowsAdded: count("select count(*) as n from events") - rowsBefore,
    devicesCreated: count("select count(*) as n from devices") - devicesBefore,
    legitimate: { tried: legitTried, ok: legitOk },
  }),
);
