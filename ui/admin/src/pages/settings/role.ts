/** Roles and tenant scopes as the token and user forms offer them. */
import type { Tenant } from "../../api/types.ts";

export const ROLES = [
  { value: "read-only", label: "Read-only — sees everything, changes nothing" },
  { value: "operator", label: "Operator — manages devices, accounts and configuration" },
  { value: "admin", label: "Admin — also tenants, tokens and users" },
];

export type RoleName = "read-only" | "operator" | "admin";

export const ALL_TENANTS = "*";

/** The scope choices: every tenant (installation-wide principals only), or one. */
export function scopeOptions(tenants: readonly Tenant[], global: boolean) {
  return [
    ...(global ? [{ value: ALL_TENANTS, label: "Every tenant" }] : []),
    ...tenants.map((t) => ({ value: t.id, label: t.name })),
  ];
}

export function tenantName(tenants: readonly Tenant[], id: string | null): string {
  if (id === null) return "Every tenant";
  return tenants.find((t) => t.id === id)?.name ?? id;
}
