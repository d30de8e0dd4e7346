/** One account's activation codes, with the button that issues another. */
import { Button, Group, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { Account, ActivationCode } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { QueryView } from "../../components/index.ts";
import { CodesTable } from "./CodesTable.tsx";
import { IssueCodeDialog } from "./IssueCodeDialog.tsx";

export function AccountCodes(props: { account: Account; tenant: string }) {
  const principal = usePrincipal();
  const [issuing, setIssuing] = useState(false);
  const codes = useQuery({
    queryKey: ["activation-codes", "account", props.account.id],
    queryFn: ({ signal }) =>
      api<ActivationCode[]>(
        `/api/v1/accounts/${encodeURIComponent(props.account.id)}/activation-codes`,
        {
          signal,
        },
      ),
  });
  const writer = canWrite(principal);
  return (
    <Stack gap="xs">
      <QueryView
        query={codes}
        loading={{ rows: 2, label: "Loading the account's activation codes" }}
        errorTitle="The codes cannot be listed"
        empty={
          <Text size="sm" c="dimmed">
            No activation codes. Issue one for a customer who sets up a unit themselves.
          </Text>
        }
      >
        {(items) => (
          <CodesTable
            codes={items}
            showAccount={false}
            canWrite={writer}
            label="Activation codes of the account"
          />
        )}
      </QueryView>
      {writer ? (
        <Group>
          <Button variant="default" onClick={() => setIssuing(true)}>
            Issue activation code
          </Button>
        </Group>
      ) : null}
      <IssueCodeDialog
        opened={issuing}
        onClose={() => setIssuing(false)}
        tenant={props.tenant}
        account={props.account}
      />
    </Stack>
  );
}
