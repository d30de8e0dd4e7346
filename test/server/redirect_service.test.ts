/**
 * The redirect (RC) service over real HTTP: a registered MAC gets its provider's redirect
 * profile; an unknown MAC and a MAC another provider registered get the same empty profile;
 * a transfer moves the very next fetch to the new provider; the status goes open → pending
 * (redirect served) → acquired (the provider's server served the unit its own profile).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const UNIT = parseMac("000e08cc0001");
const OTHER = parseMac("000e08cc0002");
const UNKNOWN = parseMac("000e08cc0099");

let node: ProvisioNode;
let http: string;
let acme: string;
let beta: string;

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition never held");
}

beforeAll(async () => {
  const dir = tempDir("redirect");
  node = await startTestNode(join(dir, "data"), { role: "both" });
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  const { store } = node;
  acme = (
    await store.tenants.create({
      slug: "acme",
      name: "Acme",
      settings: { profilePaths: ["/acme/$MA.xml"] },
    })
  ).id;
  beta = (await store.tenants.create({ slug: "beta", name: "Beta" })).id;
  await store.redirects.setProfile({
    tenantId: acme,
    name: "default",
    restrictedDomains: ["acme.example", "acme-backup.example"],
    primaryDns: "192.0.2.53",
    secondaryDns: "192.0.2.54",
    resyncPeriodic: 30,
    resyncErrorRetryDelay: 30,
    profileRule: "http://prov.acme.example/acme/$MA.xml",
  });
  await store.redirects.setProfile({
    tenantId: beta,
    name: "default",
    profileRule: "https://prov.beta.example/beta/$MA.cfg",
  });
  await store.redirects.register(acme, "default", [UNIT]);
  await store.redirects.register(beta, "default", [OTHER]);
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("redirect service", () => {
  it("serves a registered MAC its provider's redirect profile with its restricted domains", async () => {
    const r = await curl([`${http}/rc/${UNIT}.xml`]);
    expect(r.status).toBe(200);
    expect(r.body).toContain(
      "<Restricted_Access_Domains>acme.example, acme-backup.example</Restricted_Access_Domains>",
    );
    expect(r.body).toContain("<Primary_DNS>192.0.2.53</Primary_DNS>");
    expect(r.body).toContain("<Provision_Enable>Yes</Provision_Enable>");
    expect(r.body).toContain("<Resync_Periodic>30</Resync_Periodic>");
    expect(r.body).toContain("<Resync_Error_Retry_Delay>30</Resync_Error_Retry_Delay>");
    expect(r.body).toContain("<Profile_Rule>http://prov.acme.example/acme/$MA.xml</Profile_Rule>");
    await until(async () => (await node.store.redirects.find(UNIT))?.status === "pending");
  });

  it("answers an unknown MAC and a withdrawn (unavailable) unit with the same empty profile", async () => {
    const unknown = await curl([`${http}/rc/${UNKNOWN}.xml`]);
    expect(unknown.status).toBe(200);
    expect(unknown.body.trim()).toBe("<flat-profile></flat-profile>");
    await node.store.redirects.setStatus(OTHER, "unavailable");
    const withdrawn = await curl([`${http}/rc/${OTHER}.xml`]);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toBe(unknown.body);
    expect(withdrawn.headers["content-type"]).toBe(unknown.headers["content-type"]);
    await node.store.redirects.setStatus(OTHER, "open");
  });

  it("a transfer moves the next fetch to the new provider's redirect at once", async () => {
    const before = await curl([`${http}/rc/${OTHER}.xml`]);
    expect(before.body).toContain("prov.beta.example");
    await node.store.redirects.transfer(OTHER, acme, "default", { actor: "test" });
    const after = await curl([`${http}/rc/${OTHER}.xml`]);
    expect(after.body).toContain("prov.acme.example");
    expect(after.body).not.toContain("beta");
    await node.store.redirects.release(OTHER, acme);
    const released = await curl([`${http}/rc/${OTHER}.xml`]);
    expect(released.body.trim()).toBe("<flat-profile></flat-profile>");
  });

  it("a pending unit served its own profile by its provider is acquired", async () => {
    await node.store.devices.create({ mac: UNIT, tenantId: acme });
    const own = await curl([`${http}/acme/${UNIT}.xml`]);
    expect(own.status).toBe(200);
    await until(async () => (await node.store.redirects.find(UNIT))?.status === "acquired");
    const audit = await node.store.audit.list({ entity: "redirect", key: UNIT });
    expect(audit.filter((a) => a.action === "redirect.status").map((a) => a.after)).toEqual(
      expect.arrayContaining([{ status: "pending" }, { status: "acquired" }]),
    );
  });

  it("alternating the redirect path and the provider's path does not write a status row per request", async () => {
    const rows = async () =>
      (await node.store.audit.list({ entity: "redirect", key: UNIT })).filter(
        (a) => a.action === "redirect.status",
      ).length;
    const before = await rows();
    for (let i = 0; i < 5; i++) {
      expect((await curl([`${http}/rc/${UNIT}.xml`])).status).toBe(200);
      expect((await curl([`${http}/acme/${UNIT}.xml`])).status).toBe(200);
      await node.writer.flush();
    }
    // Writes are in the background: give any of them time to land before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(await rows()).toBe(before);
    expect((await node.store.redirects.find(UNIT))?.status).toBe("acquired");
  });
});

describe("redirect records and the profile cache", () => {
  it("registering units and issuing activation codes leave every rendered profile cached", async () => {
    const device = parseMac("000e08cc00d1");
    await node.store.devices.create({ mac: device, tenantId: acme });
    expect((await curl([`${http}/acme/${device}.xml`])).status).toBe(200);
    expect(node.cache.profile(device)).toBeDefined();
    await node.store.redirects.register(acme, "default", [parseMac("000e08cc00d2")]);
    const account = await node.store.accounts.create({ tenantId: acme, reference: "K-1" });
    await node.store.activationCodes.issue({ accountId: account.id });
    expect(node.cache.profile(device)).toBeDefined();
  });
});

describe("redirect service with a path per provider ($TENANT), role redirect only", () => {
  let rc: ProvisioNode;
  afterAll(async () => {
    await rc?.close();
  });

  it("a MAC asked for under another provider's path gets the unknown unit's answer; tenant profile paths are not served", async () => {
    rc = await startTestNode(
      join(tempDir("rc"), "data"),
      { role: "redirect" },
      {},
      {
        PROVISIO_REDIRECT_PATH: "/rc/$TENANT/$MA.xml",
      },
    );
    const base = `http://127.0.0.1:${rc.addresses.http!.port}`;
    const a = (await rc.store.tenants.create({ slug: "acme", name: "Acme" })).id;
    await rc.store.tenants.create({ slug: "beta", name: "Beta" });
    await rc.store.redirects.setProfile({
      tenantId: a,
      name: "p",
      profileRule: "http://prov.acme.example/$MA.xml",
    });
    await rc.store.redirects.register(a, "p", [UNIT]);
    await rc.store.devices.create({ mac: UNIT });

    const own = await curl([`${base}/rc/acme/${UNIT}.xml`]);
    expect(own.body).toContain("prov.acme.example");
    const foreign = await curl([`${base}/rc/beta/${UNIT}.xml`]);
    const unknown = await curl([`${base}/rc/beta/${UNKNOWN}.xml`]);
    expect(foreign.status).toBe(200);
    expect(foreign.body).toBe(unknown.body);
    expect(foreign.body.trim()).toBe("<flat-profile></flat-profile>");
    // A redirect service is not a provisioning server: the default tenant's path is not served.
    expect((await curl([`${base}/profile/${UNIT}.xml`])).status).toBe(404);
  });
});
