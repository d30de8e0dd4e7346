/** Roles and tenant scopes as the token and user forms offer them. */
import { Select } from "@mantine/core";
import { useState } from "react";
import type { Tenant } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";

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

/** A new principal's role and tenant scope: state and the two fields that set them. */
export function useRoleScope() {
  const principal = usePrincipal();
  const { tenants, tenant } = useTenant();
  const global = principal.tenant === null;
  const [role, setRole] = useState<RoleName>("operator");
  const [scope, setScope] = useState<string>(global ? ALL_TENANTS : tenant);
  const fields = (
    <>
      <Select
        label="Role"
        data={ROLES}
        value={role}
        onChange={(v) => setRole((v ?? "operator") as RoleName)}
        allowDeselect={false}
      />
      <Select
        label="Tenant"
        data={scopeOptions(tenants, global)}
        value={scope}
        onChange={(v) => setScope(v ?? tenant)}
        allowDeselect={false}
      />
    </>
  );
  /** What the API takes: the role, and the tenant (null: every tenant). */
  return { role, tenant: scope === ALL_TENANTS ? null : scope, fields };
}
