/** The tenant's activation codes (newest first): state, account, bound device; issue and revoke. */
import { Button, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { TenantActivationCode } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import { EmptyState, PageHeader, QueryView } from "../../components/index.ts";
import { CodesTable } from "./CodesTable.tsx";
import { IssueCodeDialog } from "./IssueCodeDialog.tsx";

const LIMIT = 200;

export function ActivationPage() {
  const principal = usePrincipal();
  const { tenant } = useTenant();
  const [issuing, setIssuing] = useState(false);
  const codes = useQuery({
    queryKey: ["activation-codes", "tenant", tenant],
    queryFn: ({ signal }) =>
      api<{ items: TenantActivationCode[] }>("/api/v1/activation-codes", {
        query: { tenant, limit: LIMIT },
        signal,
      }).then((b) => b.items),
  });
  const writer = canWrite(principal);
  return (
    <Stack>
      <PageHeader
        title="Activation codes"
        description="Codes a customer uses to bind a unit to their account; each is shown once when issued."
        actions={writer ? <Button onClick={() => setIssuing(true)}>Issue code</Button> : undefined}
      />
      <QueryView
        query={codes}
        loading={{ rows: 6, label: "Loading activation codes" }}
        errorTitle="The codes cannot be listed"
        empty={
          <EmptyState title="No activation codes">
            Issue a code for an account; the customer enters it (or opens its device URL) to bind
            their unit.
          </EmptyState>
        }
      >
        {(items) => (
          <CodesTable codes={items} showAccount canWrite={writer} label="Activation codes" />
        )}
      </QueryView>
      <IssueCodeDialog opened={issuing} onClose={() => setIssuing(false)} tenant={tenant} />
    </Stack>
  );
}
