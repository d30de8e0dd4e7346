/**
 * The emulator's behaviour switches (`--compat`) and the MPP inactive load
 * (`--inactive-load`) through `provisio emulate` and `provisio fleet`, each its own process,
 * against a plain node:http server: what the units send and do shows the flags took.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetMac } from "../../src/fleet/index.ts";
import { runCli } from "../cli/run_cli.ts";
import { startEmulate } from "./emulate_process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ENV = { ...process.env, PROVISIO_FROM_SOURCE: "1" };
const RUNNING = "sip88xx.11-3-1MPP-678";
const INACTIVE = "sip88xx.11-3-2MPP0001-609";

let server: Server;
let base: string;
/** `METHOD path user-agent` of every request. */
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers["user-agent"] ?? ""}`);
    if (req.url?.startsWith("/p/") === true) {
      // A rule naming the inactive load: only the inactive partition can provide it.
      res.setHeader("Content-Type", "text/xml");
      res.end(
        `<flat-profile><Upgrade_Rule ua="na">($SWVER ne ${INACTIVE})? ${base}/fw/${INACTIVE}.loads</Upgrade_Rule></flat-profile>`,
      );
      return;
    }
    if (req.url?.startsWith("/s/") === true) {
      res.setHeader("Content-Type", "text/xml");
      res.end("<flat-profile></flat-profile>");
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

const cli = (args: readonly string[]) => runCli(args, { cwd: ROOT, env: ENV });

describe("provisio emulate --compat / --inactive-load", () => {
  it("an MPP unit with a load in its inactive partition activates it without a download; the unit runs with the switches given", async () => {
    const mac = "000e08f20001";
    const unit = startEmulate([
      "--mac",
      mac,
      "--model",
      "CP-8841-3PCC",
      "--swver",
      RUNNING,
      "--inactive-load",
      INACTIVE,
      "--profile-rule",
      `${base}/p/$MA.xml`,
      "--compat",
      "randomDelayUnitSeconds=1",
      "--compat",
      "reportHidePasswords",
      "--compat",
      "kdfDigests=sha256,md5",
    ]);
    const installed = `installed firmware ${INACTIVE}`;
    await unit.waitFor(installed);
    expect(await unit.interrupt()).toBe(0);
    const log = unit.lines();
    const listening = log.find((l) => l.msg === "device emulator listening");
    expect(listening?.compat).toEqual({
      randomDelayUnitSeconds: 1,
      reportHidePasswords: true,
      kdfDigests: ["sha256", "md5"],
    });
    expect(listening?.inactiveLoad).toBe(INACTIVE);
    expect(log.map((l) => l.msg)).toContain(
      `load ${INACTIVE} is in the inactive partition: activated without download`,
    );
    expect(log.map((l) => l.msg)).toContain(installed);
    const mine = requests.filter((r) => r.includes(mac));
    expect(mine[0]).toBe(`GET /p/${mac}.xml Cisco-CP-8841-3PCC/${RUNNING} (${mac})`);
    expect(requests.some((r) => r.includes(".loads"))).toBe(false);
  });

  it("refuses an unknown switch, a bad value, and an inactive load on an SPA unit", async () => {
    const unit = ["emulate", "--mac", "000e08f20002", "--model", "SPA962"];
    const unknown = await cli([...unit, "--compat", "hidePasswords"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("CLI_BAD_OPTION");
    expect(unknown.stderr).toContain('unknown switch "hidePasswords"');
    const bad = await cli([...unit, "--compat", "zeroRetryMeans=sometimes"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not one of never|immediate");
    const spa = await cli([...unit, "--inactive-load", INACTIVE]);
    expect(spa.code).toBe(1);
    expect(spa.stderr).toContain("DEVICE_OPTION_INVALID");
  });

  it("--help lists every switch with its values", async () => {
    const help = (await cli(["emulate", "--help"])).stdout.toString("utf8");
    expect(help).toContain("--inactive-load <version>");
    expect(help).toContain("reportHidePasswords=true|false");
    expect(help).toContain("forcedDelayMode=cap|idleCountdown");
  });
});

describe("provisio fleet --compat / --inactive-load", () => {
  it("every unit gets the inactive load", async () => {
    requests.length = 0;
    const r = await cli([
      "fleet",
      "--devices",
      "3",
      "--model",
      "CP-8841-3PCC",
      "--inactive-load",
      INACTIVE,
      "--profile-rule",
      `${base}/p/$MA.xml`,
      "--duration",
      "30m",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.toString("utf8")) as {
      firmware: Record<string, number>;
    };
    // Each unit switched to its inactive load: no image was fetched.
    expect(summary.firmware).toEqual({ [`CP-8841-3PCC ${INACTIVE}`]: 3 });
    expect(requests.some((q) => q.includes(".loads"))).toBe(false);
  });

  it("every unit gets the switches (uaIncludesMac: the MAC in each SPA unit's User-Agent)", async () => {
    requests.length = 0;
    const r = await cli([
      "fleet",
      "--devices",
      "2",
      "--model",
      "SPA962",
      "--compat",
      "uaIncludesMac",
      "--profile-rule",
      `${base}/s/$MA.xml`,
      "--duration",
      "10m",
      "--json",
    ]);
    expect(r.code).toBe(0);
    for (const i of [0, 1]) {
      const mac = fleetMac(i);
      expect(requests).toContain(
        `GET /s/${mac}.xml Cisco/SPA962-2.0.6(b) (${mac.toUpperCase()})(88012${mac.slice(6).toUpperCase()})`,
      );
    }
  });

  it("--help lists the switches", async () => {
    const help = (await cli(["fleet", "--help"])).stdout.toString("utf8");
    expect(help).toContain("--compat <name[=value]>");
    expect(help).toContain("uaIncludesMac=true|false");
  });
});
