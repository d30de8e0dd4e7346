/**
 * Client-certificate binding, fuzzed over real HTTPS: a device certificate for A never
 * obtains B's profile — by B's MAC in any spelling or encoding, B's serial, a query-string
 * route, a spoofed User-Agent naming B, or any mix — and a tenant that requires device
 * certificates serves nobody without one (plain HTTP included), whatever path or User-Agent.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { type DeviceCertFiles, issueCert, startTestNode, tempDir } from "./helpers.ts";

const A = parseMac("000e08cafe01");
const B = parseMac("000e08cafe02");
const C = parseMac("000e08cafe03");
let node: ProvisioNode;
let agents: Record<"macAndSerial" | "macOnly", Agent>;
let agentC: Agent;
let ca: string;

beforeAll(async () => {
  const dir = tempDir("cert-binding");
  // Miss throttling off: the fuzz makes hundreds of refusals from one address on purpose
  // (throttling is tested in device_scan and device_refusals).
  node = await startTestNode(join(dir, "data"), {}, {}, { PROVISIO_MISSES_PER_MINUTE: "0" });
  const { store } = node;
  await store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  await store.tenants.update("default", {
    settings: {
      profilePaths: [
        "/profile/$MA.xml",
        "/$MA.xml",
        "/spa$PSN.cfg",
        "/p/$SN.cfg",
        "/m/$MAC.cfg",
        "/u/$(MAU)-$SN.cfg",
        "/cgi-bin/prov?mac=$MAU",
      ],
      autoCreate: true,
    },
  });
  await store.devices.create({ mac: A, modelPn: "SPA504G", serial: "SERA1" });
  await store.devices.create({ mac: B, modelPn: "SPA504G", serial: "SERB2" });
  await store.layers.set({ scope: "device", mac: A }, [
    { name: "Station_Name", value: "A-OWN", access: "na" },
  ]);
  await store.layers.set({ scope: "device", mac: B }, [
    { name: "Station_Name", value: "B-SECRET", access: "na" },
  ]);
  const secure = await store.tenants.create({
    slug: "secure",
    name: "Secure",
    settings: { profilePaths: ["/secure/$MA.xml", "/s/$SN.cfg"], requireClientCert: true },
  });
  await store.devices.create({ mac: C, tenantId: secure.id, modelPn: "SPA504G", serial: "SERC3" });
  await store.layers.set({ scope: "device", mac: C }, [
    { name: "Station_Name", value: "C-SECRET", access: "na" },
  ]);
  await node.cache.settled();

  const issue = async (name: string, options: { mac?: string; serial?: string }) =>
    issueCert(node.config.dataDir, dir, name, options);
  const agentOf = (files: DeviceCertFiles) =>
    new Agent({
      keepAlive: true,
      maxSockets: 4,
      ca: readFileSync(node.boot.paths.serverCert),
      cert: readFileSync(files.cert),
      key: readFileSync(files.key),
    });
  ca = readFileSync(node.boot.paths.serverCert, "utf8");
  agents = {
    macAndSerial: agentOf(await issue("a", { mac: A, serial: "SERA1" })),
    macOnly: agentOf(await issue("a-mac", { mac: A })),
  };
  agentC = agentOf(await issue("c", { mac: C }));
}, 120_000);

afterAll(async () => {
  for (const agent of Object.values(agents ?? {})) agent.destroy();
  agentC?.destroy();
  await node?.close();
});

interface Answer {
  readonly status: number;
  readonly body: string;
}

function get(
  url: "http" | "https",
  path: string,
  headers: Record<string, string>,
  agent?: Agent,
): Promise<Answer> {
  const port = url === "https" ? node.addresses.https!.port : node.addresses.http!.port;
  return new Promise((resolve, reject) => {
    const options = { host: "127.0.0.1", port, path, headers, method: "GET" };
    const req =
      url === "https"
        ? httpsRequest({ ...options, agent: agent ?? false, ca }, onResponse)
        : httpRequest(options, onResponse);
    function onResponse(res: import("node:http").IncomingMessage): void {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("latin1") }),
      );
    }
    req.on("error", reject);
    req.end();
  });
}

/** B's MAC (or A's) in every spelling a path may carry, some percent-encoded. */
function macForms(mac: string): fc.Arbitrary<string> {
  const upper = mac.toUpperCase();
  const colon = mac.match(/../g)!.join(":");
  return fc
    .tuple(fc.constantFrom(mac, upper, colon, colon.toUpperCase()), fc.boolean(), fc.nat(11))
    .map(([form, encode, at]) =>
      encode
        ? `${form.slice(0, at)}%${form.charCodeAt(at).toString(16)}${form.slice(at + 1)}`
        : form,
    );
}

