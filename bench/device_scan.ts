/**
 * Scan resistance: one source sends 100,000 misses (unknown MACs) over a minute while a
 * legitimate device elsewhere resyncs; how many were throttled, how many rows the events
 * table grew by, how many scans were logged, and the legitimate device's success rate.
 *
 *   npx tsx bench/device_scan.ts [--misses 100000] [--seconds 60] [--connections 4] [--transport http|tftp]
 *
 * The server runs in this process on a fresh SQLite installation (defaults: 120 misses per
 * minute per source). The attacker speaks from 127.0.0.3 (HTTP keep-alive, or raw TFTP RRQs),
 * paced to spread the misses over `--seconds`; the legitimate device fetches its profile from
 * 127.0.0.1 every 100 ms. Prints one JSON object.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pino from "pino";
import { loadServeConfig, startNode } from "../src/server/index.ts";
import { parseMac } from "../src/store/index.ts";
import { httpFrom, tftpFirstAnswer } from "../test/server/sources.ts";

const { values: args } = parseArgs({
  options: {
    misses: { type: "string", default: "100000" },
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "4" },
    transport: { type: "string", default: "http" },
  },
});
const MISSES = Number(args.misses);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const TFTP = args.transport === "tftp";

const dir = mkdtempSync(join(tmpdir(), "provisio-scan-bench-"));
const config = loadServeConfig({
  flags: {
    data: join(dir, "data"),
    host: "127.0.0.1",
    httpPort: "0",
    httpsPort: "off",
    adminPort: "off",
    tftpPort: TFTP ? "0" : "off",
  },
  env: {},
  cwd: dir,
});
const node = await startNode(config, { logger: pino({ level: "silent" }) });
const LEGIT = parseMac("000e08c0ffee");
await node.store.devices.create({ mac: LEGIT });
const http = `http://127.0.0.1:${node.addresses.http!.port}`;
const dbFile = config.database.kind === "sqlite" ? config.database.file : "";
const rowsBefore = count();

function count(): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const statuses = new Map<string, number>();
const bump = (key: string): void => {
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
};
const started = Date.now();
let sent = 0;

async function attacker(): Promise<void> {
  const client = TFTP ? undefined : httpFrom("127.0.0.3");
  try {
    while (sent < MISSES) {
      const i = sent++;
      // Pace: the i-th miss is due at i / MISSES of the run.
      const due = started + (i / MISSES) * SECONDS * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const mac = `000e08${(0x100000 + i).toString(16)}`;
      if (client !== undefined) {
        bump(String((await client.get(`${http}/profile/${mac}.xml`)).status));
      } else {
        const a = await tftpFirstAnswer(
          "127.0.0.3",
          node.addresses.tftp!.port,
          `profile/${mac}.xml`,
        );
        bump(a.kind === "error" ? `tftp-error-${a.code}` : "tftp-data");
      }
    }
  } finally {
    client?.close();
  }
}

let legitOk = 0;
let legitTried = 0;
let attacking = true;
async function legitimate(): Promise<void> {
  const client = httpFrom("127.0.0.1");
  try {
    while (attacking) {
      legitTried++;
      const r = await client.get(`${http}/profile/${LEGIT}.xml`);
      if (r.status === 200) legitOk++;
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    client.close();
  }
}

const legit = legitimate();
await Promise.all(Array.from({ length: CONNECTIONS }, attacker));
attacking = false;
await legit;
const elapsed = (Date.now() - started) / 1000;
await node.close();
const metrics = await node.metrics.registry.metrics();
const scans = Number(/^provisio_scans_total (\d+)/m.exec(metrics)?.[1] ?? 0);
console.log(
  JSON.stringify(
    {
      transport: TFTP ? "tftp" : "http",
      misses: MISSES,
      seconds: Math.round(elapsed * 10) / 10,
      answers: Object.fromEntries(statuses),
      eventRowsAdded: count() - rowsBefore,
      scans,
      legitimate: {
        tried: legitTried,
        ok: legitOk,
        rate: legitTried === 0 ? 0 : legitOk / legitTried,
      },
    },
    null,
    2,
  ),
);
