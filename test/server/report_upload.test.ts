/**
 * Report uploads on the real HTTP listener, then what an operator sees of them through the
 * real `provisio` command and the admin API; push resync from the CLI and the API to sipp
 * acting as the unit. Every refusal of an upload leaves an event (and the suspicious ones a
 * security log line); no line password reaches a log line or the command's output.
 */
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { runCli } from "../cli/run_cli.ts";
import { startUas } from "../sip/sipp_uas.ts";
import { curl, issueCert, startTestNode, tempDir } from "./helpers.ts";
import { sendFrom } from "./sources.ts";

const A = parseMac("000e08c0ffe1") as MacAddress;
const SECURE = parseMac("000e08c0ffe2") as MacAddress;
const LINE_USER = "4085550177";
const LINE_PASSWORD = "Rep0rt-Line-Secret";
const logLines: string[] = [];
// The real `provisio` command starts from source in each of several tests.
vi.setConfig({ testTimeout: 120_000 });

let node: ProvisioNode;
let dataDir: string;
let port: number;
let admin: string;
let token: string;

interface Answer {
  readonly status: number;
  readonly body: string;
}

async function send(
  method: string,
  path: string,
  body?: string | Buffer,
  localAddress = "127.0.0.1",
): Promise<Answer> {
  const answer = await sendFrom(port, method, path, {
    from: localAddress,
    ...(body === undefined ? {} : { body }),
    headers: { "user-agent": "Cisco/SPA962-6.1.5(a) (000e08c0ffe1)" },
  });
  return { status: answer.status, body: answer.body.toString() };
}