const paths = (mac: string, serial: string, series: string) =>
  fc.oneof(
    macForms(mac).map((m) => `/profile/${m}.xml`),
    macForms(mac).map((m) => `/${m}.xml`),
    macForms(mac).map((m) => `/m/${m}.cfg`),
    macForms(mac).map((m) => `/cgi-bin/prov?mac=${m}`),
    fc.constantFrom(
      `/p/${serial}.cfg`,
      `/p/${serial.toLowerCase()}.cfg`,
      `/spa${series}.cfg`,
      `/u/${mac.toUpperCase()}-${serial}.cfg`,
      `/profile/${mac}.xml?mac=${mac}`,
      `/profile/${mac}.xml/`,
      `/profile/./${mac}.xml`,
      `/x/../profile/${mac}.xml`,
      `/secure/${mac}.xml`,
      `/s/${serial}.cfg`,
    ),
  );

const userAgent = (mac: string, serial: string) =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      `Cisco/SPA504G-7.5.5 (${mac.toUpperCase()})(${serial})`,
      `Linksys/SPA504G-7.5.5 (${serial})`,
      `Cisco/SPA504G-7.5.5 (${mac})`,
      `Cisco-CP-8841-3PCC/11.0 (${mac})`,
      "curl/8",
    ),
  );

describe("HTTPS client-certificate binding (fuzz)", () => {
  it("a certificate for A never gets B's profile, by any path form or User-Agent", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("macAndSerial", "macOnly") as fc.Arbitrary<keyof typeof agents>,
        fc.oneof(paths(B, "SERB2", "504"), paths(A, "SERA1", "504")),
        userAgent(B, "SERB2"),
        fc.option(fc.constantFrom("*", '"x"'), { nil: undefined }),
        async (which, path, ua, inm) => {
          const headers: Record<string, string> = {};
          if (ua !== undefined) headers["user-agent"] = ua;
          if (inm !== undefined) headers["if-none-match"] = inm;
          const res = await get("https", path, headers, agents[which]);
          seen.add(res.status);
          expect(res.body, `${which} ${path} ${ua}`).not.toContain("B-SECRET");
          expect(res.status, `${which} ${path}`).toBeLessThan(500);
          if (res.status === 200) expect(res.body).toContain("A-OWN");
        },
      ),
      { numRuns: 500 },
    );
    // The fuzz saw both sides: served (own profile, 304) and refused (B's paths are answered
    // as for an unknown device, 404).
    expect([...seen]).toEqual(expect.arrayContaining([200, 404]));
  });

  it("refuses (as for an unknown device, a security event) a certificate whose request names another device", async () => {
    const spoofed = await get(
      "https",
      "/spa504.cfg",
      { "user-agent": `Cisco/SPA504G-7.5.5 (${B.toUpperCase()})(SERB2)` },
      agents.macAndSerial,
    );
    expect(spoofed.status).toBe(404);
    expect(spoofed.body).toBe("no profile at this path\n");
    const bySerial = await get("https", "/p/SERB2.cfg", {}, agents.macOnly);
    expect(bySerial.status).toBe(404);
    const own = await get(
      "https",
      "/p/SERA1.cfg",
      { "user-agent": `Cisco/SPA504G-7.5.5 (${A.toUpperCase()})(SERA1)` },
      agents.macAndSerial,
    );
    expect(own.status).toBe(200);
    expect(own.body).toContain("A-OWN");
    expect(await node.metrics.registry.metrics()).toMatch(
      /provisio_security_events_total\{reason="certificate-mismatch"\} [1-9]/,
    );
  });

  it("a tenant requiring certificates serves nobody without the device's own one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("http", "https-none", "https-A") as fc.Arbitrary<string>,
        paths(C, "SERC3", "504"),
        userAgent(C, "SERC3"),
        async (how, path, ua) => {
          const headers: Record<string, string> = ua === undefined ? {} : { "user-agent": ua };
          const res =
            how === "http"
              ? await get("http", path, headers)
              : await get(
                  "https",
                  path,
                  headers,
                  how === "https-A" ? agents.macAndSerial : undefined,
                );
          expect(res.body, `${how} ${path} ${ua}`).not.toContain("C-SECRET");
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    // …while C's own certificate is served.
    const own = await get("https", `/secure/${C}.xml`, {}, agentC);
    expect(own.status).toBe(200);
    expect(own.body).toContain("C-SECRET");
  });
});
