/**
 * Unknown device vs another tenant's device: the answer is the same; how far apart is the
 * time to produce it? Drives the resync pipeline directly (no sockets), warm caches,
 * alternating the two kinds of request, throttling off.
 *
 *   npx tsx bench/miss_timing.ts [--rounds 20000]
 *
 * Prints the median and p90 in microseconds for each kind.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { loadServeConfig, startNode } from "../src/server/index.ts";
import { parseMac } from "../src/store/index.ts";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "20000" } } });
const ROUNDS = Number(args.rounds);
const dir = mkdtempSync(join(tmpdir(), "provisio-miss-timing-"));
const config = loadServeConfig({
  flags: {
    data: join(dir, "data"),
    host: "127.0.0.1",
    httpPort: "off",
    httpsPort: "off",
    adminPort: "off",
    tftpPort: "off",
  },
  env: { PROVISIO_MISSES_PER_MINUTE: "0" },
  cwd: dir,
});
const node = await startNode(config, { logger: pino({ level: "silent" }) });
const other = await node.store.tenants.create({
  slug: "other",
  name: "Other",
  settings: { profilePaths: ["/other/$MA.xml"] },
});
const FOREIGN = parseMac("000e08c0ff00");
await node.store.devices.create({ mac: FOREIGN, tenantId: other.id });
await node.cache.settled();

const unknownPaths = Array.from(
  { length: 64 },
  (_, i) => `/profile/000e08ee${(0x1000 + i).toString(16)}.xml`,
);
const ask = async (path: string): Promise<number> => {
  const t = process.hrtime.bigint();
  await node.pipeline.handle({
    transport: "http",
    method: "GET",
    path,
    query: "",
    remoteAddress: "127.0.0.1",
  });
  return Number(process.hrtime.bigint() - t) / 1000;
};
// Warm both (the unknown MACs' negative entries, the foreign device's record).
for (const p of unknownPaths) await ask(p);
await ask(`/profile/${FOREIGN}.xml`);
const unknown: number[] = [];
const foreign: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  unknown.push(await ask(unknownPaths[i % unknownPaths.length]!));
  foreign.push(await ask(`/profile/${FOREIGN}.xml`));
}
await node.close();
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.floor(q * (s.length - 1))]! * 10) / 10;
  return { p50: at(0.5), p90: at(0.9) };
};
console.log(
  JSON.stringify({ rounds: ROUNDS, unknownUs: stats(unknown), foreignUs: stats(foreign) }),
);
