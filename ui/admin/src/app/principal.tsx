/** The signed-in principal, for every page below the shell. */
import { createContext, type ReactNode, useContext } from "react";
import type { Principal } from "../api/session.ts";

const PrincipalContext = createContext<Principal | null>(null);

export function PrincipalProvider(props: { principal: Principal; children: ReactNode }) {
  return (
    <PrincipalContext.Provider value={props.principal}>{props.children}</PrincipalContext.Provider>
  );
}

export function usePrincipal(): Principal {
  const principal = useContext(PrincipalContext);
  if (principal === null) throw new Error("usePrincipal outside PrincipalProvider");
  return principal;
}
