/**
 * Users who sign in with a password: create, change role, disable or enable, reset the
 * password (both end the user's sessions), remove. Admins only.
 */
import {
  Badge,
  Button,
  Group,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { User } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  FormModal,
  formatAgo,
  formatDateTime,
  QueryView,
} from "../../components/index.ts";
import { ROLES, tenantName, useRoleScope } from "./role.tsx";

const MIN_PASSWORD = 12;

function useUserPatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { user: User; patch: Record<string, unknown>; done: string }) =>
      api<User>(`/api/v1/users/${encodeURIComponent(input.user.id)}`, {
        method: "PATCH",
        body: input.patch,
      }),
    onSuccess: (user, input) => {
      void client.invalidateQueries({ queryKey: ["users"] });
      notifications.show({ color: "teal", title: input.done, message: user.username });
    },
    onError: (error) =>
      notifications.show({ color: "red", title: "Not changed", message: error.message }),
  });
}

function NewUserDialog(props: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const access = useRoleScope();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const create = useMutation({
    mutationFn: () =>
      api<User>("/api/v1/users", {
        method: "POST",
        body: {
          username: username.trim(),
          password,
          role: access.role,
          tenant: access.tenant,
        },
      }),
    onSuccess: (user) => {
      void client.invalidateQueries({ queryKey: ["users"] });
      notifications.show({ color: "teal", title: "User created", message: user.username });
      setUsername("");
      setPassword("");
      props.onClose();
    },
  });
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title="New user"
      size="lg"
      onSubmit={() => create.mutate()}
      submitLabel="Create user"
      submitting={create.isPending}
      error={create.error}
      errorTitle="No user created"
    >
      <TextInput
        label="Username"
        description="a-z, 0-9, '.', '_', '@', '-'"
        value={username}
        onChange={(e) => setUsername(e.currentTarget.value)}
        required
        maxLength={64}
        autoComplete="off"
        data-autofocus
      />
      <PasswordInput
        label="Password"
        description={`At least ${MIN_PASSWORD} characters; tell the user over another channel`}
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        required
        minLength={MIN_PASSWORD}
        autoComplete="new-password"
      />
      {access.fields}
    </FormModal>
  );
}

function ResetPasswordDialog(props: { user: User | null; onClose: () => void }) {
  const patch = useUserPatch();
  const [password, setPassword] = useState("");
  const { user } = props;
  const submit = () => {
    if (user === null) return;
    patch.mutate(
      { user, patch: { password }, done: "Password reset" },
      {
        onSuccess: () => {
          setPassword("");
          props.onClose();
        },
      },
    );
  };
  return (
    <FormModal
      opened={user !== null}
      onClose={props.onClose}
      title={`Reset the password of ${user?.username ?? ""}`}
      onSubmit={submit}
      submitLabel="Reset password"
      submitting={patch.isPending}
    >
      <PasswordInput
        label="New password"
        description={`At least ${MIN_PASSWORD} characters; the user's sessions end`}
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        required
        minLength={MIN_PASSWORD}
        autoComplete="new-password"
        data-autofocus
      />
    </FormModal>
  );
}

export function UsersTab() {
  const principal = usePrincipal();
  const client = useQueryClient();
  const { tenants } = useTenant();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const users = useQuery({
    queryKey: ["users"],
    queryFn: ({ signal }) =>
      api<{ items: User[] }>("/api/v1/users", { signal }).then((b) => b.items),
  });
  const patch = useUserPatch();
  const remove = useMutation({
    mutationFn: (user: User) =>
      api(`/api/v1/users/${encodeURIComponent(user.id)}`, { method: "DELETE" }),
    onSuccess: (_, user) => {
      void client.invalidateQueries({ queryKey: ["users"] });
      notifications.show({ color: "teal", title: "User removed", message: user.username });
    },
    onError: (error) =>
      notifications.show({ color: "red", title: "Not removed", message: error.message }),
  });
  const self = (u: User) => principal.kind === "user" && principal.id === u.id;
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={() => setCreating(true)}>New user</Button>
      </Group>
      <QueryView
        query={users}
        loading={{ rows: 4, label: "Loading users" }}
        errorTitle="The users cannot be listed"
        empty={
          <EmptyState title="No users yet">
            Create a user for each operator, so nobody has to paste an API token to sign in.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Username</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Tenant</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last sign-in</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>
                    {u.username}
                    {self(u) ? (
                      <Text span c="dimmed" size="sm">
                        {" "}
                        (you)
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Role of ${u.username}`}
                      size="xs"
                      w={130}
                      data={ROLES.map((r) => ({ value: r.value, label: r.value }))}
                      value={u.role}
                      disabled={self(u)}
                      allowDeselect={false}
                      onChange={(v) =>
                        v !== null &&
                        v !== u.role &&
                        patch.mutate({ user: u, patch: { role: v }, done: "Role changed" })
                      }
                    />
                  </Table.Td>
                  <Table.Td>{tenantName(tenants, u.tenantId)}</Table.Td>
                  <Table.Td>
                    <Badge color={u.disabled ? "red.9" : "teal.9"} variant="filled">
                      {u.disabled ? "disabled" : "active"}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatAgo(u.lastLoginAt)}</Table.Td>
                  <Table.Td>{formatDateTime(u.createdAt)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="xs"
                        variant="subtle"
                        aria-label={`Reset password of ${u.username}`}
                        onClick={() => setResetting(u)}
                      >
                        Reset password
                      </Button>
                      {self(u) ? null : (
                        <Button
                          size="xs"
                          variant="subtle"
                          aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.username}`}
                          onClick={() =>
                            patch.mutate({
                              user: u,
                              patch: { disabled: !u.disabled },
                              done: u.disabled ? "User enabled" : "User disabled",
                            })
                          }
                        >
                          {u.disabled ? "Enable" : "Disable"}
                        </Button>
                      )}
                      {self(u) ? null : (
                        <ConfirmButton
                          title={`Remove user ${u.username}?`}
                          message="The user can no longer sign in; their sessions end."
                          confirmLabel="Remove user"
                          aria-label={`Remove ${u.username}`}
                          loading={remove.isPending && remove.variables?.id === u.id}
                          onConfirm={() => remove.mutate(u)}
                        >
                          Remove
                        </ConfirmButton>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      <NewUserDialog opened={creating} onClose={() => setCreating(false)} />
      <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />
    </Stack>
  );
}