const report = (entries: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<flat-profile>\n${entries}\n</flat-profile>\n`;
const FULL = report(
  [
    '<Voice_Mail_Number ua="rw">*77</Voice_Mail_Number>',
    '<Dial_Plan_1_ ua="na">(xxxx|9xxxxxxx)</Dial_Plan_1_>',
    `<User_ID_1_ ua="na">${LINE_USER}</User_ID_1_>`,
    `<Password_1_ ua="na">${LINE_PASSWORD}</Password_1_>`,
    '<Station_Name ua="rw">lobby-phone</Station_Name>',
  ].join("\n"),
);

const cli = (args: string[]) =>
  runCli([...args, "--data", dataDir], { env: { ...process.env, PROVISIO_FROM_SOURCE: "1" } });

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${admin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      logLines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  dataDir = join(tempDir("report-upload"), "data");
  const logger = pino({ level: "debug" }, sink);
  node = await startTestNode(
    dataDir,
    {},
    { logger, createAdmin: (deps) => createAdminApp({ ...deps, logger }) },
    // This test is about reports, not about a loaded machine's admission control.
    { PROVISIO_SHEDDING_ENABLED: "false" },
  );
  port = node.addresses.http!.port;
  admin = `http://127.0.0.1:${node.addresses.admin!.port}`;
  const { store } = node;
  token = (await store.tokens.issue({ name: "t", role: "admin" })).secret;
  await store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  await store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  const secure = await store.tenants.create({
    slug: "secure",
    name: "Secure",
    settings: { profilePaths: ["/secure/$MA.xml"], requireClientCert: true },
  });
  const account = await store.accounts.create({
    reference: "C-3001",
    lines: [{ line: 1, userId: LINE_USER, password: LINE_PASSWORD }],
  });
  await store.devices.create({ mac: A, modelPn: "SPA962", accountId: account.id });
  await store.devices.create({ mac: SECURE, modelPn: "SPA962", tenantId: secure.id });
  const quiet = await store.tenants.create({ slug: "quiet", name: "Quiet" });
  await store.devices.create({ mac: parseMac("000e08c0ffe3"), tenantId: quiet.id });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Voice_Mail_Number", value: "*98", access: "rw" },
    { name: "Dial_Plan_1_", value: "(xxxx|9xxxxxxx)", access: "na" },
  ]);
  await node.cache.settled();
  // The unit's resync: the server now knows the address it comes from.
  const resync = await send("GET", `/profile/${A}.xml`);
  expect(resync.status, resync.body).toBe(200);
  await node.writer.flush();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("report uploads", () => {
  it("POST stores a full report; PUT under delta/ a delta; `provisio device report` shows them", {
    timeout: 120_000,
  }, async () => {
    const full = await send("POST", `/report/${A}.xml`, FULL);
    expect(full).toMatchObject({ status: 200 });
    expect(full.body).toContain("config report stored (5 entries)");
    const delta = await send(
      "PUT",
      `/report/delta/SPA962_${A}_CCQ1.xml`,
      report('<Station_Name ua="rw">front-desk</Station_Name>'),
    );
    expect(delta.status).toBe(200);
    expect(delta.body).toContain("delta report stored (1 entries)");

    const shown = await cli(["device", "report", A, "--kind", "config"]);
    expect(shown.code).toBe(0);
    const text = shown.stdout.toString();
    expect(text).toMatch(/Voice_Mail_Number\s+\*77\s+rw/);
    expect(text).toMatch(/Password_1_\s+\[secret\]/);
    expect(text).not.toContain(LINE_PASSWORD);
    const history = await cli(["device", "report", A, "--history"]);
    expect(history.stdout.toString()).toMatch(/delta\s+1\s+127\.0\.0\.1\s+path/);
  });

  it("`provisio device drift` and the API show the changed values, never the password", {
    timeout: 120_000,
  }, async () => {
    const drift = await cli(["device", "drift", A]);
    expect(drift.code).toBe(0);
    const text = drift.stdout.toString();
    expect(text).toMatch(/Voice_Mail_Number\s+changed-on-device\s+\*98\s+\*77/);
    expect(text).toMatch(/Station_Name\s+changed-on-device\s+\S*\s*front-desk/);
    expect(text).not.toContain("Dial_Plan_1_"); // reported as served
    expect(text).not.toContain(LINE_PASSWORD);
    const viaApi = await api("GET", `/api/v1/devices/${A}/drift`);
    expect(viaApi.status).toBe(200);
    const items = viaApi.json.items as { name: string; kind: string }[];
    expect(items.map((i) => `${i.name} ${i.kind}`)).toContain(
      "Voice_Mail_Number changed-on-device",
    );
    const latest = await api("GET", `/api/v1/devices/${A}/report?kind=config`);
    expect(JSON.stringify(latest.json)).not.toContain(LINE_PASSWORD);
  });

  it("refusals: each answered with a clear status and recorded as an event", async () => {
    const cases: [string, Promise<Answer>, number][] = [
      ["GET", send("GET", `/report/${A}.xml`), 405],
      ["unknown device", send("POST", "/report/000e08dddddd.xml", FULL), 404],
      ["two MACs", send("POST", `/report/${A}/000e08dddddd.xml`, FULL), 400],
      ["malformed", send("POST", `/report/${A}.xml`, "<flat-profile><A>1</B></flat-profile>"), 400],
      ["not a report", send("POST", `/report/${A}.xml`, "<html></html>"), 400],
      [
        "encrypted",
        send(
          "POST",
          `/report/${A}.xml`,
          Buffer.concat([Buffer.from("Salted__"), Buffer.alloc(24)]),
        ),
        415,
      ],
      ["other address", send("POST", `/report/${A}.xml`, FULL, "127.0.0.2"), 403],
      ["no certificate", send("POST", `/report/${SECURE}.xml`, FULL), 404],
      ["oversize", send("POST", `/report/${A}.xml`, "x".repeat(300 * 1024)), 413],
    ];
    for (const [what, answer, status] of cases) {
      expect((await answer).status, what).toBe(status);
    }
    const security = logLines.filter((l) => l.includes('"security"'));
    expect(security.some((l) => l.includes("certificate-required"))).toBe(true);
    expect(security.some((l) => l.includes("report-source-mismatch"))).toBe(true);
  });

  it("a device uploading too often is refused (429) after its per-minute budget", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (await send("POST", `/report/status/${A}.xml`, "<status><A>1</A></status>")).status,
      );
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(6);
  });
});

describe("report uploads over HTTPS with the unit's certificate", () => {
  it("a certificate-only tenant takes the report from curl with the unit's own certificate", async () => {
    const certs = tempDir("report-certs");
    const own = await issueCert(node.config.dataDir, certs, "secure", { mac: SECURE });
    const https = `https://127.0.0.1:${node.addresses.https!.port}`;
    const tls = ["--cacert", node.boot.paths.serverCert, "--cert", own.cert, "--key", own.key];
    const post = (path: string) =>
      curl([
        ...tls,
        "-X",
        "POST",
        "-H",
        "content-type: application/xml",
        "--data-binary",
        FULL,
        `${https}${path}`,
      ]);
    // Identified by its certificate: the path need not name it.
    const ok = await post("/report/unit.xml");
    expect(ok.status, ok.body).toBe(200);
    expect((await node.store.reports.latest(SECURE))?.identifiedBy).toBe("certificate");
    // Naming another unit with this certificate is refused as for a profile.
    expect((await post(`/report/${A}.xml`)).status).toBe(404);
  });
});

