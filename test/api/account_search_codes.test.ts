/**
 * What the admin UI's account and activation-code lists ask, over HTTP on both dialects:
 * accounts matching free text (reference or line user-id prefix, name substring, any case,
 * LIKE wildcards taken literally) within the tenant, and a tenant's activation codes with
 * their accounts' references, never another tenant's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type Fresh } from "../store/dialects.ts";
import { startApi, type TestApi } from "./helpers.ts";

for (const dialect of dialects()) {
  describe(`account search and tenant activation codes on ${dialect.name}`, () => {
    let fresh: Fresh;
    let api: TestApi;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startApi({ store: fresh.options });
      const acme = await api.request("POST", "/api/v1/tenants", {
        body: { slug: "acme", name: "Acme" },
      });
      expect(acme.status).toBe(201);
      const accounts = [
        { reference: "CUST-100", name: "Alice Martin", lines: [{ line: 1, userId: "5551000" }] },
        { reference: "CUST-101", name: "Bob_Jones", lines: [] },
        { reference: "shop-7", name: "Corner Shop", lines: [{ line: 1, userId: "7770001" }] },
      ];
      for (const body of accounts) {
        expect((await api.request("POST", "/api/v1/accounts", { body })).status).toBe(201);
      }
      const other = await api.request("POST", "/api/v1/accounts", {
        body: { tenant: "acme", reference: "CUST-999", name: "Acme customer" },
      });
      expect(other.status).toBe(201);
    });

    afterAll(async () => {
      await api?.close();
      await fresh?.dispose();
    });

    const references = async (query: string): Promise<string[]> => {
      const res = await api.request("GET", `/api/v1/accounts?${query}`);
      expect(res.status).toBe(200);
      return (res.body.items as { reference: string }[]).map((a) => a.reference).sort();
    };

    it("finds accounts by reference prefix, name substring or line user id, in one tenant", async () => {
      expect(await references("tenant=default&q=cust")).toEqual(["CUST-100", "CUST-101"]);
      expect(await references("tenant=default&q=MARTIN")).toEqual(["CUST-100"]);
      expect(await references("tenant=default&q=777")).toEqual(["shop-7"]);
      expect(await references("tenant=acme&q=cust")).toEqual(["CUST-999"]);
      // A LIKE wildcard is a character like any other.
      expect(await references("tenant=default&q=_")).toEqual(["CUST-101"]);
      expect(await references("tenant=default&q=%25")).toEqual([]);
      expect(await references("tenant=default")).toEqual(["CUST-100", "CUST-101", "shop-7"]);
    });

    it("lists a tenant's activation codes with their accounts, newest first", async () => {
      const issued = await api.request("POST", "/api/v1/accounts/CUST-100/activation-codes", {
        body: { server: "https://prov.example.com" },
      });
      expect(issued.status).toBe(201);
      const second = await api.request("POST", "/api/v1/accounts/shop-7/activation-codes", {
        body: {},
      });
      expect(second.status).toBe(201);
      const list = await api.request("GET", "/api/v1/activation-codes?tenant=default");
      expect(list.status).toBe(200);
      const items = list.body.items as { id: string; accountReference: string; state: string }[];
      expect(items.map((c) => c.accountReference).sort()).toEqual(["CUST-100", "shop-7"]);
      expect(items.every((c) => c.state === "active")).toBe(true);
      expect(JSON.stringify(list.body)).not.toContain(issued.body.code);
      const acme = await api.request("GET", "/api/v1/activation-codes?tenant=acme");
      expect(acme.body.items).toEqual([]);
      // Revoked codes leave the list.
      const revoke = await api.request(
        "DELETE",
        `/api/v1/activation-codes/${second.body.record.id}`,
      );
      expect(revoke.status).toBe(204);
      const after = await api.request("GET", "/api/v1/activation-codes?tenant=default");
      expect(after.body.items.map((c: { accountReference: string }) => c.accountReference)).toEqual(
        ["CUST-100"],
      );
    });
  });
}
