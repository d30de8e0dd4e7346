/**
 * `provisio serve --workers 2`: the real binary, a primary and two device-plane workers on
 * one SQLite installation. A worker killed with SIGKILL is replaced while the other keeps
 * answering; `/metrics` on the admin listener counts every worker's requests; the node's
 * profile cache budget is shared, not taken whole by each worker; SIGTERM stops the primary
 * and its workers.
 */
import { execFile } from "node:child_process";
import { Agent, get } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapDataDir, loadServeConfig, storeOptionsFor } from "../../src/server/index.ts";
import { openStore, parseMac } from "../../src/store/index.ts";
import { curl, tempDir } from "./helpers.ts";
import { type ServeProcess, startServeProcess } from "./serve_process.ts";

const MAC = parseMac("000e08aa0001");
/** Devices fetched to fill the profile caches past the node's budget (1 MB, below). */
const FILLERS = 3_000;
const fillerMac = (i: number) => parseMac(`000e08b${i.toString(16).padStart(5, "0")}`);
let server: ServeProcess;
let data: string;

/** One TLS 1.2 handshake with openssl; true when it resumed the saved session. */
function handshake(sessionFile: string, save: boolean): Promise<boolean> {
  const { hostname, port } = new URL(server.https);
  return new Promise((resolve, reject) => {
    execFile(
      "openssl",
      [
        "s_client",
        "-connect",
        `${hostname}:${port}`,
        "-tls1_2",
        save ? "-sess_out" : "-sess_in",
        sessionFile,
      ],
      { timeout: 20_000 },
      (error, stdout) => {
        if (error !== null && stdout === "") reject(error);
        else resolve(/^Reused, /m.test(stdout));
      },
    ).stdin?.end();
  });
}

function workerPids(): number[] {
  return server
    .logLines()
    .filter((l) => l.msg === "device-plane worker listening")
    .map((l) => Number(l.pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function metric(prefix: string): Promise<number> {
  const metrics = await curl([`${server.admin}/metrics`]);
  const line = metrics.body.split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

const resyncsOk = () => metric('provisio_resyncs_total{transport="http",result="ok"}');

/** GETs over keep-alive connections; the statuses answered. */
async function fetchAll(paths: readonly string[], connections: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const one = (path: string) =>
    new Promise<number>((resolve, reject) => {
      get(`${server.http}${path}`, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      }).on("error", reject);
    });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < paths.length; i += connections) {
      statuses.push(...(await Promise.all(paths.slice(i, i + connections).map(one))));
    }
    return statuses;
  } finally {
    agent.destroy();
  }
}

beforeAll(async () => {
  data = tempDir("workers");
  const config = loadServeConfig({ flags: { data }, env: {}, cwd: data });
  const boot = await bootstrapDataDir(config);
  const store = await openStore(storeOptionsFor(config), { sealer: boot.sealer });
  await store.devices.create({ mac: MAC, modelPn: null }, { actor: "test" });
  await store.devices.bulkUpsert(
    Array.from({ length: FILLERS }, (_, i) => ({ mac: fillerMac(i), modelPn: null })),
    { actor: "test" },
  );
  await store.close();
  server = await startServeProcess(data, ["--workers", "2"], { PROVISIO_CACHE_PROFILE_MB: "1" });
}, 200_000);

afterAll(async () => {
  await server?.stop();
});

describe("device-plane workers", () => {
  it("share the HTTPS session-ticket keys: a session resumes on whichever worker", async () => {
    const session = join(data, "tls-session.pem");
    expect(await handshake(session, true)).toBe(false);
    // Round-robin sends consecutive connections to both workers.
    for (let i = 0; i < 4; i++) expect(await handshake(session, false)).toBe(true);
  }, 120_000);

  it("shares the node's profile cache budget between its processes", async () => {
    const paths = Array.from({ length: FILLERS }, (_, i) => `/profile/${fillerMac(i)}.xml`);
    const statuses = await fetchAll(paths, 8);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Each worker saw about half of the devices, far more than its part of 1 MB holds: the
    // node's cached profiles (summed over its processes) stay within the one budget, and
    // fill most of the workers' parts of it.
    const bytes = await metric("provisio_profile_cache_bytes ");
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(bytes).toBeGreaterThan(0.5 * (2 / 3) * 1024 * 1024);
  }, 180_000);

  it("runs two workers behind one port, survives a SIGKILL, merges /metrics", async () => {
    const url = `${server.http}/profile/${MAC}.xml`;
    expect((await curl([url])).status).toBe(200);
    const [victim, other] = workerPids();
    expect(workerPids()).toHaveLength(2);
    expect(victim).not.toBe(other);

    process.kill(victim!, "SIGKILL");
    const exited = (): boolean =>
      server.logLines().some((l) => l.msg === "device-plane worker exited; starting another");
    for (let i = 0; i < 600 && !exited(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(exited()).toBe(true);
    // Every request while it is replaced gets its profile: the other worker takes them.
    for (let i = 0; i < 20; i++) expect((await curl([url])).status).toBe(200);

    // A new worker replaces the dead one.
    for (let i = 0; i < 600 && workerPids().length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const pids = workerPids();
    expect(pids).toHaveLength(3);
    expect(alive(victim!)).toBe(false);

    // Ten more requests spread over both live workers, all counted in the one /metrics.
    const before = await resyncsOk();
    for (let i = 0; i < 10; i++) expect((await curl([url])).status).toBe(200);
    expect((await resyncsOk()) - before).toBe(10);

    await server.stop();
    expect(server.child.exitCode).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  }, 180_000);
});