describe("push resync to sipp as the unit", () => {
  it("`provisio device resync` sends check-sync and answers the challenge with the line's credentials", async () => {
    const uas = await startUas("check-sync", LINE_USER, LINE_PASSWORD);
    const run = await cli(["device", "resync", A, "--contact", `127.0.0.1:${uas.port}`]);
    const { code } = await uas.exit;
    expect(code).toBe(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.toString()).toMatch(/check-sync\s+sip\s+127\.0\.0\.1:\d+\s+accepted\s+200/);
    expect(run.stdout.toString() + run.stderr).not.toContain(LINE_PASSWORD);
  }, 120_000);

  it("the API pushes reboot_now to one device and reports the result per device", async () => {
    const uas = await startUas("reboot_now", LINE_USER, LINE_PASSWORD);
    const res = await api("POST", `/api/v1/devices/${A}/push`, {
      event: "reboot_now",
      contact: `127.0.0.1:${uas.port}`,
    });
    expect((await uas.exit).code).toBe(0);
    expect(res.status).toBe(200);
    expect(res.json.results).toEqual([
      expect.objectContaining({ mac: A, outcome: "accepted", status: 200, challenged: true }),
    ]);
    expect(JSON.stringify(res.json)).not.toContain(LINE_PASSWORD);
  }, 120_000);

  it("a tenant's token may not aim a push at another host than the device's own", async () => {
    const { secret } = await node.store.tokens.issue({
      name: "tenant-admin",
      role: "admin",
      tenantId: "default",
    });
    // A UDP socket on an address the device never used: what a victim host would see.
    const victim = createSocket("udp4");
    const received: Buffer[] = [];
    victim.on("message", (m) => received.push(m));
    await new Promise<void>((r) => victim.bind(0, "127.0.0.9", r));
    try {
      for (const via of ["sip", "http"]) {
        const res = await fetch(`${admin}/api/v1/devices/${A}/push`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: JSON.stringify({
            event: "check-sync",
            via,
            contact: `127.0.0.9:${victim.address().port}`,
          }),
        });
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          "API_FORBIDDEN",
        );
      }
      expect(received).toEqual([]);
    } finally {
      victim.close();
    }
  });

  it("a whole tenant: devices without a contact say so; every push is audited", async () => {
    const res = await api("POST", "/api/v1/push", { event: "check-sync", tenant: "quiet" });
    expect(res.status).toBe(202);
    const id = (res.json.operation as { id: string }).id;
    let operation = (await api("GET", `/api/v1/operations/${id}`)).json;
    while (operation.status === "running") {
      await new Promise((r) => setTimeout(r, 50));
      operation = (await api("GET", `/api/v1/operations/${id}`)).json;
    }
    expect(operation).toMatchObject({
      status: "succeeded",
      push: { devices: 1, outcomes: { "no-contact": 1 } },
    });
    // The command waits for the push and shows its progress on stderr, results on stdout.
    const run = await cli(["device", "resync", "--tenant", "quiet"]);
    expect(run.code).toBe(1);
    expect(run.stderr.toString()).toContain("pushed 1/1 devices: 1 no-contact");
    expect(run.stdout.toString()).toMatch(/000e08c0ffe3\s.*no-contact/);
    const audit = await node.store.audit.list({});
    expect(audit.filter((a) => a.action.startsWith("device.push.")).length).toBeGreaterThanOrEqual(
      3,
    );
    expect(logLines.filter((l) => l.includes(LINE_PASSWORD))).toEqual([]);
  });

  it("after shutdown, every refused upload is in the device's event log", {
    timeout: 120_000,
  }, async () => {
    await node.close(); // writes the aggregated refusals
    // Refusals are aggregated per source and status: a row may carry the first one's MAC
    // (or none), so read every event of the installation.
    const events = await cli(["events", "--limit", "500", "--json"]);
    expect(events.code, events.stderr).toBe(0);
    const rows = events.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { path: string | null; statusCode: number | null });
    const codes = new Set(
      rows.filter((r) => r.path?.startsWith("/report/")).map((r) => r.statusCode),
    );
    for (const code of [200, 400, 403, 404, 405, 413, 415, 429])
      expect(codes.has(code), String(code)).toBe(true);
  });
});
