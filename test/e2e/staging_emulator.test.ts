/**
 * In-house staging with the device emulator against the real server, over real sockets: a
 * factory SPA112 on the staging LAN (DHCP option 66 names the server's TFTP port) boots,
 * fetches `/spa112.cfg`, follows the rules the profiles it receives set, and ends up fetching
 * its own profile — the server records MFG-RESET then SP-CUST, each step in the unit's
 * history. The unit was on the shipment's bar-code scan list (imported before it booted).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDevicesCsv } from "../../src/admin/index.ts";
import { Device, VirtualClock } from "../../src/device/index.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "../server/helpers.ts";

const MAC = "000e08e5a112";

let node: ProvisioNode;

beforeAll(async () => {
  node = await startTestNode(join(tempDir("staging-e2e"), "data"), { tftpPort: "0" });
  const imported = await importDevicesCsv([`mac,serial,model\n${MAC},CCQ5A112,SPA112\n`], {
    store: node.store,
    tenantId: "default",
    actor: "test",
  });
  expect(imported.committed).toBe(1);
  await node.store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Admin_Passwd", value: "St4ged-admin", access: "na" },
    { name: "Proxy_1_", value: "sip.staged.example", access: "na" },
  ]);
  await node.cache.settled();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("a factory SPA112 staged by the emulator", () => {
  it("spa112.cfg, its per-MAC staging path, its own profile: SP-CUST on both sides", async () => {
    const tftp = `127.0.0.1:${node.addresses.tftp!.port}`;
    const clock = new VirtualClock();
    const unit = new Device({
      mac: MAC,
      productName: "SPA112",
      serial: "CCQ5A112",
      clock,
      dhcp: { option66: tftp },
    });
    expect(unit.provisioningState).toBe("MFG-RESET");
    const fetched: string[] = [];
    unit.on("resync", (r) => {
      for (const q of r.requests) fetched.push(q.url);
    });
    unit.powerOn();
    const mac = parseMac(MAC);
    // Boot resync, then the short staging timers: a few virtual minutes at most.
    for (let i = 0; i < 40; i++) {
      await clock.advance(10_000);
      await unit.settled();
      if (fetched.some((u) => u.endsWith(`/profile/${MAC}.xml`))) break;
    }
    expect(fetched.slice(0, 3)).toEqual([
      `tftp://${tftp}/spa112.cfg`,
      `tftp://${tftp}/staging/${MAC}.cfg`,
      `tftp://${tftp}/profile/${MAC}.xml`,
    ]);
    expect(unit.provisioningState).toBe("SP-CUST");
    expect(unit.params.get("Proxy_1_")).toBe("sip.staged.example");
    expect(unit.params.get("Admin_Passwd")).toBe("St4ged-admin");

    await node.writer.flush();
    await node.lifecycles.flush();
    const device = await node.store.devices.get(mac);
    expect(device.lifecycle?.state).toBe("sp-cust");
    const events = (await node.store.events.list({ mac, limit: 50 })).reverse();
    expect(events.map((e) => `${e.result} ${e.path}`)).toEqual(
      expect.arrayContaining([
        "ok /spa112.cfg",
        `ok /staging/${MAC}.cfg`,
        "lifecycle /spa112.cfg",
        `lifecycle /profile/${MAC}.xml`,
      ]),
    );
    unit.powerOff();
  }, 120_000);
});
