/** Tenant changes the Settings tabs share: a PATCH (settings merged), the tenant list refreshed. */
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { Tenant } from "../../api/types.ts";

export type TenantPatch = {
  readonly name?: string;
  readonly slug?: string;
  readonly settings?: Partial<Tenant["settings"]>;
};

export function useTenantPatch(success: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; patch: TenantPatch }) =>
      api<Tenant>(`/api/v1/tenants/${encodeURIComponent(input.id)}`, {
        method: "PATCH",
        body: input.patch,
      }),
    onSuccess: (tenant) => {
      void client.invalidateQueries({ queryKey: ["tenants"] });
      notifications.show({ color: "teal", title: success, message: tenant.name });
    },
  });
}
