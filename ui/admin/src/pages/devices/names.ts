/**
 * Names for the ids a device record carries (its account and group are UUIDs): each record
 * fetched once and kept a while, so a page of devices sharing a few accounts asks a few times.
 */
import { useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { Account, Group } from "../../api/types.ts";

const KEEP = 5 * 60_000;

export const accountQuery = (id: string) => ({
  queryKey: ["accounts", id],
  queryFn: () => api<Account>(`/api/v1/accounts/${encodeURIComponent(id)}`),
  staleTime: KEEP,
});

export const groupQuery = (id: string) => ({
  queryKey: ["groups", id],
  queryFn: () => api<Group>(`/api/v1/groups/${encodeURIComponent(id)}`),
  staleTime: KEEP,
});

/** Account id → its reference, for the ids given (unknown ones stay out until loaded). */
export function useAccountReferences(ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  return useQueries({
    queries: unique.map(accountQuery),
    combine: (results) => {
      const names = new Map<string, string>();
      results.forEach((r, i) => {
        if (r.data !== undefined) names.set(unique[i]!, r.data.reference);
      });
      return names;
    },
  });
}

export function useAccount(id: string | null) {
  return useQuery({ ...accountQuery(id ?? ""), enabled: id !== null });
}

export function useGroup(id: string | null) {
  return useQuery({ ...groupQuery(id ?? ""), enabled: id !== null });
}
