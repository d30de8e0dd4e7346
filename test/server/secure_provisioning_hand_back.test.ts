/**
 * Secure provisioning hands the device and its profile back to the resync pipeline, so every
 * flow's `amend` and `served` run for a SEC-PRV-1/-2 answer as for a clear profile. Over real
 * HTTP: a SEC-PRV-2 unit under an upgrade policy finds its Upgrade_Rule inside its encrypted
 * profile (opened with the openssl command line); a report is accepted from the address the
 * unit last fetched its secure profile from and refused from another; a redirected unit that
 * reaches SEC-PRV-2 is acquired. Secure answers are cached like clear ones: the same bytes
 * and ETag until something they are made of changes (a layer, the pair after a rotation), and
 * 304 to a unit that has them.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setUpgradePolicy, uploadFirmware } from "../../src/admin/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { type E2eServer, startE2eServer } from "../e2e/provisio_server.ts";
import { startTestNode } from "./helpers.ts";
import { type SentAnswer, sendFrom } from "./sources.ts";

const UPGRADED = parseMac("000e08ee0001");
const REPORTER = parseMac("000e08ee0002");
const REDIRECTED = parseMac("000e08ee0003");
const CACHED = parseMac("000e08ee0004");
const RESTARTED = parseMac("000e08ee0005");

let server: E2eServer;
/** The node started again on the same data directory (an empty cache). */
let again: ProvisioNode | undefined;
let port: number;

