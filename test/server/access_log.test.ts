/**
 * Logs people read: one access line per device request (HTTP, HTTPS, TFTP through real
 * sockets, curl and tftp-hpa) with the fields a shipper needs; an unknown MAC's requests once
 * per window; `log.access: false` silences them; one line per admin API request; ISO times;
 * pretty, coloured lines on a terminal.
 */
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import { AccessLog } from "../../src/server/access_log.ts";
import { createLogger, type ProvisioNode, prettyStream } from "../../src/server/node.ts";
import type { ResyncRequest } from "../../src/server/resync_request.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const MAC = parseMac("000e08aabb61");
const UNKNOWN = "000e08ffff61";

/** A pino destination collecting JSON lines. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

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

let node: ProvisioNode;
let log: ReturnType<typeof capture>;
let dir: string;
let http: string;

beforeAll(async () => {
  dir = tempDir("access");
  log = capture();
  const logger = createLogger({ logLevel: "info" }, log.stream);
  node = await startTestNode(
    join(dir, "data"),
    { tftpPort: "0" },
    { logger, createAdmin: (deps) => createAdminApp({ ...deps, logger }) },
  );
  await node.store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  await node.store.devices.create({ mac: MAC, modelPn: "SPA504G" });
  await node.cache.settled();
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
});

afterAll(async () => {
  await node?.close();
});

const accessLines = (path: string) =>
  log.lines().filter((l) => typeof l.access === "string" && String(l.path).includes(path));

describe("the access log", () => {
  it("writes one line per device request with transport, MAC, path, status, bytes and ms, and an ISO time", async () => {
    const ua = "Cisco/SPA504G-7.6.2 (000E08AABB61)(CCQ1)";
    const got = await curl(["-A", ua, `${http}/profile/${MAC}.xml`]);
    expect(got.status).toBe(200);
    const https = `https://127.0.0.1:${node.addresses.https!.port}`;
    await curl(["--cacert", node.boot.paths.serverCert, `${https}/profile/${MAC}.xml`]);
    await tftpGet(node.addresses.tftp!.port, `profile/${MAC}.xml`, join(dir, "t.xml"));
    const lines = accessLines(`profile/${MAC}.xml`);
    expect(lines.map((l) => l.access)).toEqual(["http", "https", "tftp"]);
    expect(lines[0]).toMatchObject({
      level: 30,
      mac: MAC,
      path: `/profile/${MAC}.xml`,
      status: 200,
      result: "ok",
      bytes: Buffer.byteLength(got.body, "latin1"),
      src: "127.0.0.1",
      ua,
    });
    expect(typeof lines[0]!.ms).toBe("number");
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("logs an unknown MAC's request once per window, however often it repeats", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await curl([`${http}/profile/${UNKNOWN}.xml`])).status).toBe(404);
    }
    const lines = accessLines(UNKNOWN);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 404, result: "not-found", mac: null });
  });

  it("writes one line per admin API request, not two", async () => {
    const before = log.lines().filter((l) => l.listener === "admin").length;
    const admin = `http://127.0.0.1:${node.addresses.admin!.port}`;
    await curl(["-H", `Authorization: Bearer ${node.initialAdminToken}`, `${admin}/api/v1/whoami`]);
    const lines = log
      .lines()
      .filter((l) => l.listener === "admin")
      .slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "GET", url: "/api/v1/whoami", status: 200 });
    expect(JSON.stringify(lines[0])).not.toContain(node.initialAdminToken);
  });

  it("is silent with log.access false (PROVISIO_LOG_ACCESS=false)", async () => {
    const quiet = capture();
    const other = await startTestNode(
      join(dir, "data"),
      {},
      { logger: createLogger({ logLevel: "info" }, quiet.stream), issueInitialToken: false },
      { PROVISIO_LOG_ACCESS: "false" },
    );
    try {
      await other.cache.settled();
      const r = await curl([`http://127.0.0.1:${other.addresses.http!.port}/profile/${MAC}.xml`]);
      expect(r.status).toBe(200);
    } finally {
      await other.close();
    }
    expect(quiet.lines().filter((l) => l.access !== undefined)).toEqual([]);
    expect(quiet.lines().length).toBeGreaterThan(0); // the logger itself works
  });
});

describe("AccessLog windows (virtual clock)", () => {
  const request = (remoteAddress: string, path: string): ResyncRequest => ({
    transport: "http",
    method: "GET",
    path,
    query: "",
    remoteAddress,
  });
  const notFound = {
    response: {
      status: 404,
      headers: {},
      body: Buffer.from("no profile at this path\n"),
      result: "not-found" as const,
      reason: "no profile at this path",
    },
  };

  it("writes a repeated refusal once per window and sums up what it left out", () => {
    const out = capture();
    const access = new AccessLog({ logger: createLogger({ logLevel: "info" }, out.stream) });
    for (let t = 0; t < 10; t++)
      access.request(request("192.0.2.7", `/${UNKNOWN}.xml`), notFound, 0.001, t * 1000);
    // Another source is its own key.
    access.request(request("192.0.2.8", `/${UNKNOWN}.xml`), notFound, 0.001, 10_000);
    expect(out.lines().map((l) => l.src)).toEqual(["192.0.2.7", "192.0.2.8"]);
    access.request(request("192.0.2.7", `/${UNKNOWN}.xml`), notFound, 0.001, 61_000);
    const lines = out.lines();
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatchObject({ access: "summary", repeated: 9, sources: 1 });
    expect(lines[3]).toMatchObject({ access: "http", src: "192.0.2.7", status: 404 });
  });

  it("counts an IPv6 /64 as one source: rotating addresses inside it writes one line", () => {
    const out = capture();
    const access = new AccessLog({ logger: createLogger({ logLevel: "info" }, out.stream) });
    for (let i = 1; i <= 50; i++)
      access.request(request(`2001:db8:1:2::${i.toString(16)}`, "/x.xml"), notFound, 0, 1);
    access.request(request("2001:db8:1:3::1", "/x.xml"), notFound, 0, 1);
    expect(out.lines().map((l) => l.src)).toEqual(["2001:db8:1:2::1", "2001:db8:1:3::1"]);
  });

  it("tracks a bounded number of sources; the rest only counted", () => {
    const out = capture();
    const access = new AccessLog({
      logger: createLogger({ logLevel: "info" }, out.stream),
      maxKeys: 3,
    });
    for (let i = 0; i < 50; i++)
      access.request(request(`198.51.100.${i}`, "/x.xml"), notFound, 0, 1);
    expect(out.lines()).toHaveLength(3);
    access.flush(60_001);
    expect(out.lines()[3]).toMatchObject({ access: "summary", repeated: 0, untracked: 47 });
  });
});

describe("pretty output", () => {
  it("prints coloured single lines with a readable time on a terminal (pino-pretty), the secrets still redacted", async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        chunks.push(chunk.toString("utf8"));
        done();
      },
    });
    const logger = createLogger({ logLevel: "info" }, prettyStream(sink));
    logger.info({ password: "hunter2", mac: MAC }, "hello");
    await new Promise((resolve) => setImmediate(resolve));
    const text = chunks.join("");
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: hello/);
    expect(text).toContain(MAC);
    expect(text).not.toContain("hunter2");
  });

  it("`provisio serve` on a terminal writes coloured lines, not JSON", async () => {
    const data = join(dir, "tty-data");
    const command = `node bin/provisio.js serve --data ${data} --host 127.0.0.1 --http-port 0 --https-port 0 --admin-port 0 --tftp-port off`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: join(import.meta.dirname, "../.."),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (out.includes("listening")) resolve();
      });
      child.on("close", () => resolve());
    });
    child.kill("SIGTERM");
    await new Promise((resolve) => child.on("close", resolve));
    // eslint-style ESC[ colour sequence, and no JSON object lines.
    expect(out).toContain("\u001b[");
    expect(out.split("\n").filter((l) => l.trim().startsWith('{"level"'))).toEqual([]);
  }, 120_000);
});
