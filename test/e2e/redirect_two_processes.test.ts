/**
 * A redirect service and a provider's server as two `provisio serve` processes on one
 * machine (sharing the installation's database, as a hosted redirect service and the
 * providers it hosts do), and a factory RC unit — the device emulator — that goes by itself
 * from the redirect service to its provider and is provisioned: its factory rule names the
 * redirect service; the redirect profile restricts it to the provider's domain and points
 * it at the provider's server; the provider serves its account's line. The redirect
 * service's record of the unit goes open → pending → acquired.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openInstallation } from "../../src/cli/installation.ts";
import { Device, networkFetcher, VirtualClock } from "../../src/device/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { tempDir } from "../server/helpers.ts";
import { type ServeProcess, startServeProcess } from "../server/serve_process.ts";

const MAC = parseMac("000e08a0c001");
const processes: ServeProcess[] = [];

/** The unit's DNS: the redirect service's and the provider's names are this machine. */
const resolveToLoopback = async (host: string): Promise<string[]> =>
  host === "rc.example.net" || host.endsWith("acme.example") ? ["127.0.0.1"] : [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
});

describe("redirect service and provider as two processes", () => {
  it("a factory RC unit goes redirect → provider → provisioned by itself; the service sees it acquired", async () => {
    const data = join(tempDir("rc-e2e"), "data");
    const env = { PROVISIO_WORKERS: "1", PROVISIO_LOG_LEVEL: "info" };
    // The installation, set up as an operator would before starting the servers.
    const setup = await openInstallation({ data });
    const { store } = setup;
    const acme = await store.tenants.create({
      slug: "acme",
      name: "Acme Telecom",
      settings: { profilePaths: ["/acme/$MA.xml"] },
    });
    const account = await store.accounts.create({
      tenantId: acme.id,
      reference: "C-77",
      lines: [{ line: 1, userId: "4085557777", password: "sip-7777", displayName: "Acme 77" }],
    });
    await store.devices.create({
      mac: MAC,
      tenantId: acme.id,
      modelPn: "SPA2102",
      accountId: account.id,
    });

    const provider = await startServeProcess(data, [], env);
    processes.push(provider);
    const rc = await startServeProcess(data, [], { ...env, PROVISIO_ROLE: "redirect" });
    processes.push(rc);
    const providerPort = new URL(provider.http).port;
    const rcPort = new URL(rc.http).port;

    await store.redirects.setProfile({
      tenantId: acme.id,
      name: "default",
      restrictedDomains: ["acme.example"],
      primaryDns: "192.0.2.53",
      resyncPeriodic: 30,
      resyncErrorRetryDelay: 30,
      profileRule: `http://prov.acme.example:${providerPort}/acme/$MA.xml`,
    });
    await store.redirects.register(acme.id, "default", [MAC]);

    const clock = new VirtualClock();
    const unit = new Device({
      mac: MAC,
      productName: "SPA2102",
      clock,
      fetcher: networkFetcher({ resolve: resolveToLoopback }),
      remoteCustomization: {
        profileRule: `http://rc.example.net:${rcPort}/rc/$MA.xml`,
        company: "Acme Telecom",
      },
    });
    const fetched: string[] = [];
    unit.on("resync", (r) => {
      for (const q of r.requests) fetched.push(`${q.outcome} ${q.url}`);
    });
    expect(unit.customization).toBe("Pending");
    unit.powerOn();
    await clock.advance(60_000); // the boot resync: the redirect service
    expect(fetched[0]).toBe(`ok http://rc.example.net:${rcPort}/rc/${MAC}.xml`);
    expect(unit.customization).toBe("Acme Telecom");
    expect(unit.params.get("Restricted_Access_Domains")).toBe("acme.example");
    await clock.advance(60_000); // Resync_Periodic 30: the provider's own profile
    expect(fetched).toContain(`ok http://prov.acme.example:${providerPort}/acme/${MAC}.xml`);
    expect(unit.params.get("User_ID_1_")).toBe("4085557777");
    expect(unit.provisioningState).toBe("SP-CUST");
    unit.powerOff();

    // The provider's process saw the unit and told the shared records: acquired.
    let status: string | undefined;
    for (let i = 0; i < 400 && status !== "acquired"; i++) {
      status = (await store.redirects.find(MAC))?.status;
      if (status !== "acquired") await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe("acquired");
    const history = await store.audit.list({ entity: "redirect", key: MAC });
    expect(history.filter((a) => a.action === "redirect.status").map((a) => a.after)).toEqual(
      expect.arrayContaining([{ status: "pending" }, { status: "acquired" }]),
    );
    // A transfer made by another process (this one) reaches the redirect service through the
    // change feed: its next answers are the new owner's.
    const beta = await store.tenants.create({ slug: "beta", name: "Beta Voice" });
    await store.redirects.setProfile({
      tenantId: beta.id,
      name: "default",
      profileRule: "https://prov.beta.example/beta/$MA.xml",
    });
    const moved = parseMac("000e08a0c002");
    await store.redirects.register(acme.id, "default", [moved]);
    const rcAnswer = async (): Promise<string> =>
      (await fetch(`${rc.http}/rc/${moved}.xml`)).text();
    const seen = async (text: string): Promise<boolean> => {
      for (let i = 0; i < 200; i++) {
        if ((await rcAnswer()).includes(text)) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    expect(await seen("prov.acme.example")).toBe(true);
    await store.redirects.transfer(moved, beta.id, "default", { actor: "test" });
    expect(await seen("prov.beta.example")).toBe(true);
    expect(await rcAnswer()).not.toContain("acme");
    await store.redirects.release(moved, beta.id);
    expect(await seen("<flat-profile></flat-profile>")).toBe(true);

    await setup.close();
    // Neither process logged the SIP password.
    expect(`${provider.stdout()}${rc.stdout()}`).not.toContain("sip-7777");
  }, 300_000);
});
