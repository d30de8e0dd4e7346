import { afterEach, describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import { type ChangeNotice, parseMac } from "../../src/store/index.ts";
import { dialects, type Fresh } from "./dialects.ts";

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProvisioError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

const RULE = "https://prov.acme.example/profile/$MA.xml";
const MAC1 = parseMac("00:0e:08:aa:00:01");
const MAC2 = parseMac("000e08aa0002");

for (const dialect of dialects()) {
  describe(`redirect registrations (${dialect.name})`, () => {
    let db: Fresh | undefined;
    afterEach(async () => {
      await db?.dispose();
      db = undefined;
    });

    it("a profile keeps its domains and rule; more than five domains, a rule outside them, an IP literal are refused", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const acme = await store.tenants.create({ slug: "acme", name: "Acme" });
      const profile = await store.redirects.setProfile({
        tenantId: acme.id,
        name: "default",
        restrictedDomains: "Acme.example, acme2.example",
        primaryDns: "192.0.2.53",
        resyncPeriodic: 30,
        resyncErrorRetryDelay: "30",
        profileRule: RULE,
      });
      expect(profile.restrictedDomains).toEqual(["acme.example", "acme2.example"]);
      expect(profile.provisionEnable).toBe("Yes");
      expect((await store.redirects.findProfile(acme.id, "default"))?.profileRule).toBe(RULE);

      const six = ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"];
      const tooMany = await failure(
        store.redirects.setProfile({
          tenantId: acme.id,
          name: "x",
          restrictedDomains: six,
          profileRule: "https://a.example/x",
        }),
      );
      expect(tooMany.code).toBe("STORE_INVALID_INPUT");
      expect(tooMany.message).toContain("at most 5");
      const outside = await failure(
        store.redirects.setProfile({
          tenantId: acme.id,
          name: "x",
          restrictedDomains: ["acme.example"],
          profileRule: "https://evil.example/p",
        }),
      );
      expect(outside.message).toContain("outside the restricted domains");
      const ip = await failure(
        store.redirects.setProfile({
          tenantId: acme.id,
          name: "x",
          restrictedDomains: ["10.0.0.1"],
          profileRule: RULE,
        }),
      );
      expect(ip.message).toContain("not a host name");
      const noServer = await failure(
        store.redirects.setProfile({ tenantId: acme.id, name: "x", profileRule: "/spa$PSN.cfg" }),
      );
      expect(noServer.message).toContain("server");
      // The unit expands macros first: its identity may name a sub-domain, nothing else may.
      const sub = await store.redirects.setProfile({
        tenantId: acme.id,
        name: "per-unit",
        restrictedDomains: ["acme.example"],
        profileRule: "https://$MA.prov.acme.example/profile/$MA.xml",
      });
      expect(sub.profileRule).toBe("https://$MA.prov.acme.example/profile/$MA.xml");
      const gpp = await failure(
        store.redirects.setProfile({
          tenantId: acme.id,
          name: "x",
          restrictedDomains: ["acme.example"],
          profileRule: "https://$B.acme.example/p",
        }),
      );
      expect(gpp.message).toContain("only a unit's identity");
      expect(await store.redirects.listProfiles(acme.id)).toHaveLength(2);
    });

    it("one owner per MAC: another provider's claim is skipped and names nobody; release and transfer are audited and announced", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const acme = await store.tenants.create({ slug: "acme", name: "Acme Telecom" });
      const beta = await store.tenants.create({ slug: "beta", name: "Beta Voice" });
      await store.redirects.setProfile({ tenantId: acme.id, name: "p", profileRule: RULE });
      await store.redirects.setProfile({
        tenantId: beta.id,
        name: "p",
        profileRule: "http://prov.beta.example/$MA.cfg",
      });
      const progress: number[] = [];
      const first = await store.redirects.register(acme.id, "p", [MAC1, MAC2, MAC1], {
        batchSize: 1,
        onProgress: (p) => progress.push(p.done),
      });
      expect(first).toEqual({ registered: 2, unchanged: 0, conflicts: [], outside: [] });
      expect(progress).toEqual([1, 2]);
      expect((await store.redirects.find(MAC1))?.status).toBe("open");

      const notices: ChangeNotice[] = [];
      store.changes.subscribe((n) => notices.push(n));
      const claim = await store.redirects.register(beta.id, "p", [MAC1]);
      expect(claim.conflicts).toEqual([MAC1]);
      expect(claim.registered).toBe(0);
      expect((await store.redirects.find(MAC1))?.tenantId).toBe(acme.id);

      // Beta cannot release Acme's MAC (answered as unknown).
      expect((await failure(store.redirects.release(MAC1, beta.id))).code).toBe("STORE_NOT_FOUND");
      const moved = await store.redirects.transfer(MAC1, beta.id, "p", { actor: "cli:admin" });
      expect(moved.tenantId).toBe(beta.id);
      expect(notices.some((n) => n.entity === "redirect" && n.keys?.includes(MAC1))).toBe(true);
      const audit = await store.audit.list({ entity: "redirect", key: MAC1 });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(["redirect.register", "redirect.transfer", "redirect.transfer-out"]),
      );
      const out = audit.find((a) => a.action === "redirect.transfer-out");
      expect(out?.tenantId).toBe(acme.id);
      // Each provider's trail names nobody else: the new owner's entry hides where it came from.
      const inbound = audit.find((a) => a.action === "redirect.transfer");
      expect(inbound?.tenantId).toBe(beta.id);
      expect(JSON.stringify(inbound)).not.toContain(acme.id);
      expect(JSON.stringify(out)).not.toContain(beta.id);

      await store.redirects.release(MAC2, acme.id);
      expect(await store.redirects.find(MAC2)).toBeNull();
      expect(await store.redirects.count({ tenantId: acme.id })).toBe(0);
      expect(await store.redirects.count({ tenantId: beta.id })).toBe(1);
      // A profile with units cannot go.
      expect((await failure(store.redirects.deleteProfile(beta.id, "p"))).code).toBe(
        "STORE_CONFLICT",
      );
      await store.redirects.deleteProfile(acme.id, "p");
    });

    it("status moves only from the expected statuses (two nodes racing: one wins)", async () => {
      db = await dialect.fresh();
      const a = await db.open();
      // Two processes race on PostgreSQL; one SQLite file has one writer (the store serialises).
      const b = dialect.name === "postgres" ? await db.open() : a;
      const acme = await a.tenants.create({ slug: "acme", name: "Acme" });
      await a.redirects.setProfile({ tenantId: acme.id, name: "p", profileRule: RULE });
      await a.redirects.register(acme.id, "p", [MAC1]);
      const [x, y] = await Promise.all([
        a.redirects.setStatus(MAC1, "pending", ["open"]),
        b.redirects.setStatus(MAC1, "pending", ["open"]),
      ]);
      expect([x, y].filter((r) => r !== null)).toHaveLength(1);
      expect(await a.redirects.setStatus(MAC1, "acquired", ["open"])).toBeNull();
      expect((await a.redirects.setStatus(MAC1, "acquired", ["pending"]))?.status).toBe("acquired");
      const unit = await b.redirects.find(MAC1);
      expect(unit?.status).toBe("acquired");
      expect((await a.redirects.list({ status: "acquired" })).map((u) => u.mac)).toEqual([MAC1]);
    });

    it("grants: ranges never overlap between providers; grantedOnly registers inside them only", async () => {
      db = await dialect.fresh();
      const store = await db.open();
      const acme = await store.tenants.create({ slug: "acme", name: "Acme" });
      const beta = await store.tenants.create({ slug: "beta", name: "Beta" });
      await store.redirects.setProfile({ tenantId: acme.id, name: "p", profileRule: RULE });
      const range = { first: parseMac("000e08aa0000"), last: parseMac("000e08aa00ff") };
      const grant = await store.redirects.grant({ tenantId: acme.id, ...range, note: "PO 7" });
      expect(grant.size).toBe(256);
      // Another provider's overlapping range (inside, across either edge) is refused; the
      // same provider may hold adjacent or overlapping ranges.
      for (const [first, last] of [
        ["000e08aa0010", "000e08aa0020"],
        ["000e08a9ffff", "000e08aa0000"],
        ["000e08aa00ff", "000e08ab0000"],
        ["000e080000ff", "000e08ffffff"],
      ] as const) {
        const refused = await failure(
          store.redirects.grant({
            tenantId: beta.id,
            first: parseMac(first),
            last: parseMac(last),
          }),
        );
        expect(refused.code).toBe("STORE_CONFLICT");
      }
      await store.redirects.grant({
        tenantId: beta.id,
        first: parseMac("000e08aa0100"),
        last: parseMac("000e08aa01ff"),
      });
      expect(
        (
          await failure(
            store.redirects.grant({ tenantId: beta.id, first: range.last, last: range.first }),
          )
        ).code,
      ).toBe("STORE_INVALID_INPUT");

      const inside = parseMac("000e08aa00ff");
      const outside = parseMac("000e08aa0100");
      const result = await store.redirects.register(acme.id, "p", [inside, outside], {
        grantedOnly: true,
      });
      expect(result).toEqual({ registered: 1, unchanged: 0, conflicts: [], outside: [outside] });
      expect(await store.redirects.find(outside)).toBeNull();
      // Revoked: nothing more registers under it; what is registered stays.
      await store.redirects.revokeGrant(grant.id, { actor: "cli:admin" });
      const after = await store.redirects.register(acme.id, "p", [parseMac("000e08aa0001")], {
        grantedOnly: true,
      });
      expect(after.outside).toEqual(["000e08aa0001"]);
      expect((await store.redirects.find(inside))?.tenantId).toBe(acme.id);
      const audit = await store.audit.list({ entity: "redirect-grant", key: grant.id });
      expect(audit.map((a) => a.action).sort()).toEqual([
        "redirect-grant.create",
        "redirect-grant.delete",
      ]);
      expect((await store.redirects.listGrants()).map((g) => g.tenantId)).toEqual([beta.id]);
    });
  });
}
