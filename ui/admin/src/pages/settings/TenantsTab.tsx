/** The tenants this principal sees, with their main settings; admins create and edit them. */
import { Anchor, Badge, Button, Group, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import { isAdmin } from "../../api/session.ts";
import type { Tenant } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant, useTenants } from "../../app/tenant.tsx";
import { ErrorAlert, formatDateTime, Loading } from "../../components/index.ts";
import { TenantDialog } from "./TenantDialog.tsx";

function flags(t: Tenant): string[] {
  const s = t.settings;
  return [
    s.staging ? "staging" : null,
    s.requireClientCert ? "client certificates" : null,
    s.encryption === "none" ? null : s.encryption,
    s.secureProvisioning === "off" ? null : `secure provisioning ${s.secureProvisioning}`,
    s.autoCreate ? "auto-create" : null,
  ].filter((f): f is string => f !== null);
}

export function TenantsTab() {
  const principal = usePrincipal();
  const tenants = useTenants();
  const selected = useTenant().tenant;
  const [editing, setEditing] = useState<Tenant | null | undefined>(undefined);
  const admin = isAdmin(principal);
  const global = admin && principal.tenant === null;
  if (tenants.isPending) return <Loading rows={4} label="Loading tenants" />;
  if (tenants.isError)
    return <ErrorAlert error={tenants.error} title="The tenants cannot be listed" />;
  return (
    <Stack>
      {global ? (
        <Group justify="flex-end">
          <Button onClick={() => setEditing(null)}>New tenant</Button>
        </Group>
      ) : null}
      <Table striped aria-label="Tenants">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Slug</Table.Th>
            <Table.Th>Settings</Table.Th>
            <Table.Th>Updated</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tenants.data.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>{t.name}</Table.Td>
              <Table.Td ff="monospace">{t.slug}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {flags(t).length === 0 ? (
                    <Text span c="dimmed" size="sm">
                      defaults
                    </Text>
                  ) : (
                    flags(t).map((f) => (
                      <Badge key={f} variant="light" color="gray" tt="none">
                        {f}
                      </Badge>
                    ))
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{formatDateTime(t.updatedAt)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  {admin ? (
                    <Button
                      size="xs"
                      variant="subtle"
                      aria-label={`Edit ${t.name}`}
                      onClick={() => setEditing(t)}
                    >
                      Edit
                    </Button>
                  ) : null}
                  {t.settings.staging && t.id === selected ? (
                    <Anchor component={Link} to="/configuration?scope=staging" size="sm">
                      Staging profile
                    </Anchor>
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <TenantDialog
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        {...(editing === null || editing === undefined ? {} : { tenant: editing })}
      />
    </Stack>
  );
}
