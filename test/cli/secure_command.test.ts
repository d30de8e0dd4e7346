/**
 * `provisio secure` as an operator runs it: a tenant's mode and schedule (the LAN mode
 * warned), each device's key state without keys or directories, rotations by device, group
 * and tenant, and a reset. Keys are set up through the store as the server would write them.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openInstallation } from "../../src/cli/installation.ts";
import { parseMac } from "../../src/store/index.ts";
import { provisio, tempDir } from "./helpers.ts";

const A = "000e08cc0001";
const B = "000e08cc0002";

describe("provisio secure", () => {
  it("sets the mode, shows states, rotates by device/group/tenant, resets", async () => {
    const dir = tempDir("secure");
    const data = ["--data", join(dir, "data")];
    const run = async (...args: string[]) => provisio([...args, ...data], { cwd: dir });

    const setup = await openInstallation({ data: join(dir, "data") });
    let keyA = "";
    try {
      const { store } = setup;
      const group = await store.groups.create({ name: "lobby" });
      await store.devices.create({ mac: parseMac(A), modelPn: "SPA112", groupId: group.id });
      await store.devices.create({ mac: parseMac(B), modelPn: "SPA112" });
      const a = await store.deviceKeys.bootstrap(parseMac(A), "https", Date.now());
      keyA = a.current.key.reveal();
      await store.deviceKeys.confirm(parseMac(A), 1, Date.now());
      await store.deviceKeys.bootstrap(parseMac(B), "lan", Date.now());
    } finally {
      await setup.close();
    }

    const bad = await run("secure", "mode", "default", "sometimes");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("off, on, lan-bootstrap");

    const lan = await run("secure", "mode", "default", "lan-bootstrap");
    expect(lan.code).toBe(0);
    expect(lan.stderr).toContain("in clear");
    const on = await run("secure", "mode", "default", "on", "--rotate-every", "90", "--json");
    expect({ code: on.code, stderr: on.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(on.stdout)).toEqual({
      tenant: "default",
      secureProvisioning: "on",
      keyRotationDays: 90,
    });
    expect(on.stderr).not.toContain("in clear");

    const status = await run("secure", "status");
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`${A}\\s+active\\s+#1`));
    expect(status.stdout).toMatch(new RegExp(`${B}\\s+bootstrap\\s+#1`));
    expect(status.stdout).not.toContain(keyA);

    const byGroup = await run("secure", "rotate", "--group", "lobby", "--json");
    expect(JSON.parse(byGroup.stdout)).toEqual({ started: 1, alreadyRotating: 0 });

    const byTenant = await run("secure", "rotate", "--tenant", "default");
    expect(byTenant.code).toBe(0);
    expect(byTenant.stdout).toContain("rotation started for 1 device(s); 1 already rotating");
    const onlyRotating = await run("secure", "status", "--rotating", "--json");
    const rows = JSON.parse(onlyRotating.stdout);
    expect(rows.map((r: { mac: string }) => r.mac)).toEqual([A, B]);
    expect(rows[0].state).toBe("rotation-pending");
    expect(rows[0].rotation.generation).toBe(2);
    expect(onlyRotating.stdout).not.toContain(keyA);

    expect((await run("secure", "reset", B)).code).toBe(0);
    const again = await run("secure", "reset", B);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("no secure-provisioning keys");
    const after = await openInstallation({ data: join(dir, "data") });
    try {
      const actions = (await after.store.audit.list({ entity: "secure-provisioning" })).map(
        (e) => e.action,
      );
      expect(actions.sort()).toEqual(["secure.reset", "secure.rotate", "secure.rotate"]);
      expect((await after.store.tenants.get("default")).settings.keyRotationDays).toBe(90);
    } finally {
      await after.close();
    }
  }, 400_000);
});
