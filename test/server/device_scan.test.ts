/**
 * Scan resistance of the device plane, over real sockets: misses (unknown MAC, no profile at
 * this path) are throttled per source on HTTP and TFTP, a scan is logged once, the events
 * table grows by a bounded number of rows, and a legitimate device elsewhere keeps getting
 * its profile. Unknown devices and other tenants' devices get the same answer.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";
import { httpFrom, tftpFirstAnswer } from "./sources.ts";

const LEGIT = parseMac("000e08c0ffee");
const OTHERS = parseMac("000e08c0ff00");
const OTHERS_COLD = parseMac("000e08c0ff01");
/** Misses per minute before a source is throttled (the default). */
const BUDGET = 120;
let node: ProvisioNode;
let http: string;
let tftpPort: number;
let dbFile: string;

beforeAll(async () => {
  node = await startTestNode(join(tempDir("scan"), "data"), { tftpPort: "0" });
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  tftpPort = node.addresses.tftp!.port;
  dbFile = node.config.database.kind === "sqlite" ? node.config.database.file : "";
  await node.store.devices.create({ mac: LEGIT });
  await node.store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
  ]);
  const other = await node.store.tenants.create({
    slug: "other-sp",
    name: "Other SP",
    settings: { profilePaths: ["/other/$MA.xml"] },
  });
  await node.store.devices.create({ mac: OTHERS, tenantId: other.id });
  await node.store.devices.create({ mac: OTHERS_COLD, tenantId: other.id });
  await node.cache.settled();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

const mac = (i: number): string => `000e08${(0xa00000 + i).toString(16)}`;

function eventRows(where: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from events where ${where}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("unknown and someone else's device", () => {
  it("get the same status, body and headers over HTTP, and the same TFTP error", async () => {
    const client = httpFrom("127.0.0.5");
    try {
      const unknown = await client.get(`${http}/profile/${mac(999_999)}.xml`);
      const foreign = await client.get(`${http}/profile/${OTHERS}.xml`);
      const strip = (h: Record<string, unknown>) => {
        const { date: _date, ...rest } = h;
        return rest;
      };
      expect(foreign.status).toBe(404);
      expect(unknown.status).toBe(foreign.status);
      expect(unknown.body).toBe(foreign.body);
      expect(strip(unknown.headers)).toEqual(strip(foreign.headers));
    } finally {
      client.close();
    }
    const unknownTftp = await tftpFirstAnswer("127.0.0.5", tftpPort, `profile/${mac(999_998)}.xml`);
    const foreignTftp = await tftpFirstAnswer("127.0.0.5", tftpPort, `profile/${OTHERS}.xml`);
    expect(foreignTftp.kind).toBe("error");
    expect(unknownTftp).toEqual(foreignTftp);
  });
});

/** Records every store call (repositories wrapped in place; behaviour unchanged). */
function recordStoreCalls(store: object): string[] {
  const calls: string[] = [];
  const repos = store as Record<string, object>;
  for (const name of ["tenants", "models", "devices", "accounts", "groups", "layers"]) {
    const repo = repos[name] as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(repo))) {
      const fn = repo[key];
      if (key === "constructor" || typeof fn !== "function") continue;
      repo[key] = (...args: unknown[]) => {
        calls.push(`${name}.${key}`);
        return (fn as (...a: unknown[]) => unknown).apply(repo, args);
      };
    }
  }
  return calls;
}

describe("the same database work for unknown and someone else's device", () => {
  it("one device lookup each when cold, none when warm", async () => {
    const calls = recordStoreCalls(node.store);
    const client = httpFrom("127.0.0.8");
    try {
      const work = async (path: string): Promise<string[]> => {
        calls.length = 0;
        expect((await client.get(`${http}${path}`)).status).toBe(404);
        return [...calls];
      };
      const unknownCold = await work(`/profile/${mac(888_888)}.xml`);
      const foreignCold = await work(`/profile/${OTHERS_COLD}.xml`);
      expect(unknownCold).toEqual(["devices.findByMac"]);
      expect(foreignCold).toEqual(unknownCold);
      expect(await work(`/profile/${mac(888_888)}.xml`)).toEqual([]);
      expect(await work(`/profile/${OTHERS_COLD}.xml`)).toEqual([]);
    } finally {
      client.close();
    }
  });
});

