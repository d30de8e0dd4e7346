/**
 * The auto-create policy on its own, over a real SQLite store: only on a path owned by one
 * tenant with `autoCreate`, budgets per source and for the whole node, a device created
 * meanwhile by someone else is used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AutoCreate } from "../../src/server/auto_create.ts";
import { RouteTable } from "../../src/server/index.ts";
import { type MacAddress, parseMac, type Store, type Tenant } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";

const sqlite = dialects().find((d) => d.name === "sqlite")!;
let fresh: Fresh;
let store: Store;
let tenants: Map<string, Tenant>;
let routes: RouteTable;

beforeAll(async () => {
  fresh = await sqlite.fresh();
  store = await fresh.open();
  await store.tenants.create({
    slug: "auto",
    name: "Auto",
    settings: { profilePaths: ["/auto/$MA.xml"], autoCreate: true },
  });
  await store.tenants.create({
    slug: "manual",
    name: "Manual",
    settings: { profilePaths: ["/manual/$MA.xml"] },
  });
  const list = await store.tenants.list();
  tenants = new Map(list.map((t) => [t.id, t]));
  routes = new RouteTable(list);
});

afterAll(async () => {
  await fresh?.dispose();
});

function policy(perSource: number, global: number): AutoCreate {
  return new AutoCreate({
    create: (input) => store.devices.create(input),
    tenant: (id) => tenants.get(id),
    device: (mac) => store.devices.findByMac(mac),
    model: () => Promise.resolve(null),
    perSourcePerMinute: perSource,
    globalPerMinute: global,
  });
}

const macN = (n: number): MacAddress => parseMac(`000e08f0${n.toString(16).padStart(4, "0")}`);
const request = (path: string, mac: MacAddress, remoteAddress = "10.0.0.1") => ({
  mac,
  matches: routes.match(path, ""),
  ua: undefined,
  remoteAddress,
  sourceProven: true,
  certifiedFor: () => false,
});

describe("AutoCreate", () => {
  it("creates on an auto-create tenant's own path only", async () => {
    const p = policy(10, 100);
    const created = await p.attempt(request(`/auto/${macN(1)}.xml`, macN(1)), 0);
    expect(created.kind === "created" && created.tenant.slug).toBe("auto");
    expect((await p.attempt(request(`/manual/${macN(2)}.xml`, macN(2)), 0)).kind).toBe("skipped");
  });

  it("never creates when the matched patterns belong to two tenants", async () => {
    const auto = [...tenants.values()].find((t) => t.slug === "auto")!;
    // A second tenant with the same pattern, as data from before patterns were unique.
    const overlap = new RouteTable([...tenants.values(), { ...auto, id: "copy" }]);
    const p = policy(10, 100);
    expect(p.ownerOf(routes.match(`/auto/${macN(3)}.xml`, ""))?.slug).toBe("auto");
    const shared = overlap.match(`/auto/${macN(3)}.xml`, "");
    expect(p.ownerOf(shared)).toBeUndefined();
    const r = await p.attempt({ ...request("/", macN(3)), matches: shared }, 0);
    expect(r.kind).toBe("skipped");
  });

  it("budgets per source, then for the whole node, per minute", async () => {
    const p = policy(2, 3);
    const kinds: string[] = [];
    for (const [n, source] of [
      [10, "a"],
      [11, "a"],
      [12, "a"],
      [13, "b"],
      [14, "c"],
    ] as const) {
      kinds.push((await p.attempt(request(`/auto/${macN(n)}.xml`, macN(n), source), 1000)).kind);
    }
    expect(kinds).toEqual(["created", "created", "refused", "created", "refused"]);
    // A minute later the windows are new.
    const later = await p.attempt(request(`/auto/${macN(15)}.xml`, macN(15), "a"), 61_001);
    expect(later.kind).toBe("created");
  });

  it("uses a device created meanwhile (another node won the race)", async () => {
    const p = policy(10, 100);
    const mac = macN(20);
    const first = await p.attempt(request(`/auto/${mac}.xml`, mac), 0);
    const again = await p.attempt(request(`/auto/${mac}.xml`, mac), 0);
    expect(first.kind === "created" && again.kind === "created").toBe(true);
  });
});
