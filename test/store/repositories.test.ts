import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { parseMac } from "../../src/mac_address.ts";
import type { Store } from "../../src/store/store.ts";
import { DEFAULT_TENANT_ID } from "../../src/store/types.ts";
import { dialects, type Fresh } from "./dialects.ts";

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  status?: number,
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isProvisioError(error) ? error.code : error).toBe(code);
    if (status !== undefined && isProvisioError(error)) expect(error.status).toBe(status);
    return;
  }
  throw new Error(`expected ${code}, but it resolved`);
}

const FP = "ab".repeat(32);

for (const dialect of dialects()) {
  describe(`repositories (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("tenants: create, find by slug, update settings, refuse duplicates, delete", async () => {
      const acme = await store.tenants.create(
        {
          slug: "acme",
          name: "ACME",
          settings: { profilePaths: ["/acme/$MA.xml"], autoCreate: true },
        },
        { actor: "cli:test" },
      );
      expect(acme.settings).toMatchObject({
        profilePaths: ["/acme/$MA.xml"],
        autoCreate: true,
        encryption: "none",
      });
      expect((await store.tenants.findBySlug("acme"))?.id).toBe(acme.id);
      await rejectsWith(
        store.tenants.create({ slug: "acme", name: "again" }),
        "STORE_CONFLICT",
        409,
      );
      await rejectsWith(
        store.tenants.create({ slug: "Bad Slug", name: "x" }),
        "STORE_INVALID_INPUT",
        400,
      );
      await rejectsWith(
        store.tenants.create({ slug: "typo", name: "x", settings: { autoCreat: true } as never }),
        "STORE_INVALID_SETTINGS",
      );
      const updated = await store.tenants.update(acme.id, { settings: { encryption: "aes" } });
      expect(updated.settings.encryption).toBe("aes");
      expect(updated.settings.autoCreate).toBe(true);
      expect(updated.version).toBeGreaterThan(acme.version);
      // The models served aes128gcm: product names, each once.
      const gcm = await store.tenants.update(acme.id, {
        settings: { aes128gcmModels: ["CP-8851-3PCC", "CP-8851-3PCC"] },
      });
      expect(gcm.settings.aes128gcmModels).toEqual(["CP-8851-3PCC"]);
      for (const bad of [[""], "CP-8851-3PCC", ["x".repeat(65)]]) {
        await rejectsWith(
          store.tenants.update(acme.id, { settings: { aes128gcmModels: bad as never } }),
          "STORE_INVALID_SETTINGS",
        );
      }
      await rejectsWith(
        store.tenants.update(acme.id, { name: "stale" }, { expectedVersion: acme.version }),
        "STORE_CONFLICT",
      );
      await rejectsWith(store.tenants.delete(DEFAULT_TENANT_ID), "STORE_CONFLICT");
      await store.tenants.delete(acme.id);
      expect(await store.tenants.find(acme.id)).toBeNull();
      await rejectsWith(store.tenants.get(acme.id), "STORE_NOT_FOUND", 404);
    });

    it("models: upsert, list, refuse deleting a model in use", async () => {
      await store.models.upsert({ pn: "ACME-100", psn: "100", family: "spa", lines: 2 });
      const again = await store.models.upsert({
        pn: "ACME-100",
        family: "spa",
        description: "2-port ATA",
        lines: 2,
      });
      expect(again).toMatchObject({
        pn: "ACME-100",
        psn: null,
        description: "2-port ATA",
        lines: 2,
      });
      expect((await store.models.list()).map((m) => m.pn)).toContain("ACME-100");
      const mac = parseMac("02:00:00:00:01:12");
      await store.devices.create({ mac, modelPn: "ACME-100" });
      await rejectsWith(store.models.delete("ACME-100"), "STORE_CONFLICT");
      await store.devices.delete(mac);
      await store.models.delete("ACME-100");
      expect(await store.models.find("ACME-100")).toBeNull();
    });

    it("devices: create in the default tenant, update, upsert keeps unset fields, list, delete", async () => {
      const mac = parseMac("02-00-00-00-00-01");
      const created = await store.devices.create({
        mac,
        serial: "CCQ1",
        certFingerprint: FP.toUpperCase(),
      });
      expect(created).toMatchObject({
        mac: "020000000001",
        tenantId: DEFAULT_TENANT_ID,
        state: "factory",
        serial: "CCQ1",
        certFingerprint: FP,
        status: null,
        deviceKey: null,
      });
      await rejectsWith(store.devices.create({ mac }), "STORE_CONFLICT");
      const updated = await store.devices.update(mac, { state: "provisioned", label: "lobby" });
      expect(updated).toMatchObject({ state: "provisioned", label: "lobby", serial: "CCQ1" });
      const upserted = await store.devices.upsert({ mac, modelPn: "CP-8851" });
      expect(upserted).toMatchObject({ state: "provisioned", label: "lobby", modelPn: "CP-8851" });
      expect((await store.devices.findByCertFingerprint(FP))?.mac).toBe(mac);
      expect((await store.devices.findBySerial("CCQ1")).map((d) => d.mac)).toEqual([mac]);
      expect((await store.devices.list({ state: "provisioned" })).map((d) => d.mac)).toContain(mac);
      expect(await store.devices.count({ tenantId: DEFAULT_TENANT_ID })).toBeGreaterThanOrEqual(1);
      await rejectsWith(store.devices.update(mac, { state: "Not A State" }), "STORE_INVALID_INPUT");
      await rejectsWith(store.devices.update(mac, { tenantId: "nope" }), "STORE_NOT_FOUND");
      await store.devices.delete(mac);
      expect(await store.devices.findByMac(mac)).toBeNull();
      await rejectsWith(store.devices.delete(mac), "STORE_NOT_FOUND");
    });

    it("devices: list pages by MAC", async () => {
      const macs = ["020000000a01", "020000000a02", "020000000a03"].map((m) => parseMac(m));
      const tenant = await store.tenants.create({ slug: "paging", name: "Paging" });
      for (const mac of macs) await store.devices.create({ mac, tenantId: tenant.id });
      const first = await store.devices.list({ tenantId: tenant.id, limit: 2 });
      const second = await store.devices.list({
        tenantId: tenant.id,
        limit: 2,
        after: first.at(-1)!.mac,
      });
      expect([...first, ...second].map((d) => d.mac)).toEqual(macs);
    });

    it("device status: batched, newest wins, shown on the device", async () => {
      const mac = parseMac("020000000b01");
      await store.devices.create({ mac });
      const base = {
        remoteAddress: "192.0.2.7",
        userAgent: "Cisco/SPA112-1.4.1 (020000000b01)",
        transport: "http",
      };
      await store.devices.recordStatusBatch([
        { mac, at: new Date(2_000), firmware: "1.4.1", result: "ok", ...base },
        { mac, at: new Date(1_000), firmware: "1.3.0", result: "error", ...base },
      ]);
      await store.devices.recordStatusBatch([
        { mac, at: new Date(1_500), firmware: "old", result: "ok", ...base },
      ]);
      const device = await store.devices.get(mac);
      expect(device.status).toEqual({
        at: new Date(2_000),
        firmware: "1.4.1",
        result: "ok",
        ...base,
      });
    });

    it("accounts: lines with sealed passwords, update keeps an unsent password, delete detaches devices", async () => {
      const account = await store.accounts.create({
        reference: "C-1001",
        name: "Jane",
        lines: [
          { line: 2, userId: "1002", password: "two" },
          {
            line: 1,
            userId: "1001",
            authId: "a1001",
            password: "s3cret",
            displayName: "Jane",
            proxy: "sip.example.net",
          },
        ],
      });
      expect(account.lines.map((l) => l.line)).toEqual([1, 2]);
      expect(account.lines[0]!.password?.reveal()).toBe("s3cret");
      await rejectsWith(store.accounts.create({ reference: "C-1001" }), "STORE_CONFLICT");
      await rejectsWith(
        store.accounts.create({
          reference: "C-bad",
          lines: [
            { line: 1, userId: "a" },
            { line: 1, userId: "b" },
          ],
        }),
        "STORE_INVALID_INPUT",
      );
      const updated = await store.accounts.update(account.id, {
        lines: [{ line: 1, userId: "1001", displayName: "Jane D." }],
      });
      expect(updated.lines).toHaveLength(1);
      expect(updated.lines[0]!.displayName).toBe("Jane D.");
      expect(updated.lines[0]!.password?.reveal()).toBe("s3cret");
      expect((await store.accounts.findByReference(DEFAULT_TENANT_ID, "C-1001"))?.id).toBe(
        account.id,
      );
      expect((await store.accounts.list()).map((a) => a.id)).toContain(account.id);

      const mac = parseMac("020000000c01");
      await store.devices.create({ mac, accountId: account.id });
      await store.accounts.delete(account.id);
      expect((await store.devices.get(mac)).accountId).toBeNull();
      expect(await store.accounts.find(account.id)).toBeNull();
    });

    it("devices: an account or group of another tenant is refused", async () => {
      const other = await store.tenants.create({ slug: "other", name: "Other" });
      const foreign = await store.accounts.create({ tenantId: other.id, reference: "X-1" });
      const group = await store.groups.create({ tenantId: other.id, name: "floor-1" });
      await rejectsWith(
        store.devices.create({ mac: parseMac("020000000d01"), accountId: foreign.id }),
        "STORE_INVALID_INPUT",
      );
      await rejectsWith(
        store.devices.create({ mac: parseMac("020000000d02"), groupId: group.id }),
        "STORE_INVALID_INPUT",
      );
      await rejectsWith(
        store.devices.create({ mac: parseMac("020000000d03"), accountId: "missing" }),
        "STORE_NOT_FOUND",
      );
      const ok = await store.devices.create({
        mac: parseMac("020000000d04"),
        tenantId: other.id,
        accountId: foreign.id,
        groupId: group.id,
      });
      expect(ok).toMatchObject({ tenantId: other.id, accountId: foreign.id, groupId: group.id });
      await rejectsWith(store.tenants.delete(other.id), "STORE_CONFLICT");
    });

    it("groups: create, rename, refuse duplicate names, delete detaches devices and drops the layer", async () => {
      const group = await store.groups.create({ name: "sales", description: "2nd floor" });
      await rejectsWith(store.groups.create({ name: "sales" }), "STORE_CONFLICT");
      const renamed = await store.groups.update(group.id, { name: "sales-eu" });
      expect(renamed).toMatchObject({ name: "sales-eu", description: "2nd floor" });
      expect((await store.groups.findByName(DEFAULT_TENANT_ID, "sales-eu"))?.id).toBe(group.id);
      const mac = parseMac("020000000e01");
      await store.devices.create({ mac, groupId: group.id });
      await store.layers.set({ scope: "group", groupId: group.id }, [
        { name: "Proxy_1_", value: "sip.eu", access: null },
      ]);
      await store.groups.delete(group.id);
      expect((await store.devices.get(mac)).groupId).toBeNull();
      expect(await store.layers.get({ scope: "group", groupId: group.id })).toBeNull();
      expect((await store.groups.list()).map((g) => g.id)).not.toContain(group.id);
    });

    it("layers: set, replace, list for targets in merge order, unset; validated", async () => {
      const mac = parseMac("020000000f01");
      await store.devices.create({ mac });
      const params = [
        { name: "Proxy_1_", value: "sip.example.net", access: "ro" as const },
        { name: "Admin_Passwd", value: null, access: "na" as const },
        { name: "Display_Name_1_", value: "{{ account.line1.display_name }}", access: null },
      ];
      const deviceLayer = await store.layers.set({ scope: "device", mac }, params);
      expect(deviceLayer.parameters).toEqual(params);
      await store.layers.set({ scope: "tenant", tenantId: DEFAULT_TENANT_ID }, [
        { name: "Resync_Periodic", value: "3600", access: null },
      ]);
      await store.layers.set({ scope: "model", tenantId: DEFAULT_TENANT_ID, pn: "SPA112" }, [
        { name: "Line_Enable_2_", value: "No", access: null },
      ]);
      const replaced = await store.layers.set({ scope: "device", mac }, [params[0]!]);
      expect(replaced.version).toBeGreaterThan(deviceLayer.version);

      const layers = await store.layers.listForTargets([
        { scope: "device", mac },
        { scope: "model", tenantId: DEFAULT_TENANT_ID, pn: "SPA112" },
        { scope: "tenant", tenantId: DEFAULT_TENANT_ID },
        { scope: "account", accountId: "none" },
      ]);
      expect(layers.map((l) => l.target.scope)).toEqual(["tenant", "model", "device"]);
      expect(layers[2]!.parameters).toEqual([params[0]]);
      expect(layers[1]!.target).toEqual({
        scope: "model",
        tenantId: DEFAULT_TENANT_ID,
        pn: "SPA112",
      });
      expect((await store.layers.list({ scope: "model" })).length).toBe(1);

      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [params[0]!, params[0]!]),
        "STORE_INVALID_LAYER",
      );
      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [{ name: "X", value: null, access: null }]),
        "STORE_INVALID_LAYER",
      );
      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [{ name: "A B", value: "1", access: null }]),
        "STORE_INVALID_LAYER",
      );
      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [
          { name: "A", value: "1", access: "wo" as never },
        ]),
        "STORE_INVALID_LAYER",
      );
      await rejectsWith(
        store.layers.set({ scope: "group", groupId: "missing" }, []),
        "STORE_NOT_FOUND",
      );

      // Optimistic concurrency: 0 = must not exist yet; a stale version is refused.
      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [params[0]!], { expectedVersion: 0 }),
        "STORE_CONFLICT",
      );
      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [params[0]!], {
          expectedVersion: deviceLayer.version,
        }),
        "STORE_CONFLICT",
      );
      expect(await store.layers.unset({ scope: "device", mac })).toBe(true);
      await rejectsWith(
        store.layers.set({ scope: "device", mac }, [params[0]!], {
          expectedVersion: replaced.version,
        }),
        "STORE_CONFLICT",
      );
      await store.layers.set({ scope: "device", mac }, [params[0]!], { expectedVersion: 0 });
      expect(await store.layers.unset({ scope: "device", mac })).toBe(true);
      expect(await store.layers.unset({ scope: "device", mac })).toBe(false);
      // Deleting a device drops its layer.
      await store.layers.set({ scope: "device", mac }, [params[0]!]);
      await store.devices.delete(mac);
      expect(await store.layers.get({ scope: "device", mac })).toBeNull();
    });

    it("events: append in a batch, query by device, tenant and time, prune", async () => {
      const mac = parseMac("020000001001");
      const event = (at: number, result: string) => ({
        mac,
        tenantId: DEFAULT_TENANT_ID,
        at: new Date(at),
        transport: "tftp",
        result,
        statusCode: null,
        path: "/spa112.cfg",
        bytes: 1234,
        durationMs: 3,
        remoteAddress: "192.0.2.9",
        userAgent: null,
        message: null,
      });
      await store.events.appendBatch([
        event(1_000, "ok"),
        event(2_000, "not-modified"),
        event(3_000, "ok"),
      ]);
      await store.events.appendBatch([{ ...event(2_500, "not-found"), mac: null, tenantId: null }]);
      const mine = await store.events.list({ mac });
      expect(mine.map((e) => e.result)).toEqual(["ok", "not-modified", "ok"]);
      expect(mine[0]).toMatchObject({ mac, transport: "tftp", bytes: 1234, path: "/spa112.cfg" });
      expect(
        (await store.events.list({ since: new Date(2_000), until: new Date(3_000) })).map(
          (e) => e.result,
        ),
      ).toEqual(["not-found", "not-modified"]);
      expect(await store.events.list({ tenantId: DEFAULT_TENANT_ID, limit: 1 })).toHaveLength(1);
      expect(await store.events.prune(new Date(2_001))).toBe(2);
      expect((await store.events.list()).map((e) => e.at.getTime())).toEqual([3_000, 2_500]);
    });

    it("tokens: only the hash is stored; verify, expiry, revoke", async () => {
      const { token, secret } = await store.tokens.issue({
        name: "ops",
        role: "operator",
        tenantId: DEFAULT_TENANT_ID,
      });
      expect(secret).not.toContain(token.hash);
      expect((await store.tokens.verify(secret))?.id).toBe(token.id);
      expect(await store.tokens.verify(`${secret}x`)).toBeNull();
      expect((await store.tokens.findByHash(token.hash))?.role).toBe("operator");
      const rows = await db.raw<{ hash: string }>("select * from api_tokens");
      expect(JSON.stringify(rows)).not.toContain(secret);
      const expired = await store.tokens.issue({
        name: "old",
        role: "read-only",
        expiresAt: new Date(Date.now() - 1),
      });
      expect(await store.tokens.verify(expired.secret)).toBeNull();
      await rejectsWith(
        store.tokens.issue({ name: "x", role: "root" as never }),
        "STORE_INVALID_INPUT",
      );
      await store.tokens.revoke(token.id);
      expect(await store.tokens.verify(secret)).toBeNull();
      expect((await store.tokens.list()).map((t) => t.id)).toEqual([expired.token.id]);
    });

    it("audit: every change is logged with its actor, before and after", async () => {
      const group = await store.groups.create({ name: "audited" }, { actor: "token:abc" });
      await store.groups.update(group.id, { description: "d" }, { actor: "cli:root" });
      const entries = await store.audit.list({ entity: "group", key: group.id });
      expect(entries.map((e) => [e.action, e.actor])).toEqual([
        ["group.update", "cli:root"],
        ["group.create", "token:abc"],
      ]);
      expect(entries[0]!.before).toMatchObject({ description: null });
      expect(entries[0]!.after).toMatchObject({ description: "d" });
      await store.audit.append({
        actor: "cli:root",
        action: "store.backup",
        entity: "store",
        after: { password: "p" },
      });
      const [latest] = await store.audit.list({ limit: 1 });
      expect(latest).toMatchObject({ action: "store.backup", after: { password: "[redacted]" } });
    });

    it("events: retention prunes in slices", async () => {
      const old = Array.from({ length: 12_345 }, (_, i) => ({
        mac: null,
        tenantId: null,
        at: new Date(100 + (i % 50)),
        transport: "http",
        result: "not-found",
        statusCode: 404,
        path: null,
        bytes: null,
        durationMs: null,
        remoteAddress: null,
        userAgent: null,
        message: null,
      }));
      await store.events.appendBatch(old);
      expect(await store.events.prune(new Date(1_000))).toBe(12_345);
      expect(await store.events.list({ until: new Date(1_000) })).toHaveLength(0);
    });

    it("listForTargets: the existing layers among a device's targets, each with its record", async () => {
      const mac = parseMac("020000001101");
      await store.models.upsert({ pn: "CP-7841", family: "mpp", lines: 4 });
      const group = await store.groups.create({ name: "ctx" });
      const account = await store.accounts.create({
        reference: "CTX-1",
        lines: [{ line: 1, userId: "200" }],
      });
      await store.devices.create({
        mac,
        modelPn: "CP-7841",
        groupId: group.id,
        accountId: account.id,
      });
      await store.layers.set({ scope: "device", mac }, [{ name: "D", value: "4", access: null }]);
      await store.layers.set({ scope: "account", accountId: account.id }, [
        { name: "C", value: "3", access: null },
      ]);
      await store.layers.set({ scope: "model", tenantId: DEFAULT_TENANT_ID, pn: "CP-7841" }, [
        { name: "M", value: "2", access: null },
      ]);
      const layers = await store.layers.listForTargets([
        { scope: "model", tenantId: DEFAULT_TENANT_ID, pn: "CP-7841" },
        { scope: "group", groupId: group.id },
        { scope: "account", accountId: account.id },
        { scope: "device", mac },
      ]);
      // The group has no layer: only the layers that exist come back.
      expect(new Map(layers.map((l) => [l.target.scope, l.parameters[0]?.value]))).toEqual(
        new Map([
          ["model", "2"],
          ["account", "3"],
          ["device", "4"],
        ]),
      );
      const device = await store.devices.get(mac);
      expect(await store.models.find(device.modelPn!)).toMatchObject({ lines: 4 });
      expect((await store.accounts.find(device.accountId!))?.lines[0]?.userId).toBe("200");
      expect(await store.devices.findByMac(parseMac("020000001102"))).toBeNull();
    });

    it("bulkUpsert: a bad row stops the import; acknowledged batches stay", async () => {
      const tenant = await store.tenants.create({ slug: "bulk-fail", name: "Bulk" });
      const acked: number[] = [];
      const rows = Array.from({ length: 2_500 }, (_, i) => ({
        mac: parseMac(`0200000${(0x30000 + i).toString(16).padStart(5, "0")}`),
        tenantId: tenant.id,
        ...(i === 1_500 ? { accountId: "no-such-account" } : {}),
      }));
      await rejectsWith(
        store.devices.bulkUpsert(rows, { onProgress: (p) => acked.push(p.done) }),
        "STORE_NOT_FOUND",
      );
      expect(acked).toEqual([1_000]);
      expect(await store.devices.count({ tenantId: tenant.id })).toBe(1_000);
    });
  });
}
