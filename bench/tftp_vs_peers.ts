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
 * BENCH_ONLY=setup only fetches the peers and writes the files;
 * BENCH_BASELINE=<other checkout>/bench/tftp_bench_server.ts adds that server as
 * "provisio-base" to the same run (before/after figures); BENCH_RENICE=n renices our
 * server's threads (e.g. -10) to test the scheduling-share effect described below.
 * Our server's own knobs pass through: TFTP_IO=dgram (node:dgram instead of the native
 * endpoint), TFTP_ADMISSION=0 (no admission under saturation), TFTP_MIN_ACTIVE=n.
 *
 * CPU: every figure comes with the server's CPU time (user + system) for that fetch:
 * /proc/<pid>/stat for ours and atftpd (threads), `perf stat -p` for tftpd-hpa (it forks a
 * process per transfer and its children are reaped without accounting); "n/a" without
 * perf. "sys" is the whole machine's busy CPU over the same interval (clients, other
 * tenants included). On a saturated 2-core box a single-threaded server competes with
 * 200 client processes for CPU share, while tftpd-hpa's 200 forked servers each get a
 * share: compare CPU as well as wall time.
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
const BASELINE = process.env.BENCH_BASELINE;
const RENICE = process.env.BENCH_RENICE;
const CLK_TCK = 100;

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
  /** Process whose CPU is measured, and whether its children must be counted by perf. */
  readonly pid: number | undefined;
  readonly forks?: boolean;
  stop(): Promise<void>;
}

/** Busy jiffies of the whole machine (user, nice, system, irq, softirq). */
async function systemBusy(): Promise<number> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0]!.split(/\s+/);
  return [1, 2, 3, 6, 7].reduce((t, i) => t + Number(line[i]), 0) / CLK_TCK;
}

/** utime + stime (+ reaped children) of a process, all threads, in seconds. */
async function processCpu(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
}

interface CpuReading {
  /** Server CPU seconds, undefined when it cannot be measured. */
  server: number | undefined;
  /** Whole-machine busy CPU seconds. */
  system: number;
}

