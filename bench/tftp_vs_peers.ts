/**
 * Provisio's TFTP server against Debian's tftpd-hpa and atftpd, same file, same client,
 * same run, loopback only. Not a test: a script.
 *
 *   npx tsx bench/tftp_vs_peers.ts [runs]      (default 3 runs per case, best and median)
 *
 * 1. 32 MiB, blksize 512 lock-step (RFC 1350), client tftp-hpa: ours vs tftpd-hpa.
 * 2. 32 MiB, blksize 1428 + windowsize 16, client atftp: ours vs atftpd.
 * 3. 200 concurrent 1 MiB downloads (atftp 1428/16 and tftp-hpa 512): every output checked.
 *
 * The peer servers are fetched with `apt-get download` and unpacked with `dpkg -x` under
 * .bench-out/tftp-peers (their Debian packages conflict, so they are not installed).
 * Results: stdout and .bench-out/tftp_vs_peers.json. Environment: TFTP_WORKERS=n runs our
 * server with n worker threads; BENCH_ONLY=concurrent runs only part 3,
 * BENCH_ONLY=setup only fetches the peers and writes the files.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? "3");
/** Worker threads for our server (TftpServerOptions.workers). Default 0: on this 2-core
 * machine, shared with the 200 client processes, workers measured no faster. */
const WORKERS = Number(process.env.TFTP_WORKERS ?? "0");
const OUT = resolve(".bench-out");
const PEERS = join(OUT, "tftp-peers");
const ROOT = join(OUT, "tftp-root");
const SCRATCH = join(OUT, "tftp-scratch");
const HPA = join(PEERS, "tftpd-hpa/usr/sbin/in.tftpd");
const ATFTPD = join(PEERS, "atftpd/usr/sbin/atftpd");
const BIG = "firmware-32m.bin";
const SMALL = "firmware-1m.bin";
const MIB = 1024 * 1024;
const CONCURRENT = 200;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function ensurePeers(): Promise<void> {
  if (existsSync(HPA) && existsSync(ATFTPD)) return;
  await mkdir(PEERS, { recursive: true });
  process.stdout.write("fetching tftpd-hpa and atftpd (apt-get download, dpkg -x)…\n");
  await run("apt-get", ["download", "tftpd-hpa", "atftpd"], { cwd: PEERS });
  for (const deb of (await readdir(PEERS)).filter((f) => f.endsWith(".deb"))) {
    const name = deb.split("_")[0]!;
    await mkdir(join(PEERS, name), { recursive: true });
    await run("dpkg", ["-x", join(PEERS, deb), join(PEERS, name)]);
  }
  if (!existsSync(HPA) || !existsSync(ATFTPD))
    throw new Error("peer binaries missing after extract");
}

async function ensureFiles(): Promise<Record<string, string>> {
  await mkdir(ROOT, { recursive: true });
  const hashes: Record<string, string> = {};
  for (const [name, size] of [
    [BIG, 32 * MIB],
    [SMALL, MIB],
  ] as const) {
    const path = join(ROOT, name);
    const existing = existsSync(path) ? await readFile(path) : undefined;
    if (existing && existing.length === size) {
      hashes[name] = sha(existing);
      continue;
    }
    const data = randomBytes(size);
    await writeFile(path, data);
    hashes[name] = sha(data);
  }
  return hashes;
}

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Server {
  readonly name: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface OurStats {
  transfers: number;
  incomplete: number;
  retransmits: number;
  timeouts: number;
}

/** Our server in its own process (tftp_bench_server.ts), like the peers. */
async function startOurs(): Promise<Server & { stats(): Promise<OurStats> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "tftp_bench_server.ts"), ROOT, String(WORKERS)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!/PORT (\d+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error("provisio server did not start");
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(/PORT (\d+)/.exec(out)![1]);
  let stopped: Promise<OurStats> | undefined;
  const stats = () => {
    stopped ??= new Promise<OurStats>((resolveStats) => {
      child.once("exit", () =>
        resolveStats(JSON.parse(/STATS (.*)/.exec(out)?.[1] ?? "{}") as OurStats),
      );
      child.kill("SIGTERM");
    });
    return stopped;
  };
  return {
    name: "provisio",
    port,
    stats,
    stop: async () => {
      await stats();
    },
  };
}

async function startPeer(name: "tftpd-hpa" | "atftpd"): Promise<Server> {
  const port = await freePort();
  const args =
    name === "tftpd-hpa"
      ? ["--foreground", "--address", `127.0.0.1:${port}`, "--user", "root", "--secure", ROOT]
      : [
          "--daemon",
          "--no-fork",
          "--port",
          String(port),
          "--bind-address",
          "127.0.0.1",
          "--user",
          "root.root",
          "--logfile",
          "/dev/null",
          "--verbose=1",
          "--maxthread",
          "512",
          ROOT,
        ];
  const child: ChildProcess = spawn(name === "tftpd-hpa" ? HPA : ATFTPD, args, { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
  return {
    name,
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 100));
    },
  };
}

