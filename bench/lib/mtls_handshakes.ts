/**
 * mTLS full handshakes, Provisio against nginx in the same run: each client is
 * `openssl s_time -new` (every connection a full handshake, one GET, close) with its own
 * RSA-2048 device certificate from the installation's device CA, offering one of the units'
 * TLS 1.2 suites only — so both servers negotiate the same suite and key exchange (checked
 * with `openssl s_client` before measuring, and printed). nginx: `worker_processes auto`,
 * the installation's server certificate, the units' suites, `ssl_verify_client on` with the
 * device CA, the same profile bytes as static files.
 *
 * Figures: connections per second (best of the rounds) and the server's CPU time per
 * connection (user + system of all its processes, median of the rounds) — on a shared
 * machine the CPU per connection is the figure to read (docs/decisions.md D44 adds instruction
 * counts under callgrind, which the machine's load does not move).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueDeviceCertificate } from "../../src/crypto/index.ts";
import { UNIT_CIPHERS } from "../../src/server/tls_parameters.ts";
import { writeNginxConf } from "./nginx_conf.ts";
import { cpuTicks, processTree } from "./server_process.ts";

/** The units' suites measured: RSA key exchange, then DHE-RSA (TLS 1.2). */
export const UNIT_SUITES = ["AES256-SHA", "DHE-RSA-AES256-SHA"] as const;

export interface MtlsClient {
  readonly mac: string;
  /** PEM files. */
  readonly cert: string;
  readonly key: string;
}

export interface MtlsServer {
  readonly name: string;
  readonly port: number;
  /** The server's processes (all of them: primary and workers). */
  readonly pids: () => readonly number[];
}

function run(cmd: string, argv: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      [...argv],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${cmd} ${argv.join(" ")}: ${stderr || error.message}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
    child.stdin?.end(input ?? "");
  });
}

/** CPU seconds (user + system) the processes used so far. */
export function cpuSeconds(pids: readonly number[]): number {
  return cpuTicks(pids) / 100; // USER_HZ
}

/** RSA-2048 device certificates from the installation's device CA, written as PEM files. */
export async function mtlsClients(
  dir: string,
  deviceCa: { readonly cert: string; readonly key: string },
  macs: readonly string[],
): Promise<MtlsClient[]> {
  mkdirSync(dir, { recursive: true });
  const ca = {
    certificatePem: readFileSync(deviceCa.cert, "utf8"),
    privateKeyPem: readFileSync(deviceCa.key, "utf8"),
  };
  const clients: MtlsClient[] = [];
  for (const [i, mac] of macs.entries()) {
    const issued = await issueDeviceCertificate(ca, {
      mac,
      serial: `CCQ${200000 + i}`,
      product: "SPA504G",
      keyType: "rsa-2048",
    });
    const cert = join(dir, `${mac}.crt`);
    const key = join(dir, `${mac}.key`);
    writeFileSync(cert, issued.certificatePem);
    writeFileSync(key, issued.privateKeyPem, { mode: 0o600 });
    clients.push({ mac, cert, key });
  }
  return clients;
}

/** Writes the RFC 7919 ffdhe2048 group (what Node's `dhparam: "auto"` picks) for nginx; its path. */
export async function ffdhe2048(path: string): Promise<string> {
  await run("openssl", [
    "genpkey",
    "-genparam",
    "-algorithm",
    "DH",
    "-pkeyopt",
    "group:ffdhe2048",
    "-out",
    path,
  ]);
  return path;
}

/**
 * nginx for the mTLS comparison: `worker_processes auto`, the units' suites on TLS 1.2 in the
 * listener's order of preference (`UNIT_CIPHERS`: a unit offering its whole list gets the same
 * suite from both servers — DHE-RSA-AES256-SHA; in AES256-SHA's order nginx picked that), the
 * same finite-field group as Node's `dhparam: "auto"` (RFC 7919 ffdhe2048), client
 * certificates required and verified against the device CA, files from `root`.
 */
export async function startMtlsNginx(options: {
  readonly work: string;
  readonly port: number;
  readonly root: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly deviceCaCert: string;
}): Promise<{ readonly pids: () => number[]; stop(): void }> {
  const dir = join(options.work, "nginx-mtls");
  mkdirSync(dir, { recursive: true });
  const dhparam = await ffdhe2048(join(dir, "ffdhe2048.pem"));
  const conf = writeNginxConf(
    dir,
    `  server {
    listen 127.0.0.1:${options.port} ssl;
    root ${options.root};
    ssl_protocols TLSv1.2;
    ssl_ciphers ${UNIT_CIPHERS.join(":")};
    ssl_prefer_server_ciphers on;
    ssl_dhparam ${dhparam};
    ssl_certificate ${options.serverCert};
    ssl_certificate_key ${options.serverKey};
    ssl_client_certificate ${options.deviceCaCert};
    ssl_verify_client on;
  }
`,
  );
  const nginx: ChildProcess = spawn("/usr/sbin/nginx", ["-c", conf], { stdio: "ignore" });
  const stop = (): void => void nginx.kill("SIGQUIT");
  process.once("exit", stop);
  await new Promise((r) => setTimeout(r, 700));
  return { pids: () => processTree(nginx.pid!), stop };
}

