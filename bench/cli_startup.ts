/**
 * Start-up time of the `provisio` command, whole process, as a user runs it: `node
 * bin/provisio.js …` spawned N times per scenario, wall time from spawn to exit, median
 * (and min / max) printed, with the median CPU time (user + system, from /usr/bin/time when
 * present), which a busy shared machine inflates far less than wall time. Scenarios: Node
 * itself (`node -e 0`, the floor), `provisio --version`, and `provisio device list` on an empty
 * installation (initialised by another command first, as `serve` would have done), each also
 * without NODE_EXTRA_CA_CERTS where the machine sets it. Builds and runs the bundle in dist/,
 * which is what `npm ci` installs, with the environment a user has (no PROVISIO_FROM_SOURCE);
 * one untimed run of each command first leaves its code cache in dist/cache/, as a user's
 * first run does (D42). Figures: docs/decisions.md D42, D49.
 *
 *   npx tsx bench/cli_startup.ts [runs]        (default 31 runs per scenario)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "provisio.js");
const runs = Number(process.argv[2] ?? 31);

const TIME = "/usr/bin/time";
const haveTime = existsSync(TIME);

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number | undefined;
}

function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = userEnv): Sample {
  const [command, argv] = haveTime
    ? [TIME, ["-f", "cpu %U %S", process.execPath, ...args]]
    : [process.execPath, [...args]];
  const started = performance.now();
  const result = spawnSync(command, argv, {
    cwd,
    env,
    encoding: "utf8",
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    process.stderr.write(`${args.join(" ")} exited ${result.status}: ${result.stderr}\n`);
    process.exit(1);
  }
  const cpu = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(result.stderr);
  return { wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function summary(samples: readonly Sample[]): string {
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  const ms = (t: number) => `${t.toFixed(0)} ms`;
  return (
    `median ${ms(median(wall))}  min ${ms(wall[0]!)}  max ${ms(wall.at(-1)!)}` +
    (cpu.length > 0 ? `  cpu median ${ms(median(cpu))}` : "")
  );
}

// As a user runs it: the bundle `npm ci` built (built here from the sources as they are now),
// no PROVISIO_FROM_SOURCE.
const userEnv: NodeJS.ProcessEnv = { ...process.env };
delete userEnv.PROVISIO_FROM_SOURCE;
// NODE_EXTRA_CA_CERTS makes every Node process parse that file's certificates before any of its
// own code runs; where the machine sets it, the same scenarios run without it as well.
const extraCas = process.env.NODE_EXTRA_CA_CERTS;
const withoutExtraCas: NodeJS.ProcessEnv = { ...userEnv };
delete withoutExtraCas.NODE_EXTRA_CA_CERTS;

const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

const home = mkdtempSync(join(tmpdir(), "provisio-cli-startup-"));
const data = join(home, "data");
try {
  // Initialised by another command, as `serve` would have done; then one untimed run of each
  // measured command leaves its code cache, from a run like the timed ones.
  run([bin, "tenant", "list", "--data", data], home);
  run([bin, "device", "list", "--data", data], home);
  run([bin, "--version"], home);
  const base: [string, string[]][] = [
    ["node -e 0 (Node's own start, the floor)", ["-e", "0"]],
    ["provisio --version", [bin, "--version"]],
    ["provisio device list (empty installation, SQLite)", [bin, "device", "list", "--data", data]],
  ];
  const scenarios: [string, string[], NodeJS.ProcessEnv][] = [
    ...base.map(([name, args]): [string, string[], NodeJS.ProcessEnv] => [name, args, userEnv]),
    ...(extraCas === undefined
      ? []
      : base.map(([name, args]): [string, string[], NodeJS.ProcessEnv] => [
          `${name}, no NODE_EXTRA_CA_CERTS`,
          args,
          withoutExtraCas,
        ])),
  ];
  const times = scenarios.map((): Sample[] => []);
  // Interleaved, so a burst of load from elsewhere on the machine hits every scenario alike.
  for (let i = 0; i < runs; i++) {
    for (const [s, [, args, env]] of scenarios.entries()) times[s]!.push(run(args, home, env));
  }
  process.stdout.write(
    `${runs} runs each, whole process (spawn to exit, stdout a pipe), bundle in dist/, Node ${process.version}\n`,
  );
  if (extraCas !== undefined) {
    process.stdout.write(`this machine sets NODE_EXTRA_CA_CERTS=${extraCas}\n`);
  }
  scenarios.forEach(([name], s) => {
    process.stdout.write(`${name.padEnd(72)} ${summary(times[s]!)}\n`);
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
