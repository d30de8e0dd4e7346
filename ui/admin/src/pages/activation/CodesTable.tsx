/** Activation codes with their state; active ones can be revoked. */
import { Anchor, Badge, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import type { ActivationCode } from "../../api/types.ts";
import { ConfirmButton, formatDateTime, formatMac } from "../../components/index.ts";

const STATE_COLOR = { active: "teal.9", used: "blue.9", expired: "gray.7" } as const;

export type CodeRow = ActivationCode & {
  readonly accountReference?: string | null;
  readonly accountName?: string | null;
};

export function CodesTable(props: {
  codes: readonly CodeRow[];
  showAccount: boolean;
  canWrite: boolean;
  label: string;
}) {
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) =>
      api(`/api/v1/activation-codes/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["activation-codes"] });
      notifications.show({
        color: "teal",
        title: "Code revoked",
        message: "It can no longer activate a device.",
      });
    },
    onError: (error) =>
      notifications.show({ color: "red", title: "Not revoked", message: error.message }),
  });
  return (
    <Table striped aria-label={props.label}>
      <Table.Thead>
        <Table.Tr>
          {props.showAccount ? <Table.Th>Account</Table.Th> : null}
          <Table.Th>State</Table.Th>
          <Table.Th>Issued</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Bound device</Table.Th>
          <Table.Th>Issued by</Table.Th>
          {props.canWrite ? <Table.Th>Actions</Table.Th> : null}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {props.codes.map((c) => (
          <Table.Tr key={c.id}>
            {props.showAccount ? (
              <Table.Td>
                {c.accountReference === null || c.accountReference === undefined ? (
                  <Text span c="dimmed" size="sm">
                    deleted account
                  </Text>
                ) : (
                  <Anchor component={Link} to={`/accounts/${c.account}`}>
                    {c.accountReference}
                    {c.accountName === null || c.accountName === undefined
                      ? ""
                      : ` — ${c.accountName}`}
                  </Anchor>
                )}
              </Table.Td>
            ) : null}
            <Table.Td>
              <Badge color={STATE_COLOR[c.state]} variant="filled">
                {c.state}
              </Badge>
            </Table.Td>
            <Table.Td>{formatDateTime(c.createdAt)}</Table.Td>
            <Table.Td>{formatDateTime(c.expiresAt)}</Table.Td>
            <Table.Td>
              {c.boundMac === null ? (
                "—"
              ) : (
                <Anchor component={Link} to={`/devices/${c.boundMac}`} ff="monospace">
                  {formatMac(c.boundMac)}
                </Anchor>
              )}
              {c.usedAt === null ? null : (
                <Text size="xs" c="dimmed">
                  {formatDateTime(c.usedAt)}
                </Text>
              )}
            </Table.Td>
            <Table.Td>{c.createdBy}</Table.Td>
            {props.canWrite ? (
              <Table.Td>
                {c.state === "active" ? (
                  <ConfirmButton
                    title="Revoke this activation code?"
                    message="A device can no longer use it; the customer needs a new code."
                    confirmLabel="Revoke code"
                    aria-label={`Revoke the code issued ${formatDateTime(c.createdAt)}`}
                    loading={revoke.isPending && revoke.variables === c.id}
                    onConfirm={() => revoke.mutate(c.id)}
                  >
                    Revoke
                  </ConfirmButton>
                ) : null}
              </Table.Td>
            ) : null}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
