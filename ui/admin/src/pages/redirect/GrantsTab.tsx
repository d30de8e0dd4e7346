/** MAC ranges granted to providers: what each provider's own token may register. */
import { Button, Group, Select, Stack, Table, TextInput, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  ErrorAlert,
  formatCount,
  formatMac,
  QueryView,
} from "../../components/index.ts";
import type { RedirectGrant } from "./model.ts";

export function GrantsTab() {
  const { tenants } = useTenant();
  const principal = usePrincipal();
  const global = principal.role === "admin" && principal.tenant === null;
  const client = useQueryClient();
  const [tenant, setTenant] = useState<string | null>(null);
  const [range, setRange] = useState("");
  const [note, setNote] = useState("");
  const grants = useQuery({
    queryKey: ["redirect", "grants"],
    queryFn: () => api<RedirectGrant[]>("/api/v1/redirect/grants"),
  });
  const grant = useMutation({
    mutationFn: () =>
      api<RedirectGrant>("/api/v1/redirect/grants", {
        method: "POST",
        body: { tenant, range: range.trim(), ...(note.trim() === "" ? {} : { note: note.trim() }) },
      }),
    onSuccess: (g) => {
      notifications.show({ color: "green", message: `${formatCount(g.size)} MACs granted` });
      setRange("");
      setNote("");
      void client.invalidateQueries({ queryKey: ["redirect", "grants"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      api(`/api/v1/redirect/grants/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["redirect", "grants"] }),
  });
  const nameOf = (id: string) => tenants.find((t) => t.id === id || t.slug === id)?.name ?? id;
  return (
    <Stack>
      {global ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            grant.mutate();
          }}
        >
          <Group align="flex-end">
            <Select
              label="Provider"
              data={tenants.map((t) => ({ value: t.id, label: t.name }))}
              value={tenant}
              onChange={setTenant}
              required
              w={200}
            />
            <TextInput
              label="Range"
              description="FIRST-LAST, or a prefix of 6 to 12 hex digits"
              value={range}
              onChange={(e) => setRange(e.currentTarget.value)}
              required
            />
            <TextInput label="Note" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
            <Button type="submit" loading={grant.isPending} disabled={tenant === null}>
              Grant
            </Button>
          </Group>
        </form>
      ) : null}
      {grant.isError ? <ErrorAlert error={grant.error} title="Not granted" /> : null}
      {revoke.isError ? <ErrorAlert error={revoke.error} title="Not taken back" /> : null}
      <QueryView
        query={grants}
        loading={{ rows: 3, label: "Loading grants" }}
        empty={
          <EmptyState title="No ranges granted">
            Without a grant, only a token of the whole installation registers MACs; a grant lets a
            provider register its own range with its own token.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Provider</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>MACs</Table.Th>
                <Table.Th>Note</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td>{nameOf(g.tenant)}</Table.Td>
                  <Table.Td ff="monospace">{formatMac(g.first)}</Table.Td>
                  <Table.Td ff="monospace">{formatMac(g.last)}</Table.Td>
                  <Table.Td>{formatCount(g.size)}</Table.Td>
                  <Table.Td>{g.note ?? ""}</Table.Td>
                  <Table.Td>
                    {global ? (
                      <ConfirmButton
                        title={"Take this grant back?"}
                        message="The provider can no longer register MACs of this range; registered units stay registered."
                        confirmLabel="Take back"
                        onConfirm={() => revoke.mutate(g.id)}
                      >
                        Take back
                      </ConfirmButton>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
    </Stack>
  );
}
