/**
 * Retail activation over real HTTPS with device certificates: a valid code binds the device
 * to the account and answers its lines and permanent rule; replayed, expired, another
 * device's, guessed codes are refused with one answer; the guess budgets (per source
 * address, per tenant) hold and leave security events; no code and no SIP password reaches
 * a log line or the event log.
 */

import { readFileSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, type DeviceCertFiles, issueCert, startTestNode, tempDir } from "./helpers.ts";

const A = parseMac("000e08dd0001");
const B = parseMac("000e08dd0002");
const C = parseMac("000e08dd0003");
const LINE_PASSWORD = "line-pass-7731";

let node: ProvisioNode;
let dataDir: string;
let base: string;
let cacert: string;
let certA: DeviceCertFiles;
let certB: DeviceCertFiles;
let certC: DeviceCertFiles;
let accountId: string;
const logLines: string[] = [];
const secrets: string[] = [];

/** One HTTPS GET with a device certificate from a chosen loopback source address. */
function get(
  path: string,
  cert: DeviceCertFiles | undefined,
  localAddress = "127.0.0.1",
  agent: Agent = new Agent({ keepAlive: false }),
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
        agent,
        headers: { "user-agent": "Cisco/SPA504G-7.5.5 (000E08DD0001)(CCQ1)" },
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

async function issue(ttlMs?: number): Promise<{ id: string; secret: string }> {
  const { code, secret } = await node.store.activationCodes.issue({
    accountId,
    ...(ttlMs === undefined ? {} : { ttlMs }),
  });
  secrets.push(secret);
  return { id: code.id, secret };
}

beforeAll(async () => {
  const dir = tempDir("activation");
  dataDir = join(dir, "data");
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
  const account = await node.store.accounts.create({
    reference: "R-42",
    lines: [{ line: 1, userId: "4085550142", password: LINE_PASSWORD, displayName: "Retail" }],
  });
  accountId = account.id;
  certA = await issueCert(dataDir, dir, "a", { mac: A, serial: "CCQ1" });
  certB = await issueCert(dataDir, dir, "b", { mac: B, serial: "CCQ2" });
  certC = await issueCert(dataDir, dir, "c", { mac: C, serial: "CCQ3" });
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("retail activation", () => {
  it("binds the device with a certificate, consumes the code, answers the account's lines and the permanent rule", async () => {
    const { id, secret } = await issue();
    const r = await get(`/init/${secret}`, certA);
    expect(r.status).toBe(200);
    expect(r.body).toContain("4085550142");
    expect(r.body).toMatch(
      new RegExp(
        `<Profile_Rule ua="na">https://127\\.0\\.0\\.1:${node.addresses.https!.port}/profile/\\$MA\\.xml</Profile_Rule>`,
      ),
    );
    const used = await node.store.activationCodes.get(id);
    expect(used.boundMac).toBe(A);
    const device = await node.store.devices.get(A);
    expect(device.accountId).toBe(accountId);
    expect(device.serial).toBe("CCQ1");
    // The certificate's product is a model this installation knows.
    expect(device.modelPn).toBe("SPA504G");
    // The next resync, on the permanent path, has the account's line.
    const next = await get(`/profile/${A}.xml`, certA);
    expect(next.status).toBe(200);
    expect(next.body).toContain("4085550142");
  });

  it("a replayed code, an expired code, another device with a used code: one refusal", async () => {
    const first = await issue();
    expect((await get(`/init/${first.secret}`, certB, "127.0.0.2")).status).toBe(200);
    const replay = await get(`/init/${first.secret}`, certB, "127.0.0.2");
    const other = await get(`/init/${first.secret}`, certC, "127.0.0.2");
    const expiring = await issue(60_000);
    const db = new Database(join(dataDir, "provisio.db"));
    db.prepare("update activation_codes set expires_at = 1 where id = ?").run(expiring.id);
    db.close();
    const expired = await get(`/init/${expiring.secret}`, certC, "127.0.0.2");
    const wrong = await get(`/init/${"1".repeat(16)}`, certC, "127.0.0.2");
    for (const r of [replay, other, expired, wrong]) {
      expect(r.status).toBe(403);
      expect(r.body).toBe(wrong.body);
      expect(r.body).not.toContain("R-42");
    }
    // The device with the used code was not bound.
    expect(await node.store.devices.findByMac(C)).toBeNull();
    // A device an operator disabled is not activated, even with a valid code.
    await node.store.devices.create({ mac: C, state: "disabled" });
    const fresh = await issue();
    const disabled = await get(`/init/${fresh.secret}`, certC, "127.0.0.2");
    expect(disabled.status).toBe(403);
    expect(disabled.body).toBe(wrong.body);
    expect((await node.store.devices.get(C)).state).toBe("disabled");
    await node.store.devices.delete(C);
  });

  it("a device without a certificate is refused unless the tenant allows binding by User-Agent", async () => {
    const { secret } = await issue();
    const plain = `http://127.0.0.1:${node.addresses.http!.port}`;
    const ua = ["-A", "Cisco/SPA504G-7.5.5 (000E08DD0005)(CCQ5)", "--interface", "127.0.0.3"];
    const off = await curl([`${plain}/init/${secret}`, ...ua]);
    expect(off.status).toBe(403);
    await node.store.tenants.update("default", { settings: { activationByUserAgent: true } });
    const on = await curl([`${plain}/init/${secret}`, ...ua]);
    expect(on.status).toBe(200);
    expect((await node.store.devices.get(parseMac("000e08dd0005"))).accountId).toBe(accountId);
    await node.store.tenants.update("default", { settings: { activationByUserAgent: false } });
  });

  it("1,000 guesses from one address: refused, throttled after the budget; other addresses still activate", async () => {
    const counts = new Map<number, number>();
    // One kept-alive TLS connection: the guesses are requests, not handshakes.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 1000; i++) {
      const guess = String(1_000_000_000_000_000n + BigInt(i) * 7919n).slice(0, 16);
      const r = await get(`/init/${guess}`, certC, "127.0.0.4", agent);
      counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    }
    agent.destroy();
    expect(counts.get(200)).toBeUndefined();
    expect(counts.get(403)).toBe(10);
    expect(counts.get(429)).toBe(990);
    const { secret } = await issue();
    // The throttled address is refused even a valid code; another address is not.
    expect((await get(`/init/${secret}`, certC, "127.0.0.4")).status).toBe(429);
    expect((await get(`/init/${secret}`, certC, "127.0.0.5")).status).toBe(200);
    const metrics = await node.metrics.registry.metrics();
    expect(metrics).toMatch(/activation-guess/);
    expect(metrics).toMatch(/activation-rate-limited/);
    expect(logLines.some((l) => l.includes('"security":"activation-guess"'))).toBe(true);
  }, 180_000);

  it("the tenant's budget: replays from many addresses spend it; then even a valid code is refused", async () => {
    const used = await node.store.activationCodes.list({ accountId });
    const bound = used.find((c) => c.boundMac === A)!;
    expect(bound).toBeDefined();
    const { secret: usedSecret } = { secret: secrets[0]! };
    let refused = 0;
    for (let source = 10; source < 21; source++) {
      for (let i = 0; i < 10; i++) {
        const r = await get(`/init/${usedSecret}`, certA, `127.0.1.${source}`);
        if (r.status === 403) refused++;
      }
    }
    expect(refused).toBe(110);
    // Said once, whatever the security log's rate left out of the flood.
    expect(logLines.filter((l) => l.includes('"security":"activation-budget-spent"')).length).toBe(
      1,
    );
    expect(logLines.some((l) => l.includes("budget of failed activation attempts is spent"))).toBe(
      true,
    );
    const fresh = await issue();
    const r = await get(`/init/${fresh.secret}`, certC, "127.0.2.1");
    expect(r.status).toBe(403);
  }, 180_000);

  it("no code and no SIP password in any log line or event", async () => {
    node.pipeline.tick();
    await node.writer.flush();
    const events = await node.store.events.list({ limit: 10_000 });
    const text = `${logLines.join("")}\n${JSON.stringify(events)}`;
    expect(logLines.length).toBeGreaterThan(0);
    expect(text).toContain("/init/[redacted]");
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain(LINE_PASSWORD);
  });
});