type Client = "tftp-hpa" | "atftp";

function clientArgs(client: Client, port: number, file: string, out: string): [string, string[]] {
  return client === "tftp-hpa"
    ? ["tftp", ["127.0.0.1", String(port), "-m", "binary", "-c", "get", file, out]]
    : [
        "atftp",
        [
          "--option",
          "blksize 1428",
          "--option",
          "windowsize 16",
          "-g",
          "-r",
          file,
          "-l",
          out,
          "127.0.0.1",
          String(port),
        ],
      ];
}

async function fetchOnce(client: Client, port: number, file: string, out: string): Promise<number> {
  const [cmd, args] = clientArgs(client, port, file, out);
  const t0 = performance.now();
  await run(cmd, args, { timeout: 120_000 });
  return (performance.now() - t0) / 1000;
}

interface Figures {
  seconds: number[];
  best: number;
  median: number;
  mibPerSecondBest: number;
  mibPerSecondMedian: number;
  verified: boolean;
}

function figures(seconds: number[], bytes: number, verified: boolean): Figures {
  const sorted = [...seconds].sort((a, b) => a - b);
  const best = sorted[0]!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return {
    seconds,
    best,
    median,
    mibPerSecondBest: bytes / MIB / best,
    mibPerSecondMedian: bytes / MIB / median,
    verified,
  };
}

/** Alternates ours and the peer, RUNS times, same client, same file; verifies every output. */
async function headToHead(
  client: Client,
  servers: Server[],
  hashes: Record<string, string>,
): Promise<Record<string, Figures>> {
  const times: Record<string, number[]> = {};
  const ok: Record<string, boolean> = {};
  const out = join(SCRATCH, "big.out");
  for (let i = 0; i < RUNS; i++) {
    for (const s of i % 2 === 0 ? servers : [...servers].reverse()) {
      await rm(out, { force: true });
      const t = await fetchOnce(client, s.port, BIG, out);
      times[s.name] = [...(times[s.name] ?? []), t];
      ok[s.name] = (ok[s.name] ?? true) && sha(await readFile(out)) === hashes[BIG];
    }
  }
  await rm(out, { force: true });
  const result: Record<string, Figures> = {};
  for (const s of servers) result[s.name] = figures(times[s.name]!, 32 * MIB, ok[s.name]!);
  return result;
}

interface Concurrency {
  transfers: number;
  complete: number;
  seconds: number;
  aggregateMiBps: number;
}

