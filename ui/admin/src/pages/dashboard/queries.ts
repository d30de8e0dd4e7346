/** The dashboard's data, refreshed every 15 s; the last answer stays shown while the next loads. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, type Page } from "../../api/client.ts";
import type { DeviceEvent } from "../../api/types.ts";
import type { Activity, Summary } from "./dashboard_types.ts";

export const REFRESH_MS = 15_000;

const live = { refetchInterval: REFRESH_MS, placeholderData: keepPreviousData, staleTime: 5_000 };

export function useSummary(tenant: string) {
  return useQuery({
    queryKey: ["dashboard", "summary", tenant],
    queryFn: () => api<Summary>("/api/v1/dashboard/summary", { query: { tenant } }),
    ...live,
  });
}

export function useActivity(tenant: string) {
  return useQuery({
    queryKey: ["dashboard", "activity", tenant],
    queryFn: () => api<Activity>("/api/v1/dashboard/activity", { query: { tenant } }),
    ...live,
  });
}

export function useSecurityEvents(tenant: string) {
  return useQuery({
    queryKey: ["dashboard", "security", tenant],
    queryFn: () =>
      api<Pick<Page<DeviceEvent>, "items">>("/api/v1/dashboard/security", {
        query: { tenant, limit: 8 },
      }),
    ...live,
  });
}
