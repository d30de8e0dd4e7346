/**
 * What the device-plane benchmarks share about the server as a process: the esbuild bundle
 * they run (as `npm start` does, no tsx), commands, `provisio serve` started and stopped, its
 * CPU from /proc, its workers, and the scenario's devices and tenant layer through the CLI.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

export function sh(cmd: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${argv.join(" ")}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** CPU ticks (user + system, 100 a second) the processes used so far. */
export function cpuTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks;
}

/** The devices' MACs: 000e08 and the index in hex. */
export const macOf = (i: number): string => `000e08${i.toString(16).padStart(6, "0")}`;

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The process and its descendants. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childPids(all[i]!));
  return all;
}

/** Bundles the CLI of the checkout at `root` into `out`; returns the script that runs it. */
export async function bundleCli(root: string, out: string): Promise<string> {
  await build({
    entryPoints: { main: join(root, "src/cli/main.ts") },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: join(out, "dist"),
    packages: "external",
    logLevel: "warning",
  });
  const runner = join(out, "run.mjs");
  writeFileSync(
    runner,
    'import { main } from "./dist/main.js";\nprocess.exitCode = await main(process.argv);\n',
  );
  return runner;
}

/**
 * `provisio serve` from the bundle `runner` on `dataDir`, its own process (killed if this one
 * exits), host 127.0.0.1, warnings only (an access line per request would measure the log
 * pipe), load shedding off (on a busy shared machine its event-loop-delay limit answers 503s;
 * this measures what the server can do, not when it gives up). `args`: ports, workers.
 * With `log`, an exit other than 0 is logged with the server's last output.
 */
export function spawnServe(options: {
  readonly runner: string;
  readonly dataDir: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly nodeArgs?: readonly string[];
  readonly log?: (s: string) => void;
}): { readonly child: ChildProcess; output(): string } {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      options.runner,
      "serve",
      "--data",
      options.dataDir,
      "--host",
      "127.0.0.1",
      "--log-level",
      "warn",
      ...options.args,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PROVISIO_SHEDDING_ENABLED: "false", ...options.env },
    },
  );
  let output = "";
  const orphan = (): void => void child.kill("SIGTERM");
  process.once("exit", orphan);
  child.once("exit", () => process.off("exit", orphan));
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-16_000)));
  child.stdout?.resume();
  const log = options.log;
  if (log !== undefined) {
    child.once("exit", (code, signal) => {
      if (code !== 0) log(`server exited (${code ?? signal}): ${output.slice(-2000)}`);
    });
  }
  return { child, output: () => output };
}

/**
 * `spawnServe`, then, after `settleMs`, `url` fetched every 100 ms until it answers 2xx (at
 * most ~30 s). Probe with a device no measured pass fetches: the probe warms it.
 */
export async function startServe(
  options: Parameters<typeof spawnServe>[0] & { readonly probe: string; readonly settleMs: number },
): Promise<ChildProcess> {
  const { child, output } = spawnServe(options);
  await new Promise((r) => setTimeout(r, options.settleMs));
  for (let i = 0; ; i++) {
    try {
      await sh("curl", ["-sf", "-o", "/dev/null", options.probe]);
      return child;
    } catch {
      if (i > 300) throw new Error(`server did not start: ${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** SIGTERM and its exit; a server that already exited is an error (the run measured nothing). */
export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(`the server exited early (${child.exitCode ?? child.signalCode})`);
  }
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** `url` fetched every 100 ms until its body has `text` (a change the server learnt). */
export async function untilAnswerHas(url: string, text: string): Promise<void> {
  for (let i = 0; ; i++) {
    const body = await sh("curl", ["-s", url]);
    if (body.includes(text)) return;
    if (i > 100) throw new Error(`${url} did not come to answer ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `count` devices (macOf order, SPA504G, serials from `serialBase`) as an import CSV at `csv`. */
export function writeDevicesCsv(csv: string, count: number, serialBase = 100_000): void {
  const lines = ["mac,model,serial"];
  for (let i = 0; i < count; i++) lines.push(`${macOf(i)},SPA504G,CCQ${serialBase + i}`);
  writeFileSync(csv, `${lines.join("\n")}\n`);
}

/** `provisio device import csv` on the installation. */
export async function importDevices(runner: string, dataDir: string, csv: string): Promise<void> {
  await sh(process.execPath, [runner, "device", "import", csv, "--data", dataDir]);
}

/** `provisio layer set` on the default tenant: `layer` as `NAME:access=value` arguments. */
export async function setTenantLayer(
  runner: string,
  dataDir: string,
  layer: readonly string[],
): Promise<void> {
  await sh(process.execPath, [
    runner,
    "layer",
    "set",
    "--tenant",
    "default",
    "--data",
    dataDir,
    ...layer,
  ]);
}

/**
 * The provider's tenant layer (22 parameters, 7 templated per device) as `layer set`
 * arguments; `syslog` names its Syslog_Server (a version to tell one edit from the next).
 */
export function tenantLayerArgs(syslog = "syslog.example.com"): string[] {
  return [
    "Resync_On_Reset:na=Yes",
    "Resync_Periodic:na=3600",
    "Resync_Error_Retry_Delay:na=1800,3600,7200,14400",
    "Profile_Rule:na=http://prov.example.com/profile/$MA.xml",
    "Upgrade_Enable:na=Yes",
    "Admin_Passwd:na=S3cret-Admin",
    "Proxy_1_:na=sip.example.com",
    "Outbound_Proxy_1_:na=sbc.example.com",
    "Line_Enable_1_:na=Yes",
    "Register_Expires_1_:na=3600",
    "Dial_Plan_1_:ro=(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.)",
    "Primary_NTP_Server:na=ntp.example.com",
    "Time_Zone:rw=GMT+01:00",
    `Syslog_Server:na=${syslog}`,
    "Voice_Mail_Number:na=*97",
    "Station_Name:rw=Phone {{ device.mac_upper }}",
    "User_ID_1_:na={{ device.serial }}",
    "Auth_ID_1_:na=auth-{{ device.serial }}",
    "Display_Name_1_:rw=Desk {{ device.mac | slice: 6, 6 }}",
    "Short_Name_1_:rw={{ device.mac | slice: 8, 4 }}",
    "Text_Logo:na={{ device.model }} {{ device.mac_upper }}",
    "Upgrade_Rule:na=http://fw.example.com/{{ device.model }}/{{ device.mac }}.bin",
  ];
}
