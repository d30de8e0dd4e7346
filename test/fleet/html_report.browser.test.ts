/**
 * The fleet's HTML report opened in a real browser (Debian's Chromium through
 * playwright-core): `provisio fleet --report` against a plain node:http server, then the
 * file loaded from file:// with every other request aborted — the report must render
 * offline, its charts drawn and its numbers shown, without a console error.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CHROMIUM = "/usr/bin/chromium";
const DEVICES = 12;
const REFUSED = 6;
const PROFILE = `<flat-profile><Resync_Periodic ua="na">3600</Resync_Periodic></flat-profile>`;

let dir: string;
let server: Server;
let context: BrowserContext | undefined;
let requests = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fleet-report-"));
  // The first requests are refused as an overloaded server does, so every chart has data.
  server = createServer((_, res) => {
    requests++;
    const busy = requests <= REFUSED;
    res.writeHead(busy ? 503 : 200, { "Content-Type": "text/xml" });
    res.end(busy ? "busy" : PROFILE);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  // A fresh profile directory (playwright passes it as --user-data-dir).
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    viewport: { width: 1200, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  rmSync(dir, { recursive: true, force: true });
});

function fleet(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin/provisio.js"), "fleet", ...args],
      { cwd: ROOT, env: { ...process.env, PROVISIO_FROM_SOURCE: "1" }, maxBuffer: 8 << 20 },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe("fleet HTML report in Chromium", () => {
  it("renders offline: uPlot charts drawn, the summary's numbers shown, no console error", async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const report = join(dir, "fleet.html");
    const { port } = server.address() as AddressInfo;
    const r = await fleet([
      "--devices",
      String(DEVICES),
      "--model",
      "SPA962",
      "--profile-rule",
      `http://127.0.0.1:${port}/$MA.xml`,
      "--set",
      "Resync_Error_Retry_Delay=60",
      "--duration",
      "3h",
      "--ramp",
      "10m",
      "--speed",
      "max",
      "--json",
      "--report",
      report,
    ]);
    expect(r.stderr).toContain(`report written to ${report}`);
    const summary = JSON.parse(r.stdout) as {
      virtualMs: number;
      resyncsOk: number;
      resyncsFailed: number;
      statuses: Record<string, number>;
    };
    expect(summary.resyncsFailed).toBe(REFUSED);
    expect(summary.resyncsOk).toBe(requests - REFUSED);

    const page = await context!.newPage();
    const problems: string[] = [];
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    await context!.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file://")) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(report).href, { waitUntil: "load" });

    const canvases = await page.$$eval("div.chart canvas", (els) =>
      els.map((c) => {
        // Runs in the page; the project's tsconfig has no DOM lib, so the canvas is typed here.
        const canvas = c as unknown as {
          width: number;
          height: number;
          getBoundingClientRect(): { width: number; height: number };
        };
        const box = canvas.getBoundingClientRect();
        return { w: canvas.width, h: canvas.height, cssW: box.width, cssH: box.height };
      }),
    );
    expect(canvases).toHaveLength(3);
    for (const c of canvases) {
      expect(c.w).toBeGreaterThan(0);
      expect(c.h).toBeGreaterThan(0);
      expect(c.cssW).toBeGreaterThan(0);
      expect(c.cssH).toBeGreaterThan(0);
    }
    expect(await page.$$eval(".uplot .u-title", (els) => els.map((e) => e.textContent))).toEqual([
      "Resyncs per interval",
      "Device-side fetch latency",
      "Overload answers (503 / 429) per interval",
    ]);
    // The charts span the whole simulated run, not just up to the last resync, and an
    // interval without a fetch is a gap in the latency line, not a 0 ms point.
    const shape = await page.evaluate(() => {
      type Plot = { scales: { x: { max: number } }; data: (number | null)[][] };
      const charts = (globalThis as unknown as { fleetCharts: Plot[] }).fleetCharts;
      const [resyncs, latency] = charts;
      const at = (x: number) => latency!.data[0]!.findIndex((t) => t !== null && t >= x);
      return {
        xMax: charts.map((c) => c.scales.x.max),
        lastT: resyncs!.data[0]![resyncs!.data[0]!.length - 1],
        quietP50: latency!.data[1]![at(2000)],
        busyP50: latency!.data[1]![0],
      };
    });
    for (const max of shape.xMax) expect(max).toBeGreaterThanOrEqual(summary.virtualMs / 1000);
    expect(shape.lastT).toBeGreaterThan(summary.virtualMs / 1000 - 200);
    expect(shape.quietP50).toBeNull();
    expect(shape.busyP50).toBeGreaterThan(0);
    const text = await page.textContent("#summary");
    expect(text).toContain(String(summary.resyncsOk));
    expect(text).toContain(String(summary.resyncsFailed));
    const statusRows = await page.$$eval("section", (els) => els.map((e) => e.textContent ?? ""));
    expect(statusRows.some((t) => t.includes("503") && t.includes(String(REFUSED)))).toBe(true);
    expect(statusRows.some((t) => t.includes("SP-CUST") && t.includes(String(DEVICES)))).toBe(true);

    await page.screenshot({ path: "/tmp/fleet-report.png", fullPage: true });
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
