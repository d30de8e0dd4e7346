/**
 * A fleet against a plain node:http server (not ours): what the units fetch is counted on
 * the server's side, so the summary's numbers are checked against the requests that arrived.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  devicesFromCsv,
  Fleet,
  fleetMac,
  fleetReportHtml,
  sequentialDevices,
} from "../../src/fleet/index.ts";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

/** Answers every request with `reply(path)`; returns the base URL and the paths asked. */
async function serve(reply: (path: string, n: number) => { status: number; body: string }) {
  const paths: string[] = [];
  const sources: string[] = [];
  server = createServer((req, res) => {
    paths.push(req.url ?? "");
    sources.push(req.socket.remoteAddress ?? "");
    const r = reply(req.url ?? "", paths.length);
    res.writeHead(r.status, { "Content-Type": "text/xml" });
    res.end(r.body);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths, sources };
}

const PROFILE = `<flat-profile><Resync_Periodic ua="na">3600</Resync_Periodic></flat-profile>`;

describe("Fleet", () => {
  it("every unit resyncs at boot and then hourly; the summary counts what the server saw", async () => {
    const { base, paths } = await serve(() => ({ status: 200, body: PROFILE }));
    const fleet = new Fleet({
      devices: sequentialDevices(12, "SPA962"),
      profileRule: `${base}/$MA.xml`,
      durationMs: 2 * 3600_000 + 200_000,
      rampMs: 60_000,
      speed: "max",
    });
    const s = await fleet.run();
    expect(s.resyncsOk).toBe(paths.length);
    expect(s.fetches).toBe(paths.length);
    // Powered on within the first 100 s (ramp + boot delay): boot, +1 h, +2 h.
    expect(s.causes).toEqual({ periodic: 24, boot: 12 });
    expect(new Set(paths)).toEqual(
      new Set(Array.from({ length: 12 }, (_, i) => `/${fleetMac(i)}.xml`)),
    );
    expect(s.states).toEqual({ "SP-CUST": 12 });
    expect(s.firmware).toEqual({ "SPA962 2.0.6(b)": 12 });
    expect(s.series.resyncsOk.reduce((a, b) => a + b, 0)).toBe(s.resyncsOk);
  });

  it("a reboot storm into an overloaded server: 503s are counted and the units retry on their schedule", async () => {
    // The first 10 requests are turned away, as an overloaded server does.
    const { base, paths } = await serve((_, n) =>
      n <= 10 ? { status: 503, body: "busy" } : { status: 200, body: PROFILE },
    );
    const fleet = new Fleet({
      devices: sequentialDevices(10, "SPA962"),
      profileRule: `${base}/$MA.xml`,
      settings: { Resync_Error_Retry_Delay: "60" },
      durationMs: 1800_000,
      rebootStorm: true,
      speed: "max",
    });
    const s = await fleet.run();
    expect(s.statuses).toEqual({ "503": 10 });
    expect(s.resyncsFailed).toBe(10);
    expect(s.failureReasons).toEqual({ "http_get failed": 10 });
    // All ten boot resyncs were refused; each unit retried once, 60 s later, and got in.
    expect(s.causes).toEqual({ boot: 10, retry: 10 });
    expect(s.resyncsOk).toBe(10);
    expect(paths.length).toBe(20);
    expect(s.states).toEqual({ "SP-CUST": 10 });
    expect(s.series.overloaded.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("spreads the units over loopback source addresses, so the server sees many clients", async () => {
    const { base, sources } = await serve(() => ({ status: 200, body: PROFILE }));
    const s = await new Fleet({
      devices: sequentialDevices(6, "SPA962"),
      profileRule: `${base}/$MA.xml`,
      durationMs: 120_000,
      rampMs: 1000,
      speed: "max",
      sourceAddresses: 3,
    }).run();
    expect(s.resyncsOk).toBe(6);
    expect([...new Set(sources)].sort()).toEqual(["127.1.0.1", "127.1.0.2", "127.1.0.3"]);
    expect(sources.filter((a) => a === "127.1.0.2")).toHaveLength(2);
  });

  it("refuses an empty fleet and a non-positive duration", () => {
    expect(() => new Fleet({ devices: [], durationMs: 1, speed: "max" })).toThrow(/at least one/);
    expect(
      () => new Fleet({ devices: sequentialDevices(1, "SPA962"), durationMs: 0, speed: "max" }),
    ).toThrow(/duration/);
  });
});

describe("fleet devices", () => {
  it("the default range starts at 000e08000000", () => {
    expect(sequentialDevices(3, "SPA962").map((d) => d.mac)).toEqual([
      "000e08000000",
      "000e08000001",
      "000e08000002",
    ]);
  });

  it("an import CSV: header in any order and case, other columns ignored, model defaulted", () => {
    const rows = [
      { line: 1, fields: ["Serial", "MAC", "account", "Model"] },
      { line: 2, fields: ["CCQ1", "00:0E:08:AA:BB:01", "C-1", "SPA504G"] },
      { line: 3, fields: ["", "000e08aabb02", "", ""] },
    ];
    expect(devicesFromCsv(rows, "SPA962")).toEqual([
      { mac: "000e08aabb01", model: "SPA504G", serial: "CCQ1" },
      { mac: "000e08aabb02", model: "SPA962" },
    ]);
  });

  it("a CSV without a mac column, with a bad or repeated MAC, is refused with its line", () => {
    expect(() => devicesFromCsv([{ line: 1, fields: ["model"] }], "SPA962")).toThrow(
      /no mac column/,
    );
    const header = { line: 1, fields: ["mac"] };
    expect(() => devicesFromCsv([header, { line: 2, fields: ["xyz"] }], "SPA962")).toThrow(
      /line 2/,
    );
    expect(() =>
      devicesFromCsv(
        [header, { line: 2, fields: ["000e08aabb01"] }, { line: 3, fields: ["000E08AABB01"] }],
        "SPA962",
      ),
    ).toThrow(/line 3: MAC 000e08aabb01 appears twice/);
    expect(() => devicesFromCsv([header], "SPA962")).toThrow(/no devices/);
  });
});

describe("HTML report", () => {
  it("is one self-contained page, and no value in the data can close its script element", async () => {
    const { base } = await serve(() => ({ status: 200, body: PROFILE }));
    const s = await new Fleet({
      devices: sequentialDevices(2, "SPA962"),
      profileRule: `${base}/$MA.xml`,
      durationMs: 120_000,
      speed: "max",
    }).run();
    const hostile = { ...s, failureReasons: { "</script><script>alert(1)</script>": 1 } };
    const html = fleetReportHtml(hostile);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);
    expect(html).toContain("uPlot");
    // Exactly the library's, the data's and the page's script elements.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const data = /<script type="application\/json" id="fleet-data">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(data![1]!).failureReasons).toEqual(hostile.failureReasons);
  });
});