/** One HTTP request from a chosen loopback address (a unit on another address). */
function send(
  method: string,
  path: string,
  options: { from?: string; ua?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<SentAnswer> {
  return sendFrom(port, method, path, {
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.body === undefined ? {} : { body: options.body }),
    headers: {
      ...(options.ua === undefined ? {} : { "user-agent": options.ua }),
      ...options.headers,
    },
  });
}

const ua = (mac: string, version = "7.4.8") => `Cisco/SPA962-${version} (${mac})`;

/** Bootstraps the unit (SEC-PRV-1, targeted over HTTP) and returns its installed pair. */
async function bootstrap(mac: MacAddress, from = "127.0.0.1") {
  const first = await send("GET", `/profile/${mac}.xml`, { from, ua: ua(mac) });
  expect(first.status).toBe(200);
  const keys = await server.node.store.deviceKeys.get(mac);
  expect(keys).not.toBeNull();
  return { key: keys!.current.key.reveal(), directory: keys!.current.directory };
}

/** The unit's SEC-PRV-2 fetch; the profile as the unit reads it (openssl, then gunzip). */
async function secureFetch(
  mac: MacAddress,
  pair: { key: string; directory: string },
  from?: string,
) {
  const answer = await send("GET", `/secure/${pair.directory}/${mac}.cfg`, {
    ua: ua(mac),
    ...(from === undefined ? {} : { from }),
  });
  expect(answer.status).toBe(200);
  const decrypted = execFileSync(
    "openssl",
    ["enc", "-d", "-aes-256-cbc", "-md", "md5", "-k", pair.key],
    { input: answer.body },
  );
  return { answer, xml: gunzipSync(decrypted).toString("utf8") };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition never held");
}

beforeAll(async () => {
  server = await startE2eServer();
  port = Number(new URL(server.http).port);
  await server.addDevices([UPGRADED, REPORTER, REDIRECTED, CACHED, RESTARTED]);
  const { store } = server.node;
  for (const version of ["7.5.5", "7.6.2"]) {
    const bytes = Buffer.from(`image ${version}`);
    await uploadFirmware(
      store,
      server.node.config.filesDir,
      {
        tenantId: "default",
        version,
        models: ["SPA962"],
        fileName: `fw-${version}.bin`,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        bytes,
      },
      "test",
    );
  }
  await setUpgradePolicy(
    store,
    { tenantId: "default", name: "all", target: "7.6.2", intermediates: ["7.5.5"] },
    "test",
  );
  // The reporting unit fetched its clear profile from 127.0.0.1 before the tenant turned
  // secure provisioning on; it then moves to 127.0.0.3.
  const clear = await send("GET", `/profile/${REPORTER}.xml`, { ua: ua(REPORTER) });
  expect(clear.status).toBe(200);
  await store.tenants.update("default", { settings: { secureProvisioning: "on" } });
  await store.redirects.setProfile({
    tenantId: "default",
    name: "default",
    profileRule: "http://prov.example/profile/$MA.xml",
  });
  await store.redirects.register("default", "default", [REDIRECTED]);
  await store.redirects.setStatus(REDIRECTED, "pending");
  await server.node.cache.settled();
  await new Promise((r) => setTimeout(r, 300));
}, 120_000);

afterAll(async () => {
  await server?.close();
  await again?.close();
});

describe("secure provisioning runs the pipeline's flows", () => {
  it("a SEC-PRV-2 unit under an upgrade policy gets its Upgrade_Rule inside its encrypted profile", async () => {
    const pair = await bootstrap(UPGRADED);
    const { xml } = await secureFetch(UPGRADED, pair);
    expect(xml).toContain(`<GPP_B ua="na">${pair.directory}</GPP_B>`);
    expect(xml).toContain(
      `<Upgrade_Rule ua="na">($SWVER lt 7.5.5)? ${server.http}/firmware/fw-7.5.5.bin?mac=$MA</Upgrade_Rule>`,
    );
  });

  it("a report is accepted from the address of the unit's secure fetch, refused from another", async () => {
    const pair = await bootstrap(REPORTER, "127.0.0.3");
    await secureFetch(REPORTER, pair, "127.0.0.3");
    const report = '<flat-profile>\n<Station_Name ua="rw">lobby</Station_Name>\n</flat-profile>\n';
    const path = `/report/${REPORTER}.xml`;
    const ok = await send("POST", path, { from: "127.0.0.3", ua: ua(REPORTER), body: report });
    expect(ok.status).toBe(200);
    const other = await send("POST", path, { from: "127.0.0.1", ua: ua(REPORTER), body: report });
    expect(other.status).toBe(403);
  });

  it("a redirected unit that reaches SEC-PRV-2 is acquired", async () => {
    const pair = await bootstrap(REDIRECTED);
    await secureFetch(REDIRECTED, pair);
    await until(
      async () => (await server.node.store.redirects.find(REDIRECTED))?.status === "acquired",
    );
  });
});

describe("secure answers are cached", () => {
  it("same bytes and ETag until a layer or the pair changes; 304 to a unit that has them", async () => {
    const pair = await bootstrap(CACHED);
    const first = await secureFetch(CACHED, pair);
    const second = await secureFetch(CACHED, pair);
    const etag = first.answer.headers.etag as string;
    const lastModified = first.answer.headers["last-modified"] as string;
    expect(etag).toMatch(/^"/);
    expect(lastModified).toBeDefined();
    expect(second.answer.headers.etag).toBe(etag);
    expect(second.answer.body.equals(first.answer.body)).toBe(true);
    const path = `/secure/${pair.directory}/${CACHED}.cfg`;
    const byTag = await send("GET", path, { ua: ua(CACHED), headers: { "if-none-match": etag } });
    expect(byTag.status).toBe(304);
    const byDate = await send("GET", path, {
      ua: ua(CACHED),
      headers: { "if-modified-since": lastModified },
    });
    expect(byDate.status).toBe(304);

    // A layer of the unit changes: the next answer carries it, under a new version.
    await server.node.store.layers.set({ scope: "device", mac: CACHED }, [
      { name: "Station_Name", value: "cached-lobby", access: "rw" },
    ]);
    let changed: Awaited<ReturnType<typeof secureFetch>> | undefined;
    await until(async () => {
      changed = await secureFetch(CACHED, pair);
      return changed.xml.includes("cached-lobby");
    });
    expect(changed!.answer.headers.etag).not.toBe(etag);
    const afterLayer = changed!.answer.headers.etag as string;

    // A rotation: the same location now answers the profile installing the next pair, also
    // to a unit asking with the version it has.
    await server.node.store.deviceKeys.rotate({ macs: [CACHED] }, Date.now());
    const next = (await server.node.store.deviceKeys.get(CACHED))!.next!;
    const rotated = await send("GET", path, {
      ua: ua(CACHED),
      headers: { "if-none-match": afterLayer },
    });
    expect(rotated.status).toBe(200);
    const xml = gunzipSync(
      execFileSync("openssl", ["enc", "-d", "-aes-256-cbc", "-md", "md5", "-k", pair.key], {
        input: rotated.body,
      }),
    ).toString("utf8");
    expect(xml).toContain(`<GPP_B ua="na">${next.directory}</GPP_B>`);
    expect(xml).toContain(`<GPP_SA ua="na">${next.key.reveal()}</GPP_SA>`);
  });
});

describe("a rotation with nothing cached", () => {
  it("a unit asking If-Modified-Since with its answer from before gets the next pair", async () => {
    // On its target firmware: no upgrade rule, so nothing but the pair makes its answer newer.
    const current = ua(RESTARTED, "7.6.2");
    expect((await send("GET", `/profile/${RESTARTED}.xml`, { ua: current })).status).toBe(200);
    const pair = (await server.node.store.deviceKeys.get(RESTARTED))!.current;
    const path = `/secure/${pair.directory}/${RESTARTED}.cfg`;
    const answer = await send("GET", path, { ua: current });
    expect(answer.status).toBe(200);
    const lastModified = answer.headers["last-modified"] as string;
    // A new process (or an evicted entry): no earlier answer to compare with. The rotation
    // comes after that answer's second, as any real one does.
    const dataDir = server.node.config.dataDir;
    await server.close();
    again = await startTestNode(dataDir, { tftpPort: "off" });
    port = again.addresses.http!.port;
    while (Date.now() < Date.parse(lastModified) + 1000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await again.store.deviceKeys.rotate({ macs: [RESTARTED] }, Date.now());
    const next = (await again.store.deviceKeys.get(RESTARTED))!.next!;
    const rotated = await send("GET", path, {
      ua: current,
      headers: { "if-modified-since": lastModified },
    });
    expect(rotated.status).toBe(200);
    const xml = gunzipSync(
      execFileSync(
        "openssl",
        ["enc", "-d", "-aes-256-cbc", "-md", "md5", "-k", pair.key.reveal()],
        { input: rotated.body },
      ),
    ).toString("utf8");
    expect(xml).toContain(`<GPP_B ua="na">${next.directory}</GPP_B>`);
  });
});
