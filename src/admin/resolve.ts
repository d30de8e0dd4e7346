/**
 * Human references to records: a tenant by id or slug, an account by id or reference, a group
 * by id or name (within a tenant), a device by MAC in any accepted form. Shared by the API and
 * the management CLI, so `--account 1001` and `"accountId": "1001"` mean the same thing.
 */
import type { Account, Group, MacAddress, Store, Tenant } from "../store/index.ts";
import { DEFAULT_TENANT_ID, tryParseMac } from "../store/index.ts";
import { apiError, notFound } from "./errors.ts";

export function parseMacParam(text: string): MacAddress {
  const mac = tryParseMac(text);
  if (mac === undefined) {
    throw apiError("API_VALIDATION", `not a MAC address: ${JSON.stringify(text.slice(0, 64))}`, {
      details: { field: "mac" },
    });
  }
  return mac;
}

export async function findTenant(store: Store, ref: string): Promise<Tenant | null> {
  return (await store.tenants.find(ref)) ?? (await store.tenants.findBySlug(ref));
}

/** Every tenant's slug by id, for listings that name each record's tenant. */
export async function tenantSlugs(store: Store): Promise<Map<string, string>> {
  return new Map((await store.tenants.list()).map((t) => [t.id, t.slug]));
}

/** Tenant by id or slug; `undefined` = the default tenant. */
export async function resolveTenant(store: Store, ref: string | undefined): Promise<Tenant> {
  const tenant = await findTenant(store, ref ?? DEFAULT_TENANT_ID);
  if (tenant === null) throw notFound("tenant", ref ?? DEFAULT_TENANT_ID);
  return tenant;
}

export async function findAccount(
  store: Store,
  tenantId: string,
  ref: string,
): Promise<Account | null> {
  const byReference = await store.accounts.findByReference(tenantId, ref);
  if (byReference !== null) return byReference;
  const byId = await store.accounts.find(ref);
  return byId !== null && byId.tenantId === tenantId ? byId : null;
}

export async function resolveAccount(
  store: Store,
  tenantId: string,
  ref: string,
): Promise<Account> {
  const account = await findAccount(store, tenantId, ref);
  if (account === null) throw notFound("account", ref);
  return account;
}

export async function findGroup(
  store: Store,
  tenantId: string,
  ref: string,
): Promise<Group | null> {
  const byName = await store.groups.findByName(tenantId, ref);
  if (byName !== null) return byName;
  const byId = await store.groups.find(ref);
  return byId !== null && byId.tenantId === tenantId ? byId : null;
}

export async function resolveGroup(store: Store, tenantId: string, ref: string): Promise<Group> {
  const group = await findGroup(store, tenantId, ref);
  if (group === null) throw notFound("group", ref);
  return group;
}
