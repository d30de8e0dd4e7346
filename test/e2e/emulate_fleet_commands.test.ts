/**
 * The commands as an operator runs them, each its own process: `provisio serve`, then
 * `provisio emulate` (one unit in real time, its log on stdout) and `provisio fleet`
 * (units on the max-speed clock, a summary and a self-contained HTML report).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetMac } from "../../src/fleet/index.ts";
import { dataPaths, readMasterKey, sealerFor } from "../../src/server/index.ts";
import { openStore, parseMac } from "../../src/store/index.ts";
import { tempDir } from "../server/helpers.ts";
import { type ServeProcess, startServeProcess } from "../server/serve_process.ts";
import { startEmulate } from "./emulate_process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FLEET = 20;

let dir: string;
let serve: ServeProcess;

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin/provisio.js"), ...args],
      { cwd: ROOT, env: { ...process.env, PROVISIO_FROM_SOURCE: "1" }, maxBuffer: 8 << 20 },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = tempDir("e2e-cli");
  const data = join(dir, "data");
  // First start creates the installation; then the fleet's devices and layers go in.
  const first = await startServeProcess(data);
  await first.stop();
  const paths = dataPaths(data);
  const store = await openStore(
    { kind: "sqlite", file: paths.database },
    { sealer: sealerFor(readMasterKey(paths.masterKey)) },
  );
  await store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  await store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  await store.devices.bulkUpsert(
    Array.from({ length: FLEET }, (_, i) => ({ mac: parseMac(fleetMac(i)), modelPn: "SPA962" })),
  );
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Voice_Mail_Number", value: "*98", access: "rw" },
  ]);
  await store.close();
  serve = await startServeProcess(data);
}, 120_000);

afterAll(async () => {
  await serve?.stop();
});

describe("provisio emulate", () => {
  it("runs one unit in real time: it powers on, resyncs against serve and logs it", async () => {
    const unit = startEmulate([
      "--mac",
      fleetMac(0),
      "--model",
      "SPA962",
      "--profile-rule",
      `${serve.http}/profile/$MA.xml`,
      // Seed 7 draws a boot delay of 0 s from Resync_Random_Delay's window.
      "--seed",
      "7",
    ]);
    await unit.waitFor("resync done");
    expect(await unit.interrupt()).toBe(0);
    const log = unit.lines();
    const listening = log.find((l) => l.msg === "device emulator listening");
    expect(listening?.state).toBe("SP-CUST");
    expect(String(listening?.web)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const resync = log.find((l) => l.msg === "resync done");
    expect(resync?.cause).toBe("boot");
    expect(resync?.requests).toEqual([
      `GET ${serve.http}/profile/${fleetMac(0)}.xml → ok (1 changed)`,
    ]);
    expect(log.some((l) => l.msg === "powering off")).toBe(true);
  }, 120_000);

  it("refuses a bad MAC with the device's error code", async () => {
    const r = await cli(["emulate", "--mac", "00:0e:zz", "--model", "SPA962"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("DEVICE_IDENTITY_INVALID");
  });
});

describe("provisio fleet", () => {
  it("runs the sequential fleet for 3 simulated hours, prints the summary and writes the report", async () => {
    const report = join(dir, "fleet.html");
    const r = await cli([
      "fleet",
      "--devices",
      String(FLEET),
      "--model",
      "SPA962",
      "--profile-rule",
      `${serve.http}/profile/$MA.xml`,
      "--duration",
      "3h",
      "--ramp",
      "30m",
      "--json",
      "--report",
      report,
    ]);
    expect(r.stderr).toContain(`report written to ${report}`);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      devices: number;
      resyncsOk: number;
      resyncsFailed: number;
      states: Record<string, number>;
      causes: Record<string, number>;
      series: { t: number[] };
    };
    expect(summary.devices).toBe(FLEET);
    expect(summary.resyncsFailed).toBe(0);
    expect(summary.states).toEqual({ "SP-CUST": FLEET });
    // Each unit: one boot resync, then one an hour (the server's Resync_Periodic) — 2 or 3
    // periodic ones in 3 h depending on where in the 30 min ramp it powered on.
    expect(summary.causes.boot).toBe(FLEET);
    expect(summary.causes.periodic).toBeGreaterThanOrEqual(2 * FLEET);
    expect(summary.causes.periodic).toBeLessThanOrEqual(3 * FLEET);
    const html = readFileSync(report, "utf8");
    // Self-contained: the chart library inline, no external script, stylesheet or image.
    expect(html).toContain("uPlot");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/i);
    const data = /<script type="application\/json" id="fleet-data">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(data![1]!).resyncsOk).toBe(summary.resyncsOk);
    // The server counted every one of the fleet's fetches as a successful HTTP resync.
    const metrics = await (await fetch(`${serve.admin}/metrics`)).text();
    const served = /provisio_resyncs_total\{transport="http",result="ok"\} (\d+)/.exec(metrics);
    // Plus the emulate test's unit (its boot resync; it ran before).
    expect(Number(served?.[1])).toBe(summary.resyncsOk + 1);
  }, 120_000);

  it("--set applies a parameter to every unit before power-on (Provision_Enable=No: no resync)", async () => {
    const r = await cli([
      "fleet",
      "--devices",
      "3",
      "--profile-rule",
      `${serve.http}/profile/$MA.xml`,
      "--set",
      "Provision_Enable=No",
      "--duration",
      "2h",
      "--json",
    ]);
    const summary = JSON.parse(r.stdout) as { resyncsOk: number; fetches: number };
    expect(summary.fetches).toBe(0);
    expect(r.code).toBe(1); // not one resync succeeded
  });

  it("takes a device import CSV, and names the line of a bad MAC", async () => {
    const csv = join(dir, "fleet.csv");
    writeFileSync(csv, `mac,model,serial\n${fleetMac(1)},SPA962,CCQ1\nnot-a-mac,SPA962,CCQ2\n`);
    const r = await cli(["fleet", "--devices-csv", csv, "--duration", "1m"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("line 3: not a MAC address");
  });
});
