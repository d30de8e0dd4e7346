/**
 * The tenant the operator is working in. A tenant-scoped principal has exactly one; an
 * installation-wide one picks from the tenant list (remembered in this browser). Pages
 * read it with `useTenant()` and pass it as the API's `tenant` parameter.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { api } from "../api/client.ts";
import type { Principal } from "../api/session.ts";
import type { Tenant } from "../api/types.ts";

interface TenantState {
  /** The selected tenant's id. */
  readonly tenant: string;
  readonly tenants: readonly Tenant[];
  readonly current: Tenant | undefined;
  /** Whether the principal may switch (installation-wide and more than one tenant). */
  readonly canSwitch: boolean;
  select(id: string): void;
}

const TenantContext = createContext<TenantState | null>(null);
const STORAGE_KEY = "provisio.tenant";

export function useTenants() {
  return useQuery({
    queryKey: ["tenants"],
    queryFn: () => api<{ items: Tenant[] }>("/api/v1/tenants").then((b) => b.items),
  });
}

export function TenantProvider(props: { principal: Principal; children: ReactNode }) {
  const tenants = useTenants();
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(STORAGE_KEY));
  const items = tenants.data ?? [];
  const scoped = props.principal.tenant;
  const tenant =
    scoped ??
    (chosen !== null && items.some((t) => t.id === chosen) ? chosen : (items[0]?.id ?? "default"));
  useEffect(() => {
    if (
      scoped === null &&
      chosen !== null &&
      tenants.isSuccess &&
      !items.some((t) => t.id === chosen)
    ) {
      localStorage.removeItem(STORAGE_KEY);
      setChosen(null);
    }
  }, [scoped, chosen, tenants.isSuccess, items]);
  const value = useMemo<TenantState>(
    () => ({
      tenant,
      tenants: items,
      current: items.find((t) => t.id === tenant),
      canSwitch: scoped === null && items.length > 1,
      select(id) {
        localStorage.setItem(STORAGE_KEY, id);
        setChosen(id);
      },
    }),
    [tenant, items, scoped],
  );
  return <TenantContext.Provider value={value}>{props.children}</TenantContext.Provider>;
}

export function useTenant(): TenantState {
  const state = useContext(TenantContext);
  if (state === null) throw new Error("useTenant outside TenantProvider");
  return state;
}
