/**
 * Warm SEC-PRV-2 fetches: what a unit's fetch from its secure directory costs the server once
 * every unit is provisioned — before the answer was cached (rendered, gzipped and encrypted
 * per request) and after, by running the same scenario against a baseline tree:
 *
 *   npx tsx bench/secprv_cache.ts [--root DIR] [--devices 1000] [--parameters 22]
 *     [--duration 10] [--connections 16]
 *
 * `--root` is the source tree whose server runs (default this one; a baseline is an extracted
 * older commit with node_modules linked). Scenario: one node (HTTP on loopback, one
 * device-plane process, access log and load shedding off, SQLite), a tenant with secure
 * provisioning on and a provider layer of N parameters (7 of them templates over each
 * device), N SPA112 units bootstrapped (targeted over HTTP) and each fetched once from its
 * secure directory. Then a separate load process fetches random units' secure directories
 * over keep-alive connections for the duration (no conditional headers: full answers).
 * Prints requests/s and the server process's CPU milliseconds per request (the load process
 * is not counted), and the load average.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { modelCatalogue, providerLayer } from "./provider_layer.ts";

const { values: args } = parseArgs({
  options: {
    root: { type: "string", default: resolve(import.meta.dirname, "..") },
    devices: { type: "string", default: "1000" },
    parameters: { type: "string", default: "22" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
  },
});

const LOAD = `
import { Agent, request } from "node:http";
const [port, seconds, connections, file] = process.argv.slice(2);
const paths = JSON.parse((await import("node:fs")).readFileSync(file, "utf8"));
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
const end = Date.now() + Number(seconds) * 1000;
let done = 0, bad = 0, bytes = 0;
const one = (path) => new Promise((ok, fail) => {
  const req = request({ host: "127.0.0.1", port: Number(port), path, agent }, (res) => {
    res.on("data", (c) => (bytes += c.length));
    res.on("end", () => { if (res.statusCode === 200) done++; else bad++; ok(); });
  });
  req.on("error", fail);
  req.end();
});
await Promise.all(Array.from({ length: Number(connections) }, async () => {
  while (Date.now() < end) await one(paths[Math.floor(Math.random() * paths.length)]);
}));
process.stdout.write(JSON.stringify({ done, bad, bytes }));
`;

async function main(): Promise<void> {
  const root = args.root;
  const devices = Number(args.devices);
  const server = (await import(
    join(root, "src/server/index.ts")
  )) as typeof import("../src/server/index.ts");
  const storeLib = (await import(
    join(root, "src/store/index.ts")
  )) as typeof import("../src/store/index.ts");
  const dir = mkdtempSync(join(tmpdir(), "provisio-secprv-cache-"));
  const config = server.loadServeConfig({
    flags: {
      data: join(dir, "data"),
      host: "127.0.0.1",
      httpPort: "0",
      httpsPort: "off",
      adminPort: "off",
      tftpPort: "off",
    },
    env: {
      PROVISIO_LOG_ACCESS: "false",
      PROVISIO_WORKERS: "1",
      PROVISIO_SHEDDING_ENABLED: "false",
    },
    cwd: dir,
  });
  const node = await server.startNode(config, {
    logger: pino({ level: "silent" }),
    issueInitialToken: false,
  });
  const port = node.addresses.http!.port;
  const base = `http://127.0.0.1:${port}`;
  const { store } = node;
  try {
    await store.tenants.update("default", {
      settings: { profilePaths: ["/profile/$MA.xml"], secureProvisioning: "on" },
    });
    await store.layers.set(
      { scope: "tenant", tenantId: "default" },
      providerLayer({
        catalogue: modelCatalogue("SPA112"),
        family: "spa",
        parameters: Number(args.parameters),
        templated: 7,
      }),
    );
    const macs = Array.from({ length: devices }, (_, i) =>
      storeLib.parseMac(`0e${(0x5ec000000 + i).toString(16).padStart(10, "0")}`),
    );
    await store.devices.bulkUpsert(
      macs.map((mac, i) => ({ mac, modelPn: "SPA112", label: `unit ${i}` })),
    );
    await node.cache.settled();
    const paths: string[] = [];
    for (const mac of macs) {
      const boot = await fetch(`${base}/profile/${mac}.xml`);
      await boot.arrayBuffer();
      if (boot.status !== 200) throw new Error(`bootstrap of ${mac}: ${boot.status}`);
      const keys = await store.deviceKeys.get(mac);
      const path = `/secure/${keys!.current.directory}/${mac}.cfg`;
      const first = await fetch(`${base}${path}`);
      await first.arrayBuffer();
      if (first.status !== 200) throw new Error(`first secure fetch of ${mac}: ${first.status}`);
      paths.push(path);
    }
    const file = join(dir, "paths.json");
    writeFileSync(file, JSON.stringify(paths));
    const loadFile = join(dir, "load.mjs");
    writeFileSync(loadFile, LOAD);
    const before = loadavg()[0]!;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const out = await new Promise<string>((ok, fail) => {
      execFile(
        process.execPath,
        [loadFile, String(port), args.duration, args.connections, file],
        (error, stdout) => (error === null ? ok(stdout) : fail(error)),
      );
    });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const { done, bad, bytes } = JSON.parse(out) as { done: number; bad: number; bytes: number };
    const cpuMs = (used.user + used.system) / 1000;
    console.log(
      JSON.stringify({
        root,
        devices,
        parameters: Number(args.parameters),
        connections: Number(args.connections),
        seconds: Number(seconds.toFixed(1)),
        requests: done,
        refused: bad,
        bytesPerAnswer: Math.round(bytes / Math.max(1, done + bad)),
        requestsPerSecond: Math.round(done / seconds),
        serverCpuMsPerRequest: Number((cpuMs / Math.max(1, done)).toFixed(3)),
        load1Before: Number(before.toFixed(1)),
        load1After: Number(loadavg()[0]!.toFixed(1)),
      }),
    );
  } finally {
    await node.close();
  }
}

await main();
