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
import { MAX_SINGLE_PUSHES, MAX_SINGLE_PUSHES_PER_TENANT } from "../../src/admin/index.ts";
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

/** Distinct SIP clients whose NOTIFYs are held (one per push in flight). */
const heldClients = () => new Set(held.map((h) => h.from.port)).size;

async function heldFrom(n: number): Promise<void> {
  while (heldClients() < n) await new Promise((r) => setTimeout(r, 20));
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
  for (const mac of DEFAULT) await api.store.devices.create({ mac });
  for (const mac of OTHER) await api.store.devices.create({ mac, tenantId: other.id });
  await listening(["default", other.id], [...DEFAULT, ...OTHER]);
}, 120_000);

/**
 * Every unit listens on the test's socket (the line's SIP port as the tenants set it), and
 * its last resync came from 127.0.0.1: where the NOTIFYs go.
 */
async function listening(tenantIds: readonly string[], units_: readonly MacAddress[]) {
  for (const tenantId of tenantIds) {
    await api.store.layers.set({ scope: "tenant", tenantId }, [
      { name: "SIP_Port_1_", value: String(units.address().port), access: null },
    ]);
  }
  await api.store.devices.recordStatusBatch(
    units_.map((mac) => ({
      mac,
      at: new Date(),
      remoteAddress: "127.0.0.1",
      userAgent: null,
      firmware: null,
      result: "ok",
      transport: "http",
    })),
  );
}

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

describe("single-device pushes", () => {
  it("a bounded number wait for their answers at once, per tenant and in all; beyond, 429 API_BUSY", async () => {
    answering = false;
    const one = (mac: MacAddress) =>
      api.request("POST", `/api/v1/devices/${mac}/push`, { body: { event: "check-sync" } });
    // Tenants of MAX_SINGLE_PUSHES_PER_TENANT units each, enough to fill the node's bound.
    const perTenant = MAX_SINGLE_PUSHES_PER_TENANT;
    const tenants = Math.ceil(MAX_SINGLE_PUSHES / perTenant) + 1;
    const groups: MacAddress[][] = [];
    for (let t = 0; t < tenants; t++) {
      const { id } = await api.store.tenants.create({ slug: `single${t}`, name: `S${t}` });
      const mine = macs(`000e08e2${String(t).padStart(2, "0")}`, perTenant);
      for (const mac of mine) await api.store.devices.create({ mac, tenantId: id });
      await listening([id], mine);
      groups.push(mine);
    }
    // One tenant's bound: the next push to one of its units is refused at once.
    const first = groups[0]!.map(one);
    await heldFrom(perTenant);
    const tenantBusy = await one(groups[0]![0]!);
    expect(tenantBusy.status).toBe(429);
    expect(tenantBusy.body.error.code).toBe("API_BUSY");
    // Other tenants fill the node's bound; then even a tenant with none in flight waits.
    const rest: Promise<ApiResponse>[] = [];
    for (const group of groups.slice(1, -1)) rest.push(...group.map(one));
    await heldFrom(MAX_SINGLE_PUSHES);
    const allBusy = await one(groups.at(-1)![0]!);
    expect(allBusy.status).toBe(429);
    expect(allBusy.body.error.code).toBe("API_BUSY");
    // Answered: every push held returns its unit's answer, and the slots are free again.
    release();
    for (const r of await Promise.all([...first, ...rest])) {
      expect(r.status, r.text).toBe(200);
      expect(r.body.results[0]).toMatchObject({ outcome: "accepted" });
    }
    expect((await one(groups.at(-1)![0]!)).status).toBe(200);
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