async function concurrent(
  client: Client,
  server: Server,
  hashes: Record<string, string>,
): Promise<Concurrency> {
  const dir = join(SCRATCH, `conc-${server.name}-${client}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CONCURRENT }, (_, i) => {
      const [cmd, args] = clientArgs(client, server.port, SMALL, join(dir, `${i}.bin`));
      return run(cmd, args, { timeout: 120_000 });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  let complete = 0;
  for (let i = 0; i < CONCURRENT; i++) {
    if (results[i]!.status !== "fulfilled") continue;
    const data = await readFile(join(dir, `${i}.bin`)).catch(() => Buffer.alloc(0));
    if (sha(data) === hashes[SMALL]) complete++;
  }
  await rm(dir, { recursive: true, force: true });
  return {
    transfers: CONCURRENT,
    complete,
    seconds,
    aggregateMiBps: (complete * MIB) / MIB / seconds,
  };
}

async function main(): Promise<void> {
  await ensurePeers();
  const hashes = await ensureFiles();
  if (process.env.BENCH_ONLY === "setup") {
    process.stdout.write(`peers ready: ${HPA}, ${ATFTPD}\n`);
    return;
  }
  await mkdir(SCRATCH, { recursive: true });
  const ours = await startOurs();
  const hpa = await startPeer("tftpd-hpa");
  const atftpd = await startPeer("atftpd");
  try {
    // Warm-up (JIT, page cache), not measured.
    await fetchOnce("atftp", ours.port, BIG, join(SCRATCH, "warm.out"));
    await fetchOnce("tftp-hpa", ours.port, SMALL, join(SCRATCH, "warm.out"));
    await fetchOnce("tftp-hpa", hpa.port, BIG, join(SCRATCH, "warm.out"));
    await fetchOnce("atftp", atftpd.port, BIG, join(SCRATCH, "warm.out"));
    await rm(join(SCRATCH, "warm.out"), { force: true });

    const only = process.env.BENCH_ONLY;
    if (only === "concurrent") {
      for (const [client, peer] of [
        ["atftp", atftpd],
        ["tftp-hpa", hpa],
      ] as const) {
        for (const s of [ours, peer]) {
          const c = await concurrent(client, s, hashes);
          process.stdout.write(`${client} → ${s.name}: ${JSON.stringify(c)}\n`);
        }
      }
      process.stdout.write(`provisio server: ${JSON.stringify(await ours.stats())}\n`);
      return;
    }
    const lockstep = await headToHead("tftp-hpa", [ours, hpa], hashes);
    const windowed = await headToHead("atftp", [ours, atftpd], hashes);
    const conc = {
      "atftp 1428/16 → provisio": await concurrent("atftp", ours, hashes),
      "atftp 1428/16 → atftpd": await concurrent("atftp", atftpd, hashes),
      "tftp-hpa 512 → provisio": await concurrent("tftp-hpa", ours, hashes),
      "tftp-hpa 512 → tftpd-hpa": await concurrent("tftp-hpa", hpa, hashes),
    };
    const oursStats = await ours.stats();
    const report = {
      date: new Date().toISOString(),
      runs: RUNS,
      file: "32 MiB random",
      lockstep512_tftpHpaClient: lockstep,
      blksize1428_windowsize16_atftpClient: windowed,
      concurrent1MiB: conc,
      provisioServer: oursStats,
    };
    const line = (name: string, f: Figures) =>
      `  ${name.padEnd(10)} best ${f.best.toFixed(3)} s (${f.mibPerSecondBest.toFixed(1)} MiB/s)  median ${f.median.toFixed(3)} s (${f.mibPerSecondMedian.toFixed(1)} MiB/s)  sha256 ${f.verified ? "ok" : "MISMATCH"}`;
    process.stdout.write(`\n32 MiB, blksize 512 lock-step, client tftp-hpa (${RUNS} runs each)\n`);
    for (const [k, v] of Object.entries(lockstep)) process.stdout.write(`${line(k, v)}\n`);
    process.stdout.write(
      `\n32 MiB, blksize 1428 + windowsize 16, client atftp (${RUNS} runs each)\n`,
    );
    for (const [k, v] of Object.entries(windowed)) process.stdout.write(`${line(k, v)}\n`);
    process.stdout.write(`\n${CONCURRENT} concurrent 1 MiB downloads\n`);
    for (const [k, v] of Object.entries(conc)) {
      process.stdout.write(
        `  ${k.padEnd(26)} ${v.complete}/${v.transfers} complete in ${v.seconds.toFixed(2)} s (${v.aggregateMiBps.toFixed(1)} MiB/s aggregate)\n`,
      );
    }
    process.stdout.write(
      `\nprovisio server: ${oursStats.transfers} transfers, ${oursStats.incomplete} not complete, ${oursStats.retransmits} retransmits\n`,
    );
    await writeFile(join(OUT, "tftp_vs_peers.json"), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await ours.stop();
    await hpa.stop();
    await atftpd.stop();
    await rm(SCRATCH, { recursive: true, force: true });
  }
}

await main();
