/**
 * What the device-plane benchmarks share about the server as a process: the esbuild bundle
 * they run (as `npm start` does, no tsx), commands, its CPU from /proc, its workers, and the
 * scenario's tenant layer as `provisio layer set` arguments.
 */
import { execFile } from "node:child_process";
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
