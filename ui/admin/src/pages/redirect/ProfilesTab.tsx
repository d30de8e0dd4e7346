/** Redirect profiles: where registered units are sent, and the restrictions they carry there. */
import {
  Button,
  Checkbox,
  Code,
  Group,
  Stack,
  Table,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  ErrorAlert,
  FormModal,
  QueryView,
} from "../../components/index.ts";
import type { RedirectProfile } from "./model.ts";
import { useRedirectProfiles } from "./UnitsTab.tsx";

export function ProfilesTab() {
  const { tenant } = useTenant();
  const writer = canWrite(usePrincipal());
  const client = useQueryClient();
  const profiles = useRedirectProfiles(tenant);
  const [editing, setEditing] = useState<RedirectProfile | "new" | null>(null);
  const remove = useMutation({
    mutationFn: (name: string) =>
      api(`/api/v1/redirect/profiles/${encodeURIComponent(name)}`, {
        method: "DELETE",
        query: { tenant },
      }),
    onSuccess: (_r, name) => {
      notifications.show({ color: "green", message: `Profile ${name} removed` });
      void client.invalidateQueries({ queryKey: ["redirect", "profiles"] });
    },
  });
  return (
    <Stack>
      {writer ? (
        <Group justify="flex-end">
          <Button onClick={() => setEditing("new")}>New profile</Button>
        </Group>
      ) : null}
      {remove.isError ? <ErrorAlert error={remove.error} title="Not removed" /> : null}
      <QueryView
        query={profiles}
        loading={{ rows: 3, label: "Loading redirect profiles" }}
        empty={
          <EmptyState title="No redirect profiles">
            A profile holds the Profile_Rule a unit gets on its first contact — your own
            provisioning server — and the domains it may talk to from then on.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Profile rule</Table.Th>
                <Table.Th>Restricted to</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>
                    <Code>{p.profileRule}</Code>
                  </Table.Td>
                  <Table.Td>{p.restrictedDomains.join(", ") || "—"}</Table.Td>
                  <Table.Td>
                    {writer ? (
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button size="xs" variant="subtle" onClick={() => setEditing(p)}>
                          Edit
                        </Button>
                        <ConfirmButton
                          title={`Remove profile ${p.name}?`}
                          message="The server refuses while units use it."
                          confirmLabel="Remove"
                          onConfirm={() => remove.mutate(p.name)}
                        >
                          Remove
                        </ConfirmButton>
                      </Group>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      {editing === null ? null : (
        <ProfileForm
          profile={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
    </Stack>
  );
}

function ProfileForm(props: { profile: RedirectProfile | null; onClose(): void }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const p = props.profile;
  const [name, setName] = useState(p?.name ?? "");
  const [rule, setRule] = useState(p?.profileRule ?? "");
  const [domains, setDomains] = useState(p?.restrictedDomains.join(", ") ?? "");
  const [provision, setProvision] = useState(p === null ? true : p.provisionEnable === "Yes");
  const save = useMutation({
    mutationFn: () =>
      api<RedirectProfile>(`/api/v1/redirect/profiles/${encodeURIComponent(name.trim())}`, {
        method: "PUT",
        body: {
          tenant,
          profileRule: rule.trim(),
          restrictedDomains: domains
            .split(/[\s,]+/)
            .map((d) => d.trim())
            .filter((d) => d !== ""),
          provisionEnable: provision,
        },
      }),
    onSuccess: (saved) => {
      notifications.show({ color: "green", message: `Profile ${saved.name} saved` });
      void client.invalidateQueries({ queryKey: ["redirect", "profiles"] });
      props.onClose();
    },
  });
  return (
    <FormModal
      opened
      onClose={props.onClose}
      title={p === null ? "New redirect profile" : `Profile ${p.name}`}
      onSubmit={() => save.mutate()}
      submitLabel="Save"
      submitting={save.isPending}
      error={save.error}
      errorTitle="Not saved"
    >
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        disabled={p !== null}
        required
      />
      <TextInput
        label="Profile rule"
        description="Your provisioning server's URL for the unit, e.g. https://prov.example.com/profile/$MA.xml"
        value={rule}
        onChange={(e) => setRule(e.currentTarget.value)}
        required
      />
      <TextInput
        label="Restricted domains"
        description="Up to five; the unit then talks only to hosts in them"
        value={domains}
        onChange={(e) => setDomains(e.currentTarget.value)}
      />
      <Checkbox
        label="Provisioning enabled on the unit"
        checked={provision}
        onChange={(e) => setProvision(e.currentTarget.checked)}
      />
    </FormModal>
  );
}
