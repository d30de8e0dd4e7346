/** The signed-in principal: who the session stands for, with its role and tenant scope. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client.ts";

export type Role = "read-only" | "operator" | "admin";

export interface Principal {
  readonly kind: "user" | "token";
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** The one tenant a scoped principal sees; null for an installation-wide one. */
  readonly tenant: string | null;
}

const RANK: Record<Role, number> = { "read-only": 0, operator: 1, admin: 2 };

export function canWrite(principal: Principal): boolean {
  return RANK[principal.role] >= RANK.operator;
}

export function isAdmin(principal: Principal): boolean {
  return principal.role === "admin";
}

export const SESSION_KEY = ["session"] as const;

/** The current session; `null` when nobody is signed in. */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Principal | null> =>
      (await api<{ principal: Principal | null }>("/api/v1/session")).principal,
    staleTime: 60_000,
    retry: false,
  });
}

export type Credentials =
  | { readonly username: string; readonly password: string }
  | { readonly token: string };

export async function signIn(credentials: Credentials): Promise<Principal> {
  const body = await api<{ principal: Principal }>("/api/v1/session", {
    method: "POST",
    body: credentials,
  });
  return body.principal;
}

export function useSignOut(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    try {
      await api("/api/v1/session", { method: "DELETE" });
    } finally {
      // The session query stays (the app is subscribed to it) and says nobody; every other
      // record the operator saw goes.
      client.setQueryData(SESSION_KEY, null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
    }
  };
}
