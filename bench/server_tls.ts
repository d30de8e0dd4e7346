/**
 * mTLS full handshakes: `provisio serve` against nginx serving the same profile bytes, in one
 * run, alternating, several rounds.
 *
 *   npx tsx bench/server_tls.ts [--rounds 3] [--duration 8] [--clients 3] [--workers 1,2]
 *
 * Scenario: a tenant requiring device certificates, RSA-2048 server certificate (the one the
 * first start creates) and RSA-2048 device certificates from the node's device CA; each client
 * is `openssl s_time -new -www /units/<mac>.xml` with its own device certificate (every
 * connection a full handshake, one GET, close), `--clients` of them at once. nginx: `worker_processes
 * auto`, `ssl_verify_client on` with the same CA, the same certificate, the same bytes as static
 * files. Suites: TLS 1.3 (what s_time picks), and the units' TLS 1.2 suites AES256-SHA (RSA key
 * exchange) and DHE-RSA-AES256-SHA. A client presents the same certificate on every connection
 * (a device resyncing again); a reboot storm of distinct devices would miss the verification
 * cache. Figures: connections per second, best of the rounds, and the server's CPU time per
 * connection (user + system of all its processes, median of the rounds) — the per-core cost,
 * which a busy shared machine disturbs less than throughput; the load average is printed. A
 * bare `node:https` server (client certificates requested, the bytes from memory) runs in the
 * one-process rounds too: the floor of Node's TLS on this machine.
 * Work files go to `.bench-out/` (git-ignored).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseMasterKey } from "../src/crypto/index.ts";
import { dataPaths, sealerFor } from "../src/server/index.ts";
import { type LayerParameter, openStore, parseMac } from "../src/store/index.ts";
import {
  type MtlsClient as Client,
  cpuSeconds,
  ffdhe2048,
  mtlsClients,
} from "./lib/mtls_handshakes.ts";
import { writeNginxConf } from "./lib/nginx_conf.ts";
import { bundleCli, processTree, sh, stopServe } from "./lib/server_process.ts";
import { waitForLog } from "./lib/wait_for_log.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "8" },
    clients: { type: "string", default: "3" },
    workers: { type: "string", default: "1" },
    suites: { type: "string", default: "tls13,AES256-SHA,DHE-RSA-AES256-SHA" },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION = Number(args.duration);
const CLIENTS = Number(args.clients);
const WORKERS = String(args.workers)
  .split(",")
  .map((w) => Number(w));
const SUITES = String(args.suites).split(",");
const ROOT = join(import.meta.dirname, "..");
const PORTS = { ours: 18743, nginx: 18843, bare: 18744 };
const load = (): string => readFileSync("/proc/loadavg", "utf8").trim();
const log = (s: string): void => void process.stderr.write(`${s}\n`);
/** Servers started here, stopped however the run ends. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

interface Run {
  readonly perSec: number;
  /** Server CPU milliseconds per connection (all its processes). */
  readonly cpuMs: number;
  readonly bytes: number;
}