/** What a server negotiates with a client offering `suite` only (checked, not assumed). */
export async function negotiatedSuite(
  port: number,
  client: MtlsClient,
  suite: string,
): Promise<string> {
  const out = await run(
    "openssl",
    [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-tls1_2",
      "-cipher",
      suite,
      "-cert",
      client.cert,
      "-key",
      client.key,
    ],
    "",
  );
  // The session block: `Protocol  : TLSv1.2`, `Cipher    : AES256-SHA`.
  const protocol = /^\s*Protocol\s*: (\S+)$/m.exec(out)?.[1];
  const cipher = /^\s*Cipher\s*: (\S+)$/m.exec(out)?.[1];
  if (protocol === undefined || cipher === undefined || cipher === "0000")
    throw new Error(`no handshake on port ${port} with ${suite}:\n${out}`);
  const temp = /Server Temp Key: ([^\n]+)/.exec(out)?.[1];
  return `${protocol} ${cipher}${temp === undefined ? "" : ` (${temp})`}`;
}

/** Every client's s_time at once for `seconds`; connections per second and CPU per connection. */
async function sTime(
  server: MtlsServer,
  clients: readonly MtlsClient[],
  suite: string,
  seconds: number,
  pathOf: (mac: string) => string,
): Promise<{ perSec: number; cpuMs: number }> {
  const pids = server.pids();
  const before = cpuSeconds(pids);
  const started = performance.now();
  const outs = await Promise.all(
    clients.map((c) =>
      run("openssl", [
        "s_time",
        "-connect",
        `127.0.0.1:${server.port}`,
        "-new",
        "-time",
        String(seconds),
        "-cert",
        c.cert,
        "-key",
        c.key,
        "-www",
        pathOf(c.mac),
        "-tls1_2",
        "-cipher",
        suite,
      ]),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  let count = 0;
  for (const out of outs) {
    const m = /(\d+) connections in [\d.]+ real seconds/.exec(out);
    if (m === null) throw new Error(`unexpected s_time output:\n${out}`);
    count += Number(m[1]);
  }
  if (count === 0) throw new Error(`no connection completed on port ${server.port}`);
  return { perSec: count / elapsed, cpuMs: ((cpuSeconds(pids) - before) * 1000) / count };
}

/**
 * Alternating rounds (which goes first alternates), one summary line per suite: what both
 * negotiated, connections per second (best round) and CPU per connection (median round).
 */
export async function compareMtls(options: {
  readonly ours: MtlsServer;
  readonly nginx: MtlsServer;
  readonly clients: readonly MtlsClient[];
  readonly pathOf: (mac: string) => string;
  readonly seconds: number;
  readonly rounds: number;
  readonly log?: (line: string) => void;
}): Promise<string[]> {
  const { ours, nginx, clients } = options;
  const rows: string[] = [];
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  {
    // What a unit offering its own list gets from each: the server's order decides.
    const [a, b] = [
      await negotiatedSuite(ours.port, clients[0]!, UNIT_CIPHERS.join(":")),
      await negotiatedSuite(nginx.port, clients[0]!, UNIT_CIPHERS.join(":")),
    ];
    rows.push(
      `a unit's own list (${UNIT_CIPHERS.join(", ")}) negotiates: ${ours.name} ${a}, nginx ${b}`,
    );
  }
  for (const suite of UNIT_SUITES) {
    const first = clients[0]!;
    const [a, b] = [
      await negotiatedSuite(ours.port, first, suite),
      await negotiatedSuite(nginx.port, first, suite),
    ];
    if (a !== b) throw new Error(`not like for like: ours ${a}, nginx ${b}`);
    // A first short pass warms the JIT and the caches of both.
    await sTime(ours, clients, suite, 2, options.pathOf);
    const best = { ours: 0, nginx: 0 };
    const cpu: { ours: number[]; nginx: number[] } = { ours: [], nginx: [] };
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? (["ours", "nginx"] as const) : (["nginx", "ours"] as const);
      for (const who of order) {
        const f = await sTime(options[who], clients, suite, options.seconds, options.pathOf);
        best[who] = Math.max(best[who], f.perSec);
        cpu[who].push(f.cpuMs);
        options.log?.(
          `mTLS ${suite} ${options[who].name}: ${f.perSec.toFixed(0)} conn/s, ${f.cpuMs.toFixed(2)} ms CPU/conn`,
        );
      }
    }
    const [oc, nc] = [median(cpu.ours), median(cpu.nginx)];
    rows.push(
      `${ours.name}: mTLS full handshakes (${clients.length} × openssl s_time -new, RSA-2048 device certificates, one GET each), ${a}: ${best.ours.toFixed(0)} conn/s vs nginx ${best.nginx.toFixed(0)} = ${Math.round((best.ours / best.nginx) * 100)} %; CPU ${oc.toFixed(2)} vs ${nc.toFixed(2)} ms a connection = ${Math.round((nc / oc) * 100)} % of nginx's efficiency`,
    );
  }
  return rows;
}
