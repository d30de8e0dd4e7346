/**
 * Device history from the CLI: a device resyncs over HTTP, HTTPS and TFTP against a real node
 * (real sockets, curl, tftp-hpa); `provisio device events MAC` and `provisio events` then show
 * those fetches — transport, path, result, status, bytes, source, User-Agent — and why a
 * refusal was refused.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "../server/helpers.ts";
import { provisio } from "./helpers.ts";

const MAC = parseMac("000e08aabb51");
const UNKNOWN = "000e08ffff51";

let node: ProvisioNode;
let dataDir: string;
let dir: string;

function tftpGet(port: number, file: string, out: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      "tftp",
      ["-m", "binary", "127.0.0.1", String(port), "-c", "get", file, out],
      { timeout: 10_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

beforeAll(async () => {
  dir = tempDir("events");
  dataDir = join(dir, "data");
  node = await startTestNode(dataDir, { tftpPort: "0" });
  await node.store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  await node.store.devices.create({ mac: MAC, modelPn: "SPA504G", label: "front desk" });
  await node.store.layers.set({ scope: "device", mac: MAC }, [
    { name: "Resync_Periodic", value: "3600", access: null },
  ]);
  await node.cache.settled();
  const http = `http://127.0.0.1:${node.addresses.http!.port}`;
  const https = `https://127.0.0.1:${node.addresses.https!.port}`;
  const ua = ["-A", "Cisco/SPA504G-7.6.2 (000E08AABB51)(CCQ1)"];
  expect((await curl([...ua, `${http}/profile/${MAC}.xml`])).status).toBe(200);
  expect(
    (await curl([...ua, "--cacert", node.boot.paths.serverCert, `${https}/profile/${MAC}.xml`]))
      .status,
  ).toBe(200);
  await tftpGet(node.addresses.tftp!.port, `profile/${MAC}.xml`, join(dir, "t.xml"));
  expect((await curl([`${http}/profile/${UNKNOWN}.xml`])).status).toBe(404);
  // Closing flushes the batched writer and the aggregated refusals.
  await node.close();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("provisio device events", () => {
  it("shows the device's fetches over HTTP, HTTPS and TFTP, oldest first, with the details", async () => {
    const r = await provisio(["device", "events", "00:0E:08:AA:BB:51", "--data", dataDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+MAC\s+TRANSPORT\s+RESULT\s+STATUS\s+BYTES\s+MS\s+SOURCE/);
    const forProfile = lines.filter(
      (l) => l.includes(`/profile/${MAC}.xml`) || l.includes(` profile/${MAC}.xml`),
    );
    const fetches = forProfile.filter((l) => l.split(/\s+/)[3] !== "lifecycle");
    // Its first own profile is also a lifecycle transition, with the fetch as its cause.
    expect(forProfile.filter((l) => l.split(/\s+/)[3] === "lifecycle")).toEqual([
      expect.stringMatching(/→ SP-CUST: fetched its own profile/),
    ]);
    expect(fetches.map((l) => l.split(/\s+/)[2])).toEqual(["http", "https", "tftp"]);
    for (const line of fetches) {
      expect(line).toMatch(/\sok\s+200\s+\d+\s/);
      expect(line).toContain("127.0.0.1");
    }
    expect(fetches[0]).toContain("Cisco/SPA504G-7.6.2");
    // The lifecycle: the device's creation, from the audit log.
    expect(lines.some((l) => /\schange\s+device\.create\s/.test(l))).toBe(true);
  });

  it("prints JSON lines with --json, and --limit keeps the newest", async () => {
    const r = await provisio([
      "device",
      "events",
      MAC,
      "--data",
      dataDir,
      "--json",
      "--limit",
      "2",
    ]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { transport: string; statusCode: number; bytes: number });
    expect(events.map((e) => e.transport)).toEqual(["https", "tftp"]);
    expect(events.every((e) => e.statusCode === 200 && e.bytes > 0)).toBe(true);
  });
});

describe("provisio events", () => {
  it("lists every device's events and filters by result, with the reason for a refusal", async () => {
    const all = await provisio(["events", "--data", dataDir, "--json"]);
    expect(all.code).toBe(0);
    const rows = all.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { result: string; path: string | null; message: string | null });
    expect(rows.filter((e) => e.result === "ok")).toHaveLength(3);
    const refused = await provisio(["events", "--data", dataDir, "--result", "not-found"]);
    expect(refused.code).toBe(0);
    const lines = refused.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`/profile/${UNKNOWN}.xml`);
    expect(lines[1]).toMatch(/\snot-found\s+404\s/);
  });

  it("refuses a malformed --since with a clear message", async () => {
    const r = await provisio(["events", "--data", dataDir, "--since", "yesterday"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--since must be");
    const ok = await provisio(["events", "--data", dataDir, "--since", "1h", "--json"]);
    expect(ok.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(4);
  });

  it("follows the log: an event written after it started is printed", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./helpers.ts");
    const child = spawn(
      process.execPath,
      [BIN, "events", "--data", dataDir, "--follow", "--json", "--interval", "100", "--limit", "1"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let waiting: (() => void) | undefined;
    const count = () => out.split("\n").filter((l) => l.startsWith("{")).length;
    let want = 0;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (count() >= want) waiting?.();
    });
    const seen = (n: number) =>
      new Promise<void>((resolve) => {
        want = n;
        waiting = resolve;
        if (count() >= n) resolve();
      });
    await seen(1);
    const later = await startTestNode(dataDir, { tftpPort: "off" });
    try {
      await curl([`http://127.0.0.1:${later.addresses.http!.port}/profile/${MAC}.xml`]);
    } finally {
      await later.close();
    }
    await seen(2);
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const followed = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { transport: string; result: string });
    expect(followed.at(-1)).toMatchObject({ transport: "http", result: "ok" });
  }, 120_000);
});

describe("provisio events --follow on PostgreSQL", () => {
  it("prints an event whose transaction commits after a later one's (two nodes appending at once)", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./helpers.ts");
    const { default: pg } = await import("pg");
    const { randomUUID } = await import("node:crypto");
    const url = process.env.PROVISIO_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
    const schema = `t_ev_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const client = () => new pg.Client({ connectionString: url });
    const admin = client();
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const env = { PROVISIO_DATABASE_URL: url, PROVISIO_DATABASE_SCHEMA: schema };
    const pgData = join(dir, "pg-data");
    const [a, b] = [client(), client()];
    let child: ReturnType<typeof spawn> | undefined;
    try {
      expect((await provisio(["events", "--data", pgData], { env })).code).toBe(0); // migrates
      child = spawn(
        process.execPath,
        [BIN, "events", "--data", pgData, "--follow", "--json", "--interval", "100"],
        { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
      );
      let out = "";
      child.stdout!.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      const printed = async (mac: string) => {
        for (let i = 0; i < 300 && !out.includes(mac); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return out.includes(mac);
      };
      await Promise.all([a.connect(), b.connect()]);
      const insert = (c: InstanceType<typeof pg.Client>, mac: string) =>
        c.query(
          `insert into ${schema}.events (mac, at, transport, result, status_code, path) values ($1, $2, 'http', 'ok', 200, '/x.xml')`,
          [mac, Date.now()],
        );
      await a.query("begin");
      await insert(a, "000e08ee0001"); // the lower id…
      await b.query("begin");
      await insert(b, "000e08ee0002");
      await b.query("commit"); // …becomes visible second
      expect(await printed("000e08ee0002")).toBe(true);
      await a.query("commit");
      expect(await printed("000e08ee0001")).toBe(true);
    } finally {
      child?.kill("SIGINT");
      await Promise.all([a.end().catch(() => {}), b.end().catch(() => {})]);
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  }, 120_000);
});
