/** Upgrade policies: which version a tenant's (model's, group's) units run, and the path there. */
import {
  Badge,
  Button,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { Model } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  ErrorAlert,
  FormModal,
  QueryView,
} from "../../components/index.ts";
import { firmwareKeys, listImages, listPolicies, type UpgradePolicy } from "./model.ts";

export function PoliciesTab() {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const writer = canWrite(usePrincipal());
  const [editing, setEditing] = useState(false);
  const policies = useQuery({
    queryKey: firmwareKeys.policies(tenant),
    queryFn: () => listPolicies(tenant),
  });
  const remove = useMutation({
    mutationFn: (p: UpgradePolicy) =>
      api(`/api/v1/upgrade-policies/${encodeURIComponent(p.id)}`, { method: "DELETE" }),
    onSuccess: (_r, p) => {
      notifications.show({ color: "green", message: `Policy ${p.name} removed` });
      void client.invalidateQueries({ queryKey: ["firmware"] });
    },
  });
  return (
    <Stack>
      {writer ? (
        <Group justify="flex-end">
          <Button onClick={() => setEditing(true)}>New policy</Button>
        </Group>
      ) : null}
      {remove.isError ? <ErrorAlert error={remove.error} title="Not removed" /> : null}
      <QueryView
        query={policies}
        loading={{ rows: 3, label: "Loading policies" }}
        empty={
          <EmptyState title="No upgrade policies">
            A policy names the version units should run (for the whole tenant, one model or one
            group) and the versions they must pass through on the way.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Applies to</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Through</Table.Th>
                <Table.Th>Download</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    {p.name}{" "}
                    {p.staged ? (
                      <Badge size="xs" variant="light">
                        staged
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    {p.model ?? (p.group === null ? "every unit" : `group ${p.group}`)}
                  </Table.Td>
                  <Table.Td>{p.target}</Table.Td>
                  <Table.Td>
                    {p.intermediates.length === 0 ? "—" : p.intermediates.join(" → ")}
                  </Table.Td>
                  <Table.Td>{p.scheme}</Table.Td>
                  <Table.Td>
                    {writer ? (
                      <ConfirmButton
                        title={`Remove policy ${p.name} and its rollouts?`}
                        message="Its rollouts go with it; units keep the version they run."
                        confirmLabel="Remove"
                        onConfirm={() => remove.mutate(p)}
                      >
                        Remove
                      </ConfirmButton>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      <PolicyForm opened={editing} onClose={() => setEditing(false)} />
    </Stack>
  );
}

function list(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function PolicyForm(props: { opened: boolean; onClose(): void }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const models = useQuery({
    queryKey: ["models"],
    queryFn: () => api<{ items: Model[] }>("/api/v1/models").then((b) => b.items),
    enabled: props.opened,
  });
  const images = useQuery({
    queryKey: firmwareKeys.images(tenant),
    queryFn: () => listImages(tenant),
    enabled: props.opened,
  });
  const [name, setName] = useState("");
  const [model, setModel] = useState<string | null>(null);
  const [target, setTarget] = useState("");
  const [through, setThrough] = useState("");
  const [scheme, setScheme] = useState<string | null>("http");
  const [staged, setStaged] = useState(true);
  const versions = [...new Set((images.data ?? []).map((i) => i.version))];
  const save = useMutation({
    mutationFn: () =>
      api<UpgradePolicy>("/api/v1/upgrade-policies", {
        method: "PUT",
        body: {
          tenant,
          name: name.trim(),
          model,
          target: target.trim(),
          intermediates: list(through),
          ...(scheme === null ? {} : { scheme }),
          staged,
        },
      }),
    onSuccess: (p) => {
      notifications.show({ color: "green", message: `Policy ${p.name} saved` });
      void client.invalidateQueries({ queryKey: ["firmware"] });
      props.onClose();
    },
  });
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title="Upgrade policy"
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
        required
      />
      <Select
        label="Model"
        description="Leave empty for every model of the tenant"
        clearable
        searchable
        data={(models.data ?? []).map((m) => m.pn)}
        value={model}
        onChange={setModel}
      />
      <TextInput
        label="Target version"
        description={
          versions.length === 0 ? "Upload its image first" : `Uploaded: ${versions.join(", ")}`
        }
        value={target}
        onChange={(e) => setTarget(e.currentTarget.value)}
        required
      />
      <TextInput
        label="Through versions"
        description="Versions a unit must pass on the way, comma-separated (may be empty)"
        value={through}
        onChange={(e) => setThrough(e.currentTarget.value)}
      />
      <Select
        label="Download over"
        data={["http", "https", "tftp"]}
        value={scheme}
        onChange={setScheme}
        allowDeselect={false}
      />
      <Checkbox
        label="Staged: offer nothing until a rollout admits the unit"
        checked={staged}
        onChange={(e) => setStaged(e.currentTarget.checked)}
      />
      <Text size="xs" c="dimmed">
        Saving a policy with an existing name replaces it.
      </Text>
    </FormModal>
  );
}
