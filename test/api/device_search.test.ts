/**
 * Device search through HTTP on both dialects: free text (MAC fragments in every notation,
 * serials, labels, account references), the status filters, every order paged to the end by
 * cursor against the order computed here, the total, and tenant-scoped tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { startApi, type TestApi } from "./helpers.ts";

interface Row {
  mac: string;
  model: string | null;
  state: string;
  status: { at: string; firmware: string | null } | null;
}

const N = 60;
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 0, 10);

for (const dialect of dialects()) {
  describe(`device search on ${dialect.name}`, () => {
    let fresh: Fresh;
    let api: TestApi;
    let acmeToken: string;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startApi({ store: fresh.options });
      const { store } = api;
      const acme = await store.tenants.create({ slug: "acme", name: "Acme" });
      const account = await store.accounts.create({ tenantId: acme.id, reference: "CUST-77" });
      const models = ["SPA112", "CP-7841-3PCC", null] as const;
      const states = ["active", "provisioned", "disabled"] as const;
      await store.devices.bulkUpsert(
        Array.from({ length: N }, (_, i) => ({
          mac: parseMac(`0a0b0c${i.toString(16).padStart(6, "0")}`),
          tenantId: i % 2 === 0 ? acme.id : "default",
          modelPn: models[i % 3] ?? null,
          state: states[i % 3]!,
          serial: `SN${1000 + i}`,
          label: i === 7 ? "Front Desk" : null,
          accountId: i % 2 === 0 && i < 10 ? account.id : null,
        })),
      );
      // Two of five never seen; the rest seen at distinct and equal times.
      await store.devices.recordStatusBatch(
        Array.from({ length: N }, (_, i) => i)
          .filter((i) => i % 5 >= 2)
          .map((i) => ({
            mac: parseMac(`0a0b0c${i.toString(16).padStart(6, "0")}`) as MacAddress,
            at: new Date(BASE + (i % 7) * HOUR),
            remoteAddress: "192.0.2.1",
            userAgent: null,
            firmware: i % 4 === 0 ? "7.6.2" : "11.3.7",
            result: "ok",
            transport: "http",
          })),
      );
      acmeToken = (await store.tokens.issue({ name: "acme", role: "read-only", tenantId: acme.id }))
        .secret;
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    const all = async (query: string, limit = 7, token?: string): Promise<Row[]> => {
      const rows: Row[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.request(
          "GET",
          `/api/v1/devices?${query}&limit=${limit}${cursor === null ? "" : `&cursor=${cursor}`}`,
          token === undefined ? {} : { token },
        );
        expect(page.status, page.text).toBe(200);
        rows.push(...page.body.items);
        cursor = page.body.cursor;
      } while (cursor !== null);
      return rows;
    };

    it("finds a MAC fragment in any notation, and serials, labels, account references", async () => {
      for (const q of [
        "0a:0b:0c:00:00:2",
        "0A-0B-0C-00-00-2",
        "0a0b.0c00.002",
        "c00002",
        ":00:2",
      ]) {
        const page = await api.request("GET", `/api/v1/devices?q=${encodeURIComponent(q)}`);
        expect(page.status, q).toBe(200);
        const macs = page.body.items.map((d: Row) => d.mac);
        expect(macs, q).toContain("0a0b0c000020");
        for (const mac of macs) expect(mac).toContain("c00002".slice(-4));
      }
      const serial = await api.request("GET", "/api/v1/devices?q=sn1007");
      expect(serial.body.items.map((d: Row) => d.mac)).toEqual(["0a0b0c000007"]);
      const label = await api.request("GET", "/api/v1/devices?q=desk");
      expect(label.body.items.map((d: Row) => d.mac)).toEqual(["0a0b0c000007"]);
      const account = await api.request("GET", "/api/v1/devices?q=cust-77");
      expect(account.body.items.map((d: Row) => d.mac)).toEqual(
        [0, 2, 4, 6, 8].map((i) => `0a0b0c${i.toString(16).padStart(6, "0")}`),
      );
      expect(account.body).toMatchObject({ total: 5, total_exact: true });
      const percent = await api.request("GET", `/api/v1/devices?q=${encodeURIComponent("%")}`);
      expect(percent.body.items).toEqual([]);
    });

    it("filters by firmware, last seen and never seen", async () => {
      const firmware = await all("firmware=7.6.2");
      expect(firmware.length).toBeGreaterThan(0);
      for (const d of firmware) expect(d.status?.firmware).toBe("7.6.2");
      const never = await all("never_seen=true");
      expect(never).toHaveLength((N / 5) * 2);
      for (const d of never) expect(d.status).toBeNull();
      const cut = new Date(BASE + 3 * HOUR).toISOString();
      const before = await all(`seen_before=${cut}`);
      const after = await all(`seen_after=${cut}`);
      expect(before.length + after.length + never.length).toBe(N);
      for (const d of before) expect(Date.parse(d.status!.at)).toBeLessThan(Date.parse(cut));
      const bad = await api.request("GET", "/api/v1/devices?seen_after=yesterday");
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain("seen_after");
    });

    it("pages every order to the end by cursor, never seen and no model last", async () => {
      const everything = await all("sort=mac", 1000);
      expect(everything).toHaveLength(N);
      const key = {
        mac: (d: Row) => d.mac,
        last_seen: (d: Row) => (d.status === null ? null : Date.parse(d.status.at)),
        model: (d: Row) => d.model,
        state: (d: Row) => d.state,
      } as const;
      for (const sort of Object.keys(key) as (keyof typeof key)[]) {
        for (const order of ["asc", "desc"] as const) {
          const sign = order === "asc" ? 1 : -1;
          const expected = [...everything].sort((a, b) => {
            const x = key[sort](a);
            const y = key[sort](b);
            if (x === null || y === null) {
              if (x !== y) return x === null ? 1 : -1;
            } else if (x !== y) return (x < y ? -1 : 1) * sign;
            return (a.mac < b.mac ? -1 : 1) * sign;
          });
          const paged = await all(`sort=${sort}&order=${order}`, 7);
          expect(
            paged.map((d) => d.mac),
            `${sort} ${order}`,
          ).toEqual(expected.map((d) => d.mac));
        }
      }
    });

    it("answers 400 for a cursor of another order or none at all", async () => {
      const first = await api.request("GET", "/api/v1/devices?sort=last_seen&limit=5");
      const cursor = first.body.cursor as string;
      const other = await api.request("GET", `/api/v1/devices?sort=model&cursor=${cursor}`);
      expect(other.status).toBe(400);
      expect(other.body.error.message).toContain("another order");
      for (const bad of ["x", "eyJzIjoibWFjIn0", "%00", "AAAA"]) {
        const res = await api.request("GET", `/api/v1/devices?cursor=${bad}`);
        expect(res.status, bad).toBe(400);
        expect(res.body.error.code).toBe("API_VALIDATION");
      }
    });

    it("counts a device as seen from its first resync on, also when it resynced before it was added", async () => {
      const { store } = api;
      const [a, b] = ["0a0b0d000001", "0a0b0d000002"].map((m) => parseMac(m));
      const status = (mac: MacAddress) => ({
        mac,
        at: new Date(BASE),
        remoteAddress: "192.0.2.1",
        userAgent: null,
        firmware: "1.0",
        result: "ok",
        transport: "http" as const,
      });
      const never = async () => (await all("never_seen=true&q=0a0b0d", 50)).map((d) => d.mac);
      const neverCount = async () =>
        (await api.request("GET", "/api/v1/dashboard/summary")).body.devices.neverSeen as number;
      const counted = await neverCount();
      // The tenant's firmware counts include a device's status however the two arrived.
      const version1 = async () =>
        (
          (await api.request("GET", "/api/v1/dashboard/summary?tenant=default")).body.firmware as {
            version: string | null;
            count: number;
          }[]
        ).find((f) => f.version === "1.0")?.count ?? 0;
      // b resynced while it was unknown (its status row is there before the device).
      await store.devices.recordStatusBatch([status(b!)]);
      await store.devices.bulkUpsert([{ mac: a! }, { mac: b! }]);
      expect(await never()).toEqual([a]);
      expect(await neverCount()).toBe(counted + 1);
      expect(await version1()).toBe(1);
      await store.devices.recordStatusBatch([status(a!)]);
      expect(await never()).toEqual([]);
      expect(await neverCount()).toBe(counted);
      expect(await version1()).toBe(2);
      // Deleted (with its status) and added again: never seen again.
      await store.devices.delete(a!);
      await store.devices.bulkUpsert([{ mac: a! }]);
      expect(await never()).toEqual([a]);
      await store.devices.delete(a!);
      await store.devices.delete(b!);
      expect(await neverCount()).toBe(counted);
    });

    it("shows a tenant-scoped token only its tenant, and counts it", async () => {
      const rows = await all("sort=last_seen&order=desc", 9, acmeToken);
      expect(rows).toHaveLength(N / 2);
      const page = await api.request("GET", "/api/v1/devices?q=0a0b0c", { token: acmeToken });
      expect(page.body).toMatchObject({ total: N / 2, total_exact: true });
      const other = await api.request("GET", "/api/v1/devices?tenant=default", {
        token: acmeToken,
      });
      expect(other.status).toBe(404);
    });
  });
}
