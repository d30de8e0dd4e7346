/** API tokens: listed without secrets; a new one's secret is shown once; revoke. Admins only. */
import { Badge, Button, Group, Stack, Table, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { Token } from "../../api/types.ts";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  CopyField,
  EmptyState,
  FormModal,
  formatDateTime,
  QueryView,
  ShownOnce,
} from "../../components/index.ts";
import { tenantName, useRoleScope } from "./role.tsx";

function NewTokenDialog(props: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const access = useRoleScope();
  const [name, setName] = useState("");
  const [expires, setExpires] = useState("");
  const create = useMutation({
    mutationFn: () =>
      api<{ token: Token; secret: string }>("/api/v1/tokens", {
        method: "POST",
        body: {
          name: name.trim(),
          role: access.role,
          tenant: access.tenant,
          expiresAt: expires === "" ? null : new Date(`${expires}T23:59:59`).toISOString(),
        },
      }),
    onSuccess: (issued) => {
      void client.invalidateQueries({ queryKey: ["tokens"] });
      notifications.show({ color: "teal", title: "Token created", message: issued.token.name });
    },
  });
  const close = () => {
    create.reset();
    setName("");
    props.onClose();
  };
  return (
    <FormModal
      opened={props.opened}
      onClose={close}
      title="New API token"
      size="lg"
      onSubmit={() => create.mutate()}
      submitLabel="Create token"
      submitting={create.isPending}
      error={create.error}
      errorTitle="No token created"
      outcome={
        create.data === undefined ? undefined : (
          <ShownOnce
            warning="Copy the token now: the server keeps only its hash and cannot show it again."
            onDone={close}
          >
            <CopyField label="Token" value={create.data.secret} />
          </ShownOnce>
        )
      }
    >
      <TextInput
        label="Name"
        description="What uses it, e.g. billing-sync"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        required
        maxLength={128}
        data-autofocus
      />
      {access.fields}
      <TextInput
        label="Expires"
        description="Optional: the last day it works"
        type="date"
        value={expires}
        onChange={(e) => setExpires(e.currentTarget.value)}
      />
    </FormModal>
  );
}

export function TokensTab() {
  const client = useQueryClient();
  const { tenants } = useTenant();
  const [creating, setCreating] = useState(false);
  const tokens = useQuery({
    queryKey: ["tokens"],
    queryFn: ({ signal }) =>
      api<{ items: Token[] }>("/api/v1/tokens", { signal }).then((b) => b.items),
  });
  const revoke = useMutation({
    mutationFn: (token: Token) =>
      api(`/api/v1/tokens/${encodeURIComponent(token.id)}`, { method: "DELETE" }),
    onSuccess: (_, token) => {
      void client.invalidateQueries({ queryKey: ["tokens"] });
      notifications.show({ color: "teal", title: "Token revoked", message: token.name });
    },
    onError: (error) =>
      notifications.show({ color: "red", title: "Not revoked", message: error.message }),
  });
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={() => setCreating(true)}>New token</Button>
      </Group>
      <QueryView
        query={tokens}
        loading={{ rows: 4, label: "Loading tokens" }}
        errorTitle="The tokens cannot be listed"
        empty={
          <EmptyState title="No API tokens">
            Create a token for each script or system that calls the API.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped aria-label="API tokens">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Tenant</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="gray">
                      {t.role}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{tenantName(tenants, t.tenantId)}</Table.Td>
                  <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                  <Table.Td>
                    {t.expiresAt === null ? "never" : formatDateTime(t.expiresAt)}
                  </Table.Td>
                  <Table.Td>
                    <ConfirmButton
                      title={`Revoke token ${t.name}?`}
                      message="Whatever uses it is refused from now on."
                      confirmLabel="Revoke token"
                      aria-label={`Revoke token ${t.name}`}
                      loading={revoke.isPending && revoke.variables?.id === t.id}
                      onConfirm={() => revoke.mutate(t)}
                    >
                      Revoke
                    </ConfirmButton>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      <NewTokenDialog opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
