/** One account: its lines, its devices, its activation codes, and what can be done with it. */
import { Anchor, Badge, Button, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { Account, DeviceSearchPage } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  ErrorAlert,
  formatAgo,
  formatCount,
  formatMac,
  Loading,
  PageHeader,
  QueryView,
} from "../../components/index.ts";
import { AccountCodes } from "../activation/AccountCodes.tsx";
import { AccountForm } from "./AccountForm.tsx";

const DEVICES = 50;

function AccountDevices(props: { account: Account }) {
  const devices = useQuery({
    queryKey: ["devices", "account", props.account.id],
    queryFn: ({ signal }) =>
      api<DeviceSearchPage>("/api/v1/devices", {
        query: { tenant: props.account.tenantId, account: props.account.id, limit: DEVICES },
        signal,
      }),
  });
  return (
    <QueryView
      query={devices}
      loading={{ rows: 3, label: "Loading the account's devices" }}
      errorTitle="The devices cannot be listed"
      isEmpty={(page) => page.items.length === 0}
      empty={
        <EmptyState title="No devices on this account">
          Attach a device from its page, import devices with this account's reference in the account
          column, or issue an activation code for the customer.
        </EmptyState>
      }
    >
      {(page) => (
        <Stack gap="xs">
          <Table striped aria-label="Devices of the account">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>MAC</Table.Th>
                <Table.Th>Model</Table.Th>
                <Table.Th>Label</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Last seen</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.items.map((d) => (
                <Table.Tr key={d.mac}>
                  <Table.Td>
                    <Anchor component={Link} to={`/devices/${d.mac}`} ff="monospace">
                      {formatMac(d.mac)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{d.model ?? "—"}</Table.Td>
                  <Table.Td>{d.label ?? "—"}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="gray">
                      {d.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatAgo(d.status?.at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {page.total > page.items.length ? (
            <Text size="sm" c="dimmed">
              {formatCount(page.items.length)} of {formatCount(page.total)}
              {page.total_exact ? "" : "+"} devices —{" "}
              <Anchor
                component={Link}
                to={`/devices?account=${encodeURIComponent(props.account.reference)}`}
              >
                see them all in Devices
              </Anchor>
            </Text>
          ) : null}
        </Stack>
      )}
    </QueryView>
  );
}

export function AccountPage() {
  const { id = "" } = useParams();
  const principal = usePrincipal();
  const { tenant } = useTenant();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const account = useQuery({
    queryKey: ["account", id],
    queryFn: ({ signal }) => api<Account>(`/api/v1/accounts/${encodeURIComponent(id)}`, { signal }),
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/accounts/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["accounts"] });
      notifications.show({
        color: "teal",
        title: "Account deleted",
        message: account.data?.reference ?? id,
      });
      navigate("/accounts");
    },
  });
  const writer = canWrite(principal);

  if (account.isPending) {
    return (
      <Stack>
        <PageHeader title="Account" />
        <Loading rows={8} label="Loading the account" />
      </Stack>
    );
  }
  if (account.isError) {
    return (
      <Stack>
        <PageHeader title="Account" />
        <ErrorAlert error={account.error} title="The account cannot be read" />
        <Anchor component={Link} to="/accounts">
          Back to the accounts
        </Anchor>
      </Stack>
    );
  }
  const a = account.data;
  return (
    <Stack>
      <PageHeader
        title={`Account ${a.reference}`}
        description={a.name ?? "No name"}
        actions={
          <>
            <Button
              variant="default"
              component={Link}
              to={`/configuration?scope=account&target=${encodeURIComponent(a.id)}`}
            >
              Configuration
            </Button>
            {writer ? <Button onClick={() => setEditing(true)}>Edit account</Button> : null}
            {writer ? (
              <ConfirmButton
                variant="default"
                size="sm"
                title={`Delete account ${a.reference}?`}
                message="Its devices are detached (they keep their own settings) and the account's layer is removed."
                confirmLabel="Delete account"
                loading={remove.isPending}
                onConfirm={() => remove.mutate()}
              >
                Delete
              </ConfirmButton>
            ) : null}
          </>
        }
      />
      {remove.isError ? <ErrorAlert error={remove.error} title="Not deleted" /> : null}
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="lines-title">
        <Title order={2} size="h4" id="lines-title" mb="sm">
          Lines
        </Title>
        {a.lines.length === 0 ? (
          <Text size="sm" c="dimmed">
            No lines.{writer ? " Edit the account to add its SIP lines." : ""}
          </Text>
        ) : (
          <Table aria-label="Lines">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Line</Table.Th>
                <Table.Th>User ID</Table.Th>
                <Table.Th>Password</Table.Th>
                <Table.Th>Auth ID</Table.Th>
                <Table.Th>Display name</Table.Th>
                <Table.Th>Proxy</Table.Th>
                <Table.Th>Outbound proxy</Table.Th>
                <Table.Th>Voicemail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {a.lines.map((l) => (
                <Table.Tr key={l.line}>
                  <Table.Td>{l.line}</Table.Td>
                  <Table.Td ff="monospace">{l.userId}</Table.Td>
                  <Table.Td>
                    {l.hasPassword ? (
                      "••••••••"
                    ) : (
                      <Text span c="dimmed" size="sm">
                        not set
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{l.authId ?? "—"}</Table.Td>
                  <Table.Td>{l.displayName ?? "—"}</Table.Td>
                  <Table.Td>{l.proxy ?? "—"}</Table.Td>
                  <Table.Td>{l.outboundProxy ?? "—"}</Table.Td>
                  <Table.Td>{l.voicemailId ?? "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="devices-title">
          <Title order={2} size="h4" id="devices-title" mb="sm">
            Devices
          </Title>
          <AccountDevices account={a} />
        </Paper>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="codes-title">
          <Title order={2} size="h4" id="codes-title" mb="sm">
            Activation codes
          </Title>
          <AccountCodes account={a} tenant={tenant} />
        </Paper>
      </SimpleGrid>
      <AccountForm opened={editing} onClose={() => setEditing(false)} tenant={tenant} account={a} />
    </Stack>
  );
}