/** Starts measuring a server's CPU; the returned function stops and reads. */
async function cpuMeter(s: Server): Promise<() => Promise<CpuReading>> {
  const sys0 = await systemBusy();
  if (s.pid === undefined)
    return async () => ({ server: undefined, system: (await systemBusy()) - sys0 });
  if (!s.forks) {
    const p0 = await processCpu(s.pid);
    return async () => ({
      server: (await processCpu(s.pid!)) - p0,
      system: (await systemBusy()) - sys0,
    });
  }
  // Forked children exit unaccounted: perf counts them (inherit) when it is available.
  let perf: ChildProcess | undefined;
  let out = "";
  try {
    perf = spawn("perf", ["stat", "-x", ",", "-e", "task-clock", "-p", String(s.pid)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    perf.on("error", () => undefined);
    perf.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => setTimeout(r, 150));
  } catch {
    perf = undefined;
  }
  return async () => {
    const system = (await systemBusy()) - sys0;
    if (!perf || perf.exitCode !== null) return { server: undefined, system };
    const exited = new Promise((r) => perf!.once("exit", r));
    perf.kill("SIGINT");
    await exited;
    const ms = Number(/^([\d.]+),msec,task-clock/m.exec(out)?.[1]);
    return { server: Number.isFinite(ms) ? ms / 1000 : undefined, system };
  };
}

interface OurStats {
  transfers: number;
  incomplete: number;
  retransmits: number;
  timeouts: number;
}

/** Our server in its own process (tftp_bench_server.ts), like the peers. */
async function startOurs(
  name = "provisio",
  script = join(import.meta.dirname, "tftp_bench_server.ts"),
): Promise<Server & { stats(): Promise<OurStats> }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ROOT, String(WORKERS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
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
  if (RENICE !== undefined) {
    for (const task of await readdir(`/proc/${child.pid}/task`)) {
      await run("renice", ["-n", RENICE, "-p", task]).catch(() => undefined);
    }
  }
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
    name,
    port,
    pid: child.pid,
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
    pid: child.pid,
    forks: name === "tftpd-hpa",
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
  /** Server CPU seconds per run (undefined: not measurable) and their median. */
  serverCpu: Array<number | undefined>;
  serverCpuMedian: number | undefined;
  /** Whole-machine busy CPU seconds per run, median. */
  systemCpuMedian: number;
  verified: boolean;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function figures(seconds: number[], bytes: number, verified: boolean, cpu: CpuReading[]): Figures {
  const best = Math.min(...seconds);
  const med = median(seconds);
  const server = cpu.map((c) => c.server);
  const known = server.filter((x): x is number => x !== undefined);
  return {
    seconds,
    best,
    median: med,
    mibPerSecondBest: bytes / MIB / best,
    mibPerSecondMedian: bytes / MIB / med,
    serverCpu: server,
    serverCpuMedian: known.length === server.length ? median(known) : undefined,
    systemCpuMedian: median(cpu.map((c) => c.system)),
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
  const cpus: Record<string, CpuReading[]> = {};
  const ok: Record<string, boolean> = {};
  const out = join(SCRATCH, "big.out");
  for (let i = 0; i < RUNS; i++) {
    for (const s of i % 2 === 0 ? servers : [...servers].reverse()) {
      await rm(out, { force: true });
      const stop = await cpuMeter(s);
      const t = await fetchOnce(client, s.port, BIG, out);
      const reading = await stop();
      cpus[s.name] = [...(cpus[s.name] ?? []), reading];
      times[s.name] = [...(times[s.name] ?? []), t];
      ok[s.name] = (ok[s.name] ?? true) && sha(await readFile(out)) === hashes[BIG];
    }
  }
  await rm(out, { force: true });
  const result: Record<string, Figures> = {};
  for (const s of servers)
    result[s.name] = figures(times[s.name]!, 32 * MIB, ok[s.name]!, cpus[s.name]!);
  return result;
}

interface Concurrency {
  transfers: number;
  complete: number;
  seconds: number;
  aggregateMiBps: number;
  cpu: CpuReading;
}

async function concurrent(
  client: Client,
  server: Server,
  hashes: Record<string, string>,
): Promise<Concurrency> {
  const dir = join(SCRATCH, `conc-${server.name}-${client}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stop = await cpuMeter(server);
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CONCURRENT }, (_, i) => {
      const [cmd, args] = clientArgs(client, server.port, SMALL, join(dir, `${i}.bin`));
      return run(cmd, args, { timeout: 120_000 });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = await stop();
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
    cpu,
  };
}

interface ConcurrencyFigures {
  runs: Concurrency[];
  allComplete: boolean;
  best: number;
  median: number;
  serverCpuMedian: number | undefined;
  systemCpuMedian: number;
}

/** RUNS rounds of the concurrent case, servers alternating, same client. */
async function concurrentRounds(
  client: Client,
  servers: Server[],
  hashes: Record<string, string>,
): Promise<Record<string, ConcurrencyFigures>> {
  const runs: Record<string, Concurrency[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const s of i % 2 === 0 ? servers : [...servers].reverse()) {
      const c = await concurrent(client, s, hashes);
      runs[s.name] = [...(runs[s.name] ?? []), c];
    }
  }
  const result: Record<string, ConcurrencyFigures> = {};
  for (const s of servers) {
    const r = runs[s.name]!;
    const server = r.map((c) => c.cpu.server);
    const known = server.filter((x): x is number => x !== undefined);
    result[s.name] = {
      runs: r,
      allComplete: r.every((c) => c.complete === c.transfers),
      best: Math.min(...r.map((c) => c.seconds)),
      median: median(r.map((c) => c.seconds)),
      serverCpuMedian: known.length === server.length ? median(known) : undefined,
      systemCpuMedian: median(r.map((c) => c.cpu.system)),
    };
  }
  return result;
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
  const base = BASELINE ? await startOurs("provisio-base", resolve(BASELINE)) : undefined;
  const mine: Server[] = base ? [ours, base] : [ours];
  const hpa = await startPeer("tftpd-hpa");
  const atftpd = await startPeer("atftpd");
  try {
    // Warm-up (JIT, page cache), not measured.
    for (const s of mine) {
      await fetchOnce("atftp", s.port, BIG, join(SCRATCH, "warm.out"));
      await fetchOnce("tftp-hpa", s.port, SMALL, join(SCRATCH, "warm.out"));
    }
    await fetchOnce("tftp-hpa", hpa.port, BIG, join(SCRATCH, "warm.out"));
    await fetchOnce("atftp", atftpd.port, BIG, join(SCRATCH, "warm.out"));
    await rm(join(SCRATCH, "warm.out"), { force: true });

    const only = process.env.BENCH_ONLY;
    const lockstep =
      only === "concurrent" ? undefined : await headToHead("tftp-hpa", [...mine, hpa], hashes);
    const windowed =
      only === "concurrent" ? undefined : await headToHead("atftp", [...mine, atftpd], hashes);
    const conc = {
      "atftp 1428/16": await concurrentRounds("atftp", [...mine, atftpd], hashes),
      "tftp-hpa 512": await concurrentRounds("tftp-hpa", [...mine, hpa], hashes),
    };
    const oursStats = await ours.stats();
    const report = {
      date: new Date().toISOString(),
      runs: RUNS,
      workers: WORKERS,
      renice: RENICE,
      baseline: BASELINE,
      file: "32 MiB random",
      lockstep512_tftpHpaClient: lockstep,
      blksize1428_windowsize16_atftpClient: windowed,
      concurrent1MiB: conc,
      provisioServer: oursStats,
    };
    const cpu = (server: number | undefined, system: number) =>
      `cpu ${server === undefined ? " n/a " : `${server.toFixed(2)} s`} (sys ${system.toFixed(2)} s)`;
    const line = (name: string, f: Figures) =>
      `  ${name.padEnd(14)} best ${f.best.toFixed(3)} s (${f.mibPerSecondBest.toFixed(1)} MiB/s)  median ${f.median.toFixed(3)} s (${f.mibPerSecondMedian.toFixed(1)} MiB/s)  server ${cpu(f.serverCpuMedian, f.systemCpuMedian)}  sha256 ${f.verified ? "ok" : "MISMATCH"}`;
    const w = (t: string) => process.stdout.write(t);
    if (lockstep) {
      w(`\n32 MiB, blksize 512 lock-step, client tftp-hpa (${RUNS} runs each, CPU medians)\n`);
      for (const [k, v] of Object.entries(lockstep)) w(`${line(k, v)}\n`);
    }
    if (windowed) {
      w(`\n32 MiB, blksize 1428 + windowsize 16, client atftp (${RUNS} runs each, CPU medians)\n`);
      for (const [k, v] of Object.entries(windowed)) w(`${line(k, v)}\n`);
    }
    w(`\n${CONCURRENT} concurrent 1 MiB downloads (${RUNS} rounds each)\n`);
    for (const [client, byServer] of Object.entries(conc)) {
      for (const [k, v] of Object.entries(byServer)) {
        w(
          `  ${client} → ${k.padEnd(14)} ${v.allComplete ? "all complete" : "INCOMPLETE"}  best ${v.best.toFixed(2)} s  median ${v.median.toFixed(2)} s  server ${cpu(v.serverCpuMedian, v.systemCpuMedian)}\n`,
        );
      }
    }
    w(
      `\nprovisio server: ${oursStats.transfers} transfers, ${oursStats.incomplete} not complete, ${oursStats.retransmits} retransmits\n`,
    );
    await writeFile(join(OUT, "tftp_vs_peers.json"), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await ours.stop();
    await base?.stop();
    await hpa.stop();
    await atftpd.stop();
    await rm(SCRATCH, { recursive: true, force: true });
  }
}

await main();