/** One s_time per client, all at once; connections per second in all, and bytes per connection. */
async function handshakes(
  port: number,
  serverPid: number,
  clients: readonly Client[],
  suite: string,
): Promise<Run> {
  const pids = processTree(serverPid);
  const cpuBefore = cpuSeconds(pids);
  const started = performance.now();
  const outs = await Promise.all(
    clients.map((c) =>
      sh("openssl", [
        "s_time",
        "-connect",
        `127.0.0.1:${port}`,
        "-new",
        "-time",
        String(DURATION),
        "-cert",
        c.cert,
        "-key",
        c.key,
        "-www",
        `/units/${c.mac}.xml`,
        ...(suite === "tls13" ? ["-tls1_3"] : ["-tls1_2", "-cipher", suite]),
      ]),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  let count = 0;
  let bytes = 0;
  for (const out of outs) {
    const m = /(\d+) connections in [\d.]+ real seconds, (\d+) bytes read per connection/.exec(out);
    if (m === null) throw new Error(`unexpected s_time output:\n${out}`);
    count += Number(m[1]);
    bytes = Number(m[2]);
  }
  const cpu = cpuSeconds(pids) - cpuBefore;
  return { perSec: count / seconds, cpuMs: (cpu * 1000) / count, bytes };
}

function tenantLayer(): LayerParameter[] {
  const layer: LayerParameter[] = [];
  for (let i = 0; i < 16; i++) {
    layer.push({
      name: `GPP_${String.fromCharCode(65 + i)}`,
      value: `value-${i}-${"x".repeat(40)}`,
      access: "na",
    });
  }
  layer.push({ name: "Proxy_1_", value: "sip.example.net", access: "na" });
  return layer;
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, ".bench-out"), { recursive: true });
  const work = mkdtempSync(join(ROOT, ".bench-out", "server_tls-"));
  const dataDir = join(work, "data");
  log(`work dir ${work}`);
  const runner = await bundleCli(ROOT, join(work, "build"));
  const serve = (extra: string[]): ChildProcess => {
    const child = spawn(
      process.execPath,
      [runner, "serve", "--data", dataDir, "--host", "127.0.0.1", "--admin-port", "off"]
        .concat(["--tftp-port", "off", "--http-port", "off", "--log-level", "warn"])
        .concat(extra),
      // Load shedding off: on the busy shared machine it answers 503s; this measures capacity.
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PROVISIO_SHEDDING_ENABLED: "false" },
      },
    );
    children.add(child);
    child.on("exit", () => children.delete(child));
    return child;
  };

  // The installation: first start (certificates), then a tenant and its devices.
  const boot = serve(["--https-port", "off", "--workers", "1", "--log-level", "info"]);
  await waitForLog(boot, "provisio listening", 60_000);
  boot.kill("SIGTERM");
  await new Promise((r) => boot.on("exit", r));
  const paths = dataPaths(dataDir);
  const key = parseMasterKey("k1", readFileSync(paths.masterKey, "utf8"));
  const store = await openStore(
    { kind: "sqlite", file: paths.database },
    { sealer: sealerFor(key) },
  );
  const tenant = await store.tenants.create({
    slug: "units",
    name: "Units",
    settings: { profilePaths: ["/units/$MA.xml"], requireClientCert: true },
  });
  await store.layers.set({ scope: "tenant", tenantId: tenant.id }, tenantLayer());
  const macs = Array.from({ length: CLIENTS }, (_, i) => `000e08${(0xab0000 + i).toString(16)}`);
  for (const mac of macs) {
    await store.devices.create({ mac: parseMac(mac), tenantId: tenant.id, modelPn: "SPA504G" });
  }
  const clients = await mtlsClients(
    work,
    { cert: paths.deviceCaCert, key: paths.deviceCaKey },
    macs,
  );
  await store.close();

  const start = async (workers: number): Promise<ChildProcess> => {
    const child = serve(["--https-port", String(PORTS.ours), "--workers", String(workers)]);
    const first = clients[0]!;
    for (let i = 0; ; i++) {
      try {
        await sh(
          "curl",
          ["-skf", "-o", "/dev/null", "--cert", first.cert, "--key", first.key].concat([
            `https://127.0.0.1:${PORTS.ours}/units/${first.mac}.xml`,
          ]),
        );
        return child;
      } catch (error) {
        // A start on a busy machine can take tens of seconds.
        if (i > 1200) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  // The same bytes for nginx, fetched once over mTLS.
  const staticDir = join(work, "static", "units");
  mkdirSync(staticDir, { recursive: true });
  {
    const child = await start(1);
    for (const c of clients) {
      const body = await sh(
        "curl",
        ["-skf", "--cert", c.cert, "--key", c.key].concat([
          `https://127.0.0.1:${PORTS.ours}/units/${c.mac}.xml`,
        ]),
      );
      writeFileSync(join(staticDir, `${c.mac}.xml`), body);
    }
    await stopServe(child);
  }
  // The same finite-field group OpenSSL picks for Node's `dhparam: "auto"` (RFC 7919).
  const dhparam = await ffdhe2048(join(work, "ffdhe2048.pem"));
  const conf = writeNginxConf(
    work,
    `  server {
    listen 127.0.0.1:${PORTS.nginx} ssl;
    root ${work}/static;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers HIGH:!aNULL:!MD5;
    ssl_dhparam ${dhparam};
    ssl_certificate ${paths.serverCert};
    ssl_certificate_key ${paths.serverKey};
    ssl_client_certificate ${paths.deviceCaCert};
    ssl_verify_client on;
  }
`,
  );
  const nginx = spawn("/usr/sbin/nginx", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(nginx);
  await new Promise((r) => setTimeout(r, 700));
  const c0 = clients[0]!;
  const viaNginx = await sh(
    "curl",
    ["-skf", "--cert", c0.cert, "--key", c0.key].concat([
      `https://127.0.0.1:${PORTS.nginx}/units/${c0.mac}.xml`,
    ]),
  );
  if (viaNginx !== readFileSync(join(staticDir, `${c0.mac}.xml`), "utf8"))
    throw new Error("nginx does not serve the same bytes");

  // The floor of Node's TLS: a bare node:https server, client certificates requested, the
  // same certificate and bytes from memory.
  const bareScript = join(work, "bare.mjs");
  writeFileSync(
    bareScript,
    `import { createServer } from "node:https";
import { readFileSync } from "node:fs";
const body = readFileSync(${JSON.stringify(join(staticDir, `${c0.mac}.xml`))});
createServer({
  cert: readFileSync(${JSON.stringify(paths.serverCert)}),
  key: readFileSync(${JSON.stringify(paths.serverKey)}),
  ca: readFileSync(${JSON.stringify(paths.deviceCaCert)}),
  requestCert: true, rejectUnauthorized: false, dhparam: "auto",
}, (req, res) => {
  req.socket.getPeerX509Certificate();
  res.writeHead(200, { "content-type": "text/xml", "content-length": body.length });
  res.end(body);
}).listen(${PORTS.bare}, "127.0.0.1");
`,
  );
  const bare = spawn(process.execPath, [bareScript], { stdio: "ignore" });
  children.add(bare);
  await new Promise((r) => setTimeout(r, 1000));

  type Who = "ours" | "nginx" | "bare";
  const lines: string[] = [];
  for (const workers of WORKERS) {
    const ours = await start(workers);
    const pidOf: Record<Who, number> = { ours: ours.pid!, nginx: nginx.pid!, bare: bare.pid! };
    const who: Who[] = workers === 1 ? ["ours", "nginx", "bare"] : ["ours", "nginx"];
    for (const suite of SUITES) {
      const best: Record<Who, number> = { ours: 0, nginx: 0, bare: 0 };
      const cpu: Record<Who, number[]> = { ours: [], nginx: [], bare: [] };
      const rounds: string[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        // Rotating which goes first, so none always runs on a hotter machine.
        const order = [...who.slice(r % who.length), ...who.slice(0, r % who.length)];
        const got: Record<Who, number> = { ours: 0, nginx: 0, bare: 0 };
        for (const w of order) {
          const f = await handshakes(PORTS[w], pidOf[w], clients, suite);
          got[w] = f.perSec;
          cpu[w].push(f.cpuMs);
          best[w] = Math.max(best[w], f.perSec);
          log(
            `${workers}w ${suite} round ${r + 1} ${w}: ${f.perSec.toFixed(0)} conn/s, ${f.cpuMs.toFixed(2)} ms CPU/conn (${f.bytes} B/conn; load ${load()})`,
          );
        }
        rounds.push(`${got.ours.toFixed(0)}/${got.nginx.toFixed(0)}`);
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      const [ourCpu, theirCpu] = [median(cpu.ours), median(cpu.nginx)];
      const bareCpu = cpu.bare.length > 0 ? median(cpu.bare).toFixed(2) : "—";
      lines.push(
        `| ${workers} | ${suite === "tls13" ? "TLS 1.3" : `TLS 1.2 ${suite}`} | ${best.ours.toFixed(0)} | ${best.nginx.toFixed(0)} | ${Math.round((best.ours / best.nginx) * 100)} % | ${ourCpu.toFixed(2)} | ${theirCpu.toFixed(2)} | ${Math.round((theirCpu / ourCpu) * 100)} % | ${bareCpu} | ${rounds.join(", ")} |`,
      );
    }
    await stopServe(ours);
  }
  bare.kill("SIGTERM");
  nginx.kill("SIGQUIT");
  process.stdout.write(
    `# mTLS full handshakes: Provisio vs nginx\n\n${CLIENTS} × openssl s_time -new -time ${DURATION} (RSA-2048 device certs, one GET each); nginx worker_processes auto (${availableParallelism()} CPUs); best of ${ROUNDS} alternating rounds; ${new Date().toISOString()}; load average at the end ${load()}\n\n` +
      "| provisio workers | suite | Provisio conn/s | nginx conn/s | ratio | Provisio CPU ms/conn | nginx CPU ms/conn | CPU ratio (nginx/ours) | bare node:https CPU ms/conn | rounds conn/s (ours/nginx) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" +
      `${lines.join("\n")}\n`,
  );
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  process.exit();
}
