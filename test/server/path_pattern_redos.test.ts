/**
 * Issue 10, finding 2, end to end: a tenant's hostile profile paths (saved before the store
 * refused them — written straight into the table here) and unauthenticated requests crafted for
 * them (HTTP paths and 150-byte TFTP read requests) no longer stall the server: a legitimate
 * device keeps getting its profile over HTTP and TFTP while the attack runs.
 *
 * The old regex matcher took ~10 s of the event loop per attack path used here (55 s for the
 * report's 160-character one), so on the old code every legitimate fetch issued during the
 * attack timed out; no wall-clock figure is asserted, only the count of fetches that succeeded.
 */
import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const MAC = parseMac("000e08aabb01");
/** The attacker's own loopback address, so that throttling its misses spares the device. */
const ATTACKER = "127.0.0.2";
const EVIL_MAC = parseMac("000e08eeee01");
const HOSTILE = ["/$A$B$C$D$E$F.cfg", "/$A-$B-$C-$D-$E.cfg"];

let dir: string;
let node: ProvisioNode;
const warnings: string[] = [];
let hostileLoaded = false;

beforeAll(async () => {
  dir = tempDir("redos");
  const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
  node = await startTestNode(join(dir, "data"), { tftpPort: "0" }, { logger });
  const { store } = node;
  await store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  await store.devices.create({ mac: MAC, modelPn: "SPA504G" });
  const evil = await store.tenants.create({
    slug: "evil",
    name: "Evil",
    settings: { profilePaths: ["/evil/$MA.cfg"] },
  });
  // What a tenant admin could save before the fix; the store now refuses the first pattern.
  await store.devices.create({ mac: EVIL_MAC, tenantId: evil.id, modelPn: "SPA504G" });
  const db = new Database(join(dir, "data", "provisio.db"));
  db.prepare("update tenants set settings = ? where id = ?").run(
    JSON.stringify({
      profilePaths: [...HOSTILE, "/evil-loaded/$MA.cfg"],
      requireClientCert: false,
      autoCreate: false,
      trustedClientCas: [],
      encryption: "none",
    }),
    evil.id,
  );
  db.close();
  // Any change to the tenant makes every node reload it, hostile paths included; they are
  // loaded when the path saved along with them serves the tenant's own device.
  await store.tenants.update(evil.id, { name: "Evil Corp" });
  const marker = `http://127.0.0.1:${node.addresses.http!.port}/evil-loaded/${EVIL_MAC}.cfg`;
  for (let i = 0; i < 200 && !hostileLoaded; i++) {
    hostileLoaded = (await curl([marker])).status === 200;
    if (!hostileLoaded) await new Promise((r) => setTimeout(r, 50));
  }
}, 120_000);

afterAll(async () => {
  await node?.close();
});

function tftpGet(file: string, out: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      "tftp",
      ["-m", "binary", "127.0.0.1", String(node.addresses.tftp!.port), "-c", "get", file, out],
      { timeout: 20_000 },
      (_error, stdout, stderr) => {
        let ok = false;
        try {
          ok =
            readFileSync(out, "utf8").includes("<flat-profile>") && !/Error/.test(stdout + stderr);
        } catch {
          ok = false;
        }
        resolve(ok);
      },
    );
  });
}

/** One raw HTTP request; resolves when the server answers or closes. */
function rawHttp(target: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(
      { port: node.addresses.http!.port, host: "127.0.0.1", localAddress: ATTACKER },
      () => {
        socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      },
    );
    let answered = false;
    socket.on("data", () => {
      answered = true;
    });
    socket.on("close", () => resolve(answered));
    socket.on("error", () => resolve(false));
    socket.setTimeout(30_000, () => socket.destroy());
  });
}

/** A read request, fire and forget (UDP: the source could be spoofed). */
function rawRrq(name: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.bind(0, ATTACKER);
    const packet = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.from(name, "latin1"),
      Buffer.from([0]),
      Buffer.from("octet"),
      Buffer.from([0]),
    ]);
    socket.send(packet, node.addresses.tftp!.port, "127.0.0.1", () => {
      socket.close();
      resolve();
    });
  });
}

describe("hostile profile paths under attack (HTTP and TFTP)", () => {
  it("keeps the hostile patterns loaded (they compile; the matcher copes with them)", () => {
    expect(warnings.filter((w) => w.includes("profile path ignored"))).toEqual([]);
    expect(hostileLoaded).toBe(true);
  });

  it("a legitimate device keeps getting its profile over HTTP and TFTP during the attack", async () => {
    // Paths that end like the patterns, so every attack request runs the matcher.
    const attacks = [
      `/${"a".repeat(160)}!.cfg`,
      `/${"a".repeat(80)}!.cfg`,
      `/${"-".repeat(199)}!.cfg`,
      `/${"a-".repeat(100)}!.cfg`,
    ];
    const rrqNames = [`${"a".repeat(136)}!.cfg`, `${"-".repeat(136)}!.cfg`];
    expect(Buffer.byteLength(rrqNames[0]!) + 2 + 1 + 6).toBeLessThanOrEqual(150);

    const http = `http://127.0.0.1:${node.addresses.http!.port}/profile/${MAC}.xml`;
    let httpOk = 0;
    let tftpOk = 0;
    let attacksAnswered = 0;
    const rounds = 10;
    for (let round = 0; round < rounds; round++) {
      const attack = Promise.all([
        ...attacks.map((a) => rawHttp(a).then((answered) => void (answered && attacksAnswered++))),
        ...rrqNames.map(rawRrq),
      ]);
      const [web, tftp] = await Promise.all([
        // A fetch that times out counts as failed (the old code stalled it).
        curl(["--max-time", "5", http]).catch(() => ({ status: 0, body: "" })),
        tftpGet(`profile/${MAC}.xml`, join(dir, `legit-${round}.xml`)),
      ]);
      if (web.status === 200 && web.body.includes("<flat-profile>")) httpOk++;
      else console.info("legit HTTP failed", web.status, web.body.slice(0, 200));
      if (tftp) tftpOk++;
      await attack;
    }
    console.info(
      `legitimate fetches during the attack: HTTP ${httpOk}/${rounds}, TFTP ${tftpOk}/${rounds}; ` +
        `attack requests answered ${attacksAnswered}/${rounds * attacks.length}`,
    );
    expect(httpOk).toBe(rounds);
    expect(tftpOk).toBe(rounds);
    expect(attacksAnswered).toBe(rounds * attacks.length);
  }, 120_000);
});
