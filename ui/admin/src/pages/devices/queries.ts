/** The API calls the Devices pages share. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { DeviceSearchPage, Model } from "../../api/types.ts";
import { type Filters, searchQuery } from "./device_filters.ts";

export const PAGE_SIZE = 50;

/** Server-side search, one keyset page at a time ("Show more" asks for the next). */
export function useDeviceSearch(tenant: string, filters: Filters) {
  return useInfiniteQuery({
    queryKey: ["devices", "search", tenant, filters],
    queryFn: ({ pageParam, signal }) =>
      api<DeviceSearchPage>("/api/v1/devices", {
        query: {
          tenant,
          limit: PAGE_SIZE,
          ...searchQuery(filters, Date.now()),
          ...(pageParam === null ? {} : { cursor: pageParam }),
        },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.cursor,
    placeholderData: keepPreviousData,
  });
}

export function useModels() {
  return useQuery({
    queryKey: ["models"],
    queryFn: () => api<{ items: Model[] }>("/api/v1/models").then((b) => b.items),
    staleTime: 5 * 60_000,
  });
}

/** The firmware versions the fleet reports (from the dashboard's summary), for the filter. */
export function useFirmwareVersions(tenant: string) {
  return useQuery({
    queryKey: ["dashboard", "summary", tenant],
    queryFn: () =>
      api<{ firmware: { version: string | null; count: number }[] }>("/api/v1/dashboard/summary", {
        query: { tenant },
      }),
    select: (summary) => summary.firmware.flatMap((f) => (f.version === null ? [] : [f.version])),
    staleTime: 60_000,
  });
}
