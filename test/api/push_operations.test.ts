/**
 * Push to many devices through the admin API, over real sockets: `POST /api/v1/push` answers
 * 202 with an operation at once; its progress and one result per device are read at
 * `GET /api/v1/operations/{id}` while it runs and after; a bounded number of push operations
 * run at once (per tenant and in all), beyond which the API answers 429 API_BUSY.
 *
 * The units' SIP side is a UDP socket that holds every NOTIFY until the test lets it answer
 * 200 OK, so an operation stays running exactly as long as the test needs.
 */
import { createSocket, type RemoteInfo } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { type ApiResponse, startApi, type TestApi } from "./helpers.ts";

let api: TestApi;
const held: { msg: Buffer; from: RemoteInfo }[] = [];
let answering = false;
const units = createSocket("udp4");

/** A 200 OK to a NOTIFY (RFC 3261 section 8.2.6: Via, From, To with a tag, Call-ID, CSeq). */
function answer(msg: Buffer, from: RemoteInfo): void {
  const lines = msg.toString("latin1").split("\r\n");
  const header = (name: string) =>
    lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const to = header("To")[0] ?? "To: <sip:unit@127.0.0.1>";
  const response = [
    "SIP/2.0 200 OK",
    ...header("Via"),
    ...header("From"),
    to.includes(";tag=") ? to : `${to};tag=unit`,
    ...header("Call-ID"),
    ...header("CSeq"),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  units.send(response, from.port, from.address);
}

function release(): void {
  answering = true;
  for (const { msg, from } of held.splice(0)) answer(msg, from);
}

const macs = (prefix: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => parseMac(`${prefix}${String(i).padStart(2, "0")}`) as MacAddress,
  );
const DEFAULT = macs("000e08e0e0", 4);
const OTHER = macs("000e08e1e1", 3);

async function push(body: Record<string, unknown>): Promise<ApiResponse> {
  return api.request("POST", "/api/v1/push", { body: { event: "check-sync", ...body } });
}

async function finished(id: string): Promise<ApiResponse> {
  for (;;) {
    const res = await api.request("GET", `/api/v1/operations/${id}`);
    if (res.body?.status !== "running") return res;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  units.on("message", (msg, from) => {
    if (!msg.toString("latin1").startsWith("NOTIFY ")) return;
    // Retransmissions of a held NOTIFY are held too; all are answered on release.
    if (answering) answer(msg, from);
    else held.push({ msg, from });
  });
  await new Promise<void>((r) => units.bind(0, "127.0.0.1", r));
  api = await startApi();
  const other = await api.store.tenants.create({ slug: "other", name: "Other" });
  // Every unit listens on the test's socket: the line's SIP port as the tenants set it.
  for (const tenantId of ["default", other.id]) {
    await api.store.layers.set({ scope: "tenant", tenantId }, [
      { name: "SIP_Port_1_", value: String(units.address().port), access: null },
    ]);
  }
  for (const mac of DEFAULT) await api.store.devices.create({ mac });
  for (const mac of OTHER) await api.store.devices.create({ mac, tenantId: other.id });
  // The units' last resync came from 127.0.0.1: where the NOTIFYs go.
  await api.store.devices.recordStatusBatch(
    [...DEFAULT, ...OTHER].map((mac) => ({
      mac,
      at: new Date(),
      remoteAddress: "127.0.0.1",
      userAgent: null,
      firmware: null,
      result: "ok",
      transport: "http",
    })),
  );
}, 60_000);

afterAll(async () => {
  release();
  await api?.close();
  units.close();
});

describe("push operations", () => {
  it("a push to many devices runs in the background with progress and per-device results; running pushes are bounded", async () => {
    const first = await push({ macs: [DEFAULT[0], DEFAULT[1]] });
    expect(first.status, first.text).toBe(202);
    expect(first.headers.get("location")).toBe(`/api/v1/operations/${first.body.operation.id}`);
    expect(first.body.operation).toMatchObject({
      kind: "push",
      status: "running",
      push: { event: "check-sync", via: "sip", devices: 2 },
    });
    const second = await push({ macs: [DEFAULT[2]] });
    expect(second.status).toBe(202);
    // Two pushes of this tenant are running: a third waits for one of them.
    const busy = await push({ macs: [DEFAULT[3]] });
    expect(busy.status).toBe(429);
    expect(busy.body.error.code).toBe("API_BUSY");
    // Another tenant still may, up to the installation's bound.
    const o1 = await push({ tenant: "other", macs: [OTHER[0]] });
    const o2 = await push({ tenant: "other", macs: [OTHER[1]] });
    expect([o1.status, o2.status]).toEqual([202, 202]);
    await api.store.tenants.create({ slug: "third", name: "Third" });
    expect((await push({ tenant: "third" })).status).toBe(429);

    // While held, the operation is running with nothing done.
    const running = await api.request("GET", `/api/v1/operations/${first.body.operation.id}`);
    expect(running.body).toMatchObject({ status: "running", push: { devices: 2, done: 0 } });

    release();
    const done = await finished(first.body.operation.id);
    expect(done.body).toMatchObject({
      status: "succeeded",
      push: { devices: 2, done: 2, outcomes: { accepted: 2 } },
    });
    expect(done.body.push.results.map((r: { mac: string }) => r.mac).sort()).toEqual([
      DEFAULT[0],
      DEFAULT[1],
    ]);
    expect(done.body.push.results[0]).toMatchObject({
      outcome: "accepted",
      status: 200,
      contactFrom: "last-resync",
    });
    for (const o of [second, o1, o2]) await finished(o.body.operation.id);
    // A slot is free again: the whole tenant is pushed.
    const whole = await push({});
    expect(whole.status).toBe(202);
    expect((await finished(whole.body.operation.id)).body.push).toMatchObject({
      devices: 4,
      outcomes: { accepted: 4 },
    });
  });

  it("a tenant's token sees its own push operations only", async () => {
    const { secret } = await api.store.tokens.issue({
      name: "other-admin",
      role: "admin",
      tenantId: (await api.store.tenants.findBySlug("other"))!.id,
    });
    const mine = await push({ macs: [DEFAULT[0]] });
    expect(mine.status).toBe(202);
    const seen = await api.request("GET", `/api/v1/operations/${mine.body.operation.id}`, {
      token: secret,
    });
    expect(seen.status).toBe(404);
    await finished(mine.body.operation.id);
  });
});

describe("body limits", () => {
  // The CSV parser's import limit belongs to the import routes: any other route keeps the
  // admin listener's 1 MiB, so a text/csv body cannot make it buffer an import-sized body.
  const csv = (rows: number) =>
    `mac\n${Array.from({ length: rows }, (_, i) => `000e08${i.toString(16).padStart(6, "0")}`).join("\n")}\n`;

  it("the push route refuses a 2 MiB text/csv body with 413; a device import over 1 MiB still runs", async () => {
    const big = csv(170_000); // 13 bytes a row: over 2 MiB
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    const refused = await api.request("POST", "/api/v1/push", {
      raw: big,
      contentType: "text/csv",
    });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe("API_BODY_TOO_LARGE");
    const imported = await api.request("POST", "/api/v1/devices/import", {
      raw: csv(100_000),
      contentType: "text/csv",
    });
    expect(imported.status, imported.text).toBe(202);
  });
});
