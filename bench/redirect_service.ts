/**
 * The redirect service's hot path next to a provider's warm profile, in the same run, same
 * process, same load generator:
 *
 *   npx tsx bench/redirect_service.ts [--units 10000] [--duration 5] [--connections 32] [--rounds 3]
 *
 * Scenario: one `role: both` node on SQLite, in this process, one device-plane process (no
 * workers); N MACs registered to one provider's redirect profile and N other devices with
 * their own profile (a 4-parameter tenant layer); every path fetched once first (warm: the
 * redirect answers from its cache, the profiles are rendered, every unit already pending).
 * Then `wrk -t1 -cC` for D seconds on each of: a registered unit's redirect profile (random
 * MAC), an unknown MAC's empty answer (random MAC; a miss each, so the miss budget is off
 * here), a device's own warm profile (random MAC). Prints requests/s, p99 and the ratio to
 * the warm profile, with the load average; the cases alternate for R rounds and the median
 * round of each is printed (a shared machine's load moves between runs). It asserts nothing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { loadServeConfig, startNode } from "../src/server/index.ts";
import { type MacAddress, parseMac } from "../src/store/index.ts";

const { values: args } = parseArgs({
  options: {
    units: { type: "string", default: "10000" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
  },
});
const units = Number(args.units);
const mac = (prefix: string, n: number): MacAddress =>
  parseMac(`${prefix}${n.toString(16).padStart(10, "0")}`);

const dir = mkdtempSync(join(tmpdir(), "provisio-bench-rc-"));
const config = loadServeConfig({
  flags: {
    data: join(dir, "data"),
    host: "127.0.0.1",
    httpPort: "0",
    httpsPort: "off",
    adminPort: "off",
    tftpPort: "off",
    role: "both",
  },
  env: { PROVISIO_MISSES_PER_MINUTE: "0", PROVISIO_LOG_ACCESS: "false", PROVISIO_WORKERS: "1" },
  cwd: dir,
});
const node = await startNode(config, {
  logger: pino({ level: "silent" }),
  issueInitialToken: false,
});
const base = `http://127.0.0.1:${node.addresses.http!.port}`;
const { store } = node;
const acme = await store.tenants.create({
  slug: "acme",
  name: "Acme",
  settings: { profilePaths: ["/acme/$MA.xml"] },
});
await store.layers.set({ scope: "tenant", tenantId: acme.id }, [
  { name: "Resync_Periodic", value: "3600", access: "na" },
  { name: "Proxy_1_", value: "sip.acme.example", access: "na" },
  { name: "Voice_Mail_Number", value: "*98", access: "rw" },
  { name: "Station_Name", value: "{{ device.mac }}", access: "rw" },
]);
await store.redirects.setProfile({
  tenantId: acme.id,
  name: "default",
  restrictedDomains: ["acme.example"],
  primaryDns: "192.0.2.53",
  resyncPeriodic: 30,
  resyncErrorRetryDelay: 30,
  profileRule: "https://prov.acme.example/acme/$MA.xml",
});
const registered = Array.from({ length: units }, (_, i) => mac("0a", i));
await store.redirects.register(acme.id, "default", registered);
await store.devices.bulkUpsert(
  Array.from({ length: units }, (_, i) => ({ mac: mac("0b", i), tenantId: acme.id })),
);
await node.cache.settled();

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const get = (path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    request(`${base}${path}`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    })
      .on("error", reject)
      .end();
  });
// Warm: every path once (redirects marked pending, profiles rendered).
for (let i = 0; i < units; i += 16) {
  await Promise.all(
    Array.from({ length: Math.min(16, units - i) }, (_, k) =>
      Promise.all([get(`/rc/${mac("0a", i + k)}.xml`), get(`/acme/${mac("0b", i + k)}.xml`)]),
    ),
  );
}
agent.destroy();
await new Promise((r) => setTimeout(r, 1000));

function lua(prefix: string, path: (mac: string) => string): string {
  const [before, after] = path("MAC").split("MAC");
  const file = join(dir, `${prefix}.lua`);
  writeFileSync(
    file,
    `math.randomseed(42)\nrequest = function()\n  local n = math.random(0, ${units - 1})\n  return wrk.format("GET", "${before}" .. string.format("${prefix}%010x", n) .. "${after}")\nend\n`,
  );
  return file;
}

function wrk(script: string): Promise<{ rps: number; p99: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      "wrk",
      ["-t1", `-c${args.connections}`, `-d${args.duration}s`, "--latency", "-s", script, base],
      (error, stdout) => {
        if (error !== null) return reject(error);
        const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
        const p99 = /99%\s+(\S+)/.exec(stdout)?.[1] ?? "?";
        resolve({ rps, p99 });
      },
    );
  });
}

const cases: [string, string][] = [
  ["redirect profile (registered unit)", lua("0a", (m) => `/rc/${m}.xml`)],
  ["not a customized unit (unknown MAC)", lua("0c", (m) => `/rc/${m}.xml`)],
  ["own profile, warm (provider)", lua("0b", (m) => `/acme/${m}.xml`)],
];
const runs = new Map<string, { rps: number; p99: string }[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, script] of cases) runs.get(name)!.push(await wrk(script));
}
const results: [string, { rps: number; p99: string }][] = cases.map(([name]) => {
  const sorted = [...runs.get(name)!].sort((a, b) => a.rps - b.rps);
  return [name, sorted[Math.floor(sorted.length / 2)]!];
});
const reference = results[2]![1].rps;
process.stdout.write(
  `units ${units}, wrk -t1 -c${args.connections} -d${args.duration}s, median of ${args.rounds} rounds, loadavg ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}\n`,
);
for (const [name, r] of results) {
  process.stdout.write(
    `${name.padEnd(38)} ${r.rps.toFixed(0).padStart(8)} req/s  p99 ${r.p99.padStart(8)}  ×${(r.rps / reference).toFixed(2)} of the warm profile\n`,
  );
}
await node.close();