describe("miss throttling and scan detection", () => {
  it("throttles one source's misses over HTTP, logs one scan, bounded rows; a legitimate device keeps 200", async () => {
    const attacker = httpFrom("127.0.0.3");
    const device = httpFrom("127.0.0.1");
    const ATTACK = 5 * BUDGET;
    const statuses = new Map<number, number>();
    let legitOk = 0;
    let legitTried = 0;
    try {
      for (let i = 0; i < ATTACK; i++) {
        const r = await attacker.get(`${http}/profile/${mac(i)}.xml`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (i % 10 === 0) {
          legitTried++;
          const ok = await device.get(`${http}/profile/${LEGIT}.xml`);
          if (ok.status === 200 && ok.body.includes("3600")) legitOk++;
        }
      }
      // Even a registered MAC is refused to the throttled source: no oracle left.
      const probe = await attacker.get(`${http}/profile/${LEGIT}.xml`);
      expect(probe.status).toBe(429);
    } finally {
      attacker.close();
      device.close();
    }
    expect(legitOk).toBe(legitTried);
    expect(statuses.get(404) ?? 0).toBeGreaterThanOrEqual(BUDGET);
    expect(statuses.get(404) ?? 0).toBeLessThan(ATTACK / 2);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(ATTACK / 2);
  });

  it("throttles misses over TFTP the same way (raw RRQs from another address)", async () => {
    const answers: string[] = [];
    for (let i = 0; i < 2 * BUDGET; i++) {
      const a = await tftpFirstAnswer("127.0.0.4", tftpPort, `profile/${mac(10_000 + i)}.xml`);
      answers.push(a.kind === "error" ? `${a.code}:${a.message}` : "data");
    }
    expect(answers[0]).toMatch(/^1:/);
    expect(answers.at(-1)).toMatch(/too many requests/);
    // A legitimate device over TFTP from its own address is served.
    const legit = await tftpFirstAnswer("127.0.0.1", tftpPort, `profile/${LEGIT}.xml`);
    expect(legit.kind).toBe("data");
  });

  it("throttles HEAD, POST, HTTP/1.0 and percent-encoded paths alike once the source is throttled", async () => {
    // A node of its own with a budget of one miss a minute: the test cannot outrun a refill.
    const strict = await startTestNode(
      join(tempDir("scan-forms"), "data"),
      {},
      {},
      {
        PROVISIO_MISSES_PER_MINUTE: "1",
      },
    );
    try {
      const base = `http://127.0.0.1:${strict.addresses.http!.port}`;
      await strict.store.devices.create({ mac: LEGIT });
      const target = `${base}/profile/${LEGIT}.xml`;
      const encoded = `${base}/%70rofile/${LEGIT}.xml`;
      const from3 = ["--interface", "127.0.0.3"];
      expect((await curl([...from3, `${base}/profile/${mac(1)}.xml`])).status).toBe(404);
      expect((await curl([...from3, "-I", target])).status).toBe(429);
      expect((await curl([...from3, "-d", "x", target])).status).toBe(429);
      expect((await curl([...from3, "--http1.0", target])).status).toBe(429);
      expect((await curl([...from3, encoded])).status).toBe(429);
      // The same forms from a well-behaved address serve the profile.
      expect((await curl(["-I", target])).status).toBe(200);
      expect((await curl(["-d", "x", target])).status).toBe(200);
      expect((await curl(["--http1.0", target])).status).toBe(200);
      expect((await curl([encoded])).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it("does not count TFTP files outside the profile paths (firmware) as misses", async () => {
    writeFileSync(join(node.config.filesDir, "spa-fw.bin"), Buffer.alloc(1000, 7));
    for (let i = 0; i < 2 * BUDGET; i++) {
      const a = await tftpFirstAnswer("127.0.0.9", tftpPort, "spa-fw.bin");
      expect(a.kind, `fetch ${i}`).toBe("data");
    }
  });

  it("writes one scan event per source and a bounded number of rows, and counts scans", async () => {
    await node.close();
    const fromHttpAttacker = eventRows("remote_address = '127.0.0.3'");
    const fromTftpAttacker = eventRows("remote_address = '127.0.0.4'");
    expect(eventRows("remote_address = '127.0.0.3' and message like 'scan:%'")).toBe(1);
    expect(eventRows("remote_address = '127.0.0.4' and message like 'scan:%'")).toBe(1);
    // 600 HTTP and 240 TFTP requests: a handful of rows each (aggregates + the scan).
    expect(fromHttpAttacker).toBeLessThanOrEqual(4);
    expect(fromTftpAttacker).toBeLessThanOrEqual(4);
    const metrics = await node.metrics.registry.metrics();
    expect(metrics).toMatch(/provisio_scans_total 2\b/);
    expect(metrics).toMatch(/provisio_throttled_requests_total\{transport="http"\} [1-9]/);
  });
});
