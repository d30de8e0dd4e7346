/**
 * Activation under attack, over real sockets: a code hidden behind percent-encoding stays out
 * of every log line and event, and guesses naming a tenant's device by User-Agent (which
 * anyone can write) do not spend that tenant's budget.
 */
import { readFileSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { type DeviceCertFiles, issueCert, startTestNode, tempDir } from "./helpers.ts";

const KNOWN = parseMac("000e08ee0001");
const FRESH = parseMac("000e08ee0002");
const OTHER = parseMac("000e08ee0003");

let node: ProvisioNode;
let base: string;
let cacert: string;
let certFresh: DeviceCertFiles;
let certOther: DeviceCertFiles;
let accountId: string;
const logLines: string[] = [];

function get(
  path: string,
  cert: DeviceCertFiles | undefined,
  localAddress: string,
  userAgent = "Cisco/SPA504G-7.5.5 (000E08EE0009)(CCQ9)",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${base}${path}`,
      {
        ca: readFileSync(cacert),
        ...(cert === undefined
          ? {}
          : { cert: readFileSync(cert.cert), key: readFileSync(cert.key) }),
        localAddress,
        agent: new Agent({ keepAlive: false }),
        headers: { "user-agent": userAgent },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  const dir = tempDir("activation-hardening");
  const dataDir = join(dir, "data");
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  node = await startTestNode(dataDir, {}, { logger: pino({ level: "debug" }, sink) });
  base = `https://127.0.0.1:${node.addresses.https!.port}`;
  cacert = node.boot.paths.serverCert;
  await node.store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  accountId = (await node.store.accounts.create({ reference: "R-7" })).id;
  await node.store.devices.create({ mac: KNOWN });
  certFresh = await issueCert(dataDir, dir, "fresh", { mac: FRESH, serial: "CCQ2" });
  certOther = await issueCert(dataDir, dir, "other", { mac: OTHER, serial: "CCQ3" });
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("activation hardening", () => {
  it("a percent-encoded init path is redacted in every log line and event", async () => {
    const secrets: string[] = [];
    const paths = (secret: string): string[] => [
      `/%69nit/${secret}`,
      `/init%2F${secret}`,
      `/init%2f${secret}%`,
      `/%2569nit/${secret}`,
    ];
    for (let i = 0; i < 4; i++) {
      const { secret } = await node.store.activationCodes.issue({ accountId });
      secrets.push(secret);
      await get(paths(secret)[i]!, i === 0 ? certFresh : undefined, "127.0.3.1");
    }
    // The decoded form reached the flow: the device is bound.
    expect((await node.store.devices.get(FRESH)).accountId).toBe(accountId);
    node.pipeline.tick();
    await node.writer.flush();
    const events = await node.store.events.list({ limit: 10_000 });
    const text = `${logLines.join("")}\n${JSON.stringify(events)}`;
    expect(text).toContain("/init/[redacted]");
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("guesses naming a tenant's device by User-Agent do not spend the tenant's budget", async () => {
    const spoofed = "Cisco/SPA504G-7.5.5 (000E08EE0001)(CCQ1)";
    let refused = 0;
    for (let source = 10; source < 22; source++) {
      for (let i = 0; i < 10; i++) {
        const guess = String(2_000_000_000_000_000n + BigInt(source * 100 + i)).slice(0, 16);
        const r = await get(`/init/${guess}`, undefined, `127.0.4.${source}`, spoofed);
        if (r.status === 403) refused++;
      }
    }
    expect(refused).toBe(120);
    const { secret } = await node.store.activationCodes.issue({ accountId });
    const r = await get(`/init/${secret}`, certOther, "127.0.5.1");
    expect(r.status).toBe(200);
    expect((await node.store.devices.get(OTHER)).accountId).toBe(accountId);
  }, 180_000);
});
