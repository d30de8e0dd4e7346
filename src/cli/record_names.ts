import { DEFAULT_TENANT_ID, type LayerTarget, type Store } from "../store/index.ts";

/**
 * What people call records: tenant slugs, account references, group names. The store keys
 * records by id; the command line shows names (ids stay in `--json`). Cached per command; a
 * record that no longer exists keeps its id.
 */
export interface RecordNamer {
  tenant(id: string): Promise<string>;
  account(id: string | null): Promise<string>;
  group(id: string | null): Promise<string>;
  /** `account:1001`, `group:lobby (tenant acme)`, `model:SPA112`, `device:000e08abcdef`: as the effective view names layers. */
  layer(target: LayerTarget): Promise<string>;
  /** An audit entry's key in names: `account:<id>` ▸ `account:1001`, a bare account id ▸ `1001`. */
  auditKey(entity: string, key: string | null): Promise<string>;
}

export function recordNamer(store: Store): RecordNamer {
  const cache = new Map<string, Promise<string>>();
  const get = (key: string, load: () => Promise<string>): Promise<string> => {
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = load();
      cache.set(key, hit);
    }
    return hit;
  };
  const tenant = (id: string) =>
    get(`t:${id}`, async () => (await store.tenants.find(id))?.slug ?? id);
  const accountWithTenant = (id: string) =>
    get(`a:${id}`, async () => {
      const found = await store.accounts.find(id);
      return found === null ? id : `${found.reference}${await inTenant(found.tenantId)}`;
    });
  const groupWithTenant = (id: string) =>
    get(`g:${id}`, async () => {
      const found = await store.groups.find(id);
      return found === null ? id : `${found.name}${await inTenant(found.tenantId)}`;
    });
  /** The default tenant goes without saying. */
  const inTenant = async (tenantId: string) =>
    tenantId === DEFAULT_TENANT_ID ? "" : ` (tenant ${await tenant(tenantId)})`;
  const account = async (id: string | null) =>
    id === null ? "" : ((await store.accounts.find(id))?.reference ?? id);
  const group = async (id: string | null) =>
    id === null ? "" : ((await store.groups.find(id))?.name ?? id);

  const layer = async (target: LayerTarget): Promise<string> => {
    switch (target.scope) {
      case "tenant":
        return `tenant:${await tenant(target.tenantId)}`;
      case "model":
        return `model:${target.pn}${await inTenant(target.tenantId)}`;
      case "group":
        return `group:${await groupWithTenant(target.groupId)}`;
      case "account":
        return `account:${await accountWithTenant(target.accountId)}`;
      case "device":
        return `device:${target.mac}`;
      case "staging":
        return `staging:${await tenant(target.tenantId)}`;
    }
  };

  const auditKey = async (entity: string, key: string | null): Promise<string> => {
    if (key === null) return "";
    if (entity === "account") return accountWithTenant(key);
    if (entity === "group") return groupWithTenant(key);
    if (entity === "tenant") return tenant(key);
    const match = /^(tenant|group|account|model):(.*)$/.exec(key);
    if (entity !== "layer" || match === null) return key;
    const [, scope, rest] = match as unknown as [string, string, string];
    if (scope === "tenant") return `tenant:${await tenant(rest)}`;
    if (scope === "group") return `group:${await groupWithTenant(rest)}`;
    if (scope === "account") return `account:${await accountWithTenant(rest)}`;
    const slash = rest.indexOf("/");
    return slash < 0
      ? key
      : `model:${rest.slice(slash + 1)}${await inTenant(rest.slice(0, slash))}`;
  };

  return {
    tenant,
    account: (id) => (id === null ? Promise.resolve("") : get(`ar:${id}`, () => account(id))),
    group: (id) => (id === null ? Promise.resolve("") : get(`gn:${id}`, () => group(id))),
    layer,
    auditKey,
  };
}
