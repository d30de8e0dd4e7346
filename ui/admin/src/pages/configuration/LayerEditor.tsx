/**
 * One layer's parameters with the operator's unsaved changes over them: add, change and
 * remove parameters, preview which devices the changes reach, then save them in one PATCH.
 */
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import type { Layer } from "../../api/types.ts";
import { EmptyState, ErrorAlert, formatCount, formatMac, Loading } from "../../components/index.ts";
import {
  type Access,
  type ChangePreview,
  type ParameterEdit,
  type PreviewTarget,
  previewChange,
  saveChange,
  useLayer,
} from "./editor_api.ts";
import { type DialogStart, ParameterDialog } from "./ParameterDialog.tsx";

type Draft = ReadonlyMap<string, ParameterEdit | "removed">;
type Row = Layer["parameters"][number] & {
  readonly change: "added" | "changed" | "removed" | null;
};

const MASK = "••••••••";

function rowsOf(layer: Layer, draft: Draft): Row[] {
  const rows: Row[] = layer.parameters.map((p) => {
    const d = draft.get(p.name);
    if (d === undefined) return { ...p, change: null };
    if (d === "removed") return { ...p, change: "removed" };
    return { ...p, value: d.value, access: d.access, change: "changed" };
  });
  for (const [name, d] of draft) {
    if (d !== "removed" && !layer.parameters.some((p) => p.name === name)) {
      rows.push({ name, value: d.value, access: d.access, secret: false, change: "added" });
    }
  }
  return rows;
}

function changesOf(draft: Draft): { set: ParameterEdit[]; unset: string[] } {
  const set: ParameterEdit[] = [];
  const unset: string[] = [];
  for (const [name, d] of draft) {
    if (d === "removed") unset.push(name);
    else set.push(d);
  }
  return { set, unset };
}

const CHANGE_COLOR = { added: "teal.9", changed: "blue.9", removed: "red.9" } as const;

export function LayerEditor(props: {
  path: string;
  title: string;
  /** The model whose parameters the layer is checked against; null: every model's. */
  model: string | null;
  /** The model whose catalogue suggests names (the layer's, else one the operator picked). */
  catalogueModel: string | null;
  /** The tenant keeps names the catalogue does not know. */
  allowUnknown: boolean;
  canWrite: boolean;
  /** The layer as the preview names it; null: no preview (the staging layer). */
  preview: PreviewTarget | null;
}) {
  const client = useQueryClient();
  const layer = useLayer(props.path);
  const [draft, setDraft] = useState<Draft>(new Map());
  const [dialog, setDialog] = useState<DialogStart | null | undefined>(undefined);
  const [preview, setPreview] = useState<ChangePreview | null>(null);

  const changes = changesOf(draft);
  const count = changes.set.length + changes.unset.length;

  const previewing = useMutation({
    mutationFn: () =>
      props.preview === null
        ? Promise.reject(new Error("no preview for this layer"))
        : previewChange(props.preview, changes.set, changes.unset),
    onSuccess: setPreview,
  });
  const saving = useMutation({
    mutationFn: () => saveChange(props.path, changes.set, changes.unset),
    onSuccess: (saved) => {
      client.setQueryData(["layer", props.path], saved);
      void client.invalidateQueries({ queryKey: ["layer"] });
      void client.invalidateQueries({ queryKey: ["devices"] });
      setDraft(new Map());
      setPreview(null);
      previewing.reset();
      notifications.show({
        color: "teal",
        title: "Layer saved",
        message: `${props.title}: ${count} ${count === 1 ? "change" : "changes"} saved (version ${saved.version}).${
          saved.warnings === undefined ? "" : ` ${saved.warnings.join(" ")}`
        }`,
      });
    },
  });

  const change = (next: (d: Map<string, ParameterEdit | "removed">) => void) => {
    const copy = new Map(draft);
    next(copy);
    setDraft(copy);
    setPreview(null);
    previewing.reset();
    saving.reset();
  };

  if (layer.isPending) return <Loading rows={6} label="Loading the layer" />;
  if (layer.isError) return <ErrorAlert error={layer.error} title="The layer cannot be read" />;
  const rows = rowsOf(layer.data, draft);
  const names = rows.map((r) => r.name);

  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {layer.data.version === 0
            ? "This layer sets nothing yet."
            : `${layer.data.parameters.length} ${layer.data.parameters.length === 1 ? "parameter" : "parameters"} · version ${layer.data.version}`}
        </Text>
        {props.canWrite ? <Button onClick={() => setDialog(null)}>Add parameter</Button> : null}
      </Group>
      {rows.length === 0 ? (
        <EmptyState title="No parameters in this layer">
          {props.canWrite
            ? "Add a parameter to set it for every device this layer reaches; stronger layers (group, account, device) still win."
            : "Nothing is set here; the weaker layers and the model's defaults apply."}
        </EmptyState>
      ) : (
        <Table striped highlightOnHover aria-label={`Parameters of ${props.title}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Parameter</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>User access</Table.Th>
              <Table.Th>Change</Table.Th>
              {props.canWrite ? (
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.name}>
                <Table.Td>
                  <Code>{row.name}</Code>
                </Table.Td>
                <Table.Td style={{ maxWidth: 420, overflowWrap: "anywhere" }}>
                  {row.secret && row.change !== "added" ? (
                    <Text span c="dimmed" aria-label="secret value, hidden">
                      {MASK}
                    </Text>
                  ) : row.value === null ? (
                    <Text span c="dimmed" size="sm">
                      access only
                    </Text>
                  ) : (
                    <Code>{row.value === "" ? '""' : row.value}</Code>
                  )}
                </Table.Td>
                <Table.Td>
                  {row.access === null ? (
                    <Text span c="dimmed" size="sm">
                      unset
                    </Text>
                  ) : (
                    <Badge variant="light" color="gray">
                      {row.access}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {row.change === null ? null : (
                    <Badge color={CHANGE_COLOR[row.change]} variant="filled">
                      {row.change}
                    </Badge>
                  )}
                </Table.Td>
                {props.canWrite ? (
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      {row.change === null ? (
                        <>
                          <Button
                            size="xs"
                            variant="subtle"
                            aria-label={`Change ${row.name}`}
                            onClick={() =>
                              setDialog({
                                name: row.name,
                                value: row.value,
                                access: row.access as Access | null,
                                secret: row.secret,
                                withheld: row.secret && row.value === null,
                              })
                            }
                          >
                            Change
                          </Button>
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            aria-label={`Remove ${row.name}`}
                            onClick={() => change((d) => d.set(row.name, "removed"))}
                          >
                            Remove
                          </Button>
                        </>
                      ) : (
                        <Button
                          size="xs"
                          variant="subtle"
                          aria-label={`Undo the change of ${row.name}`}
                          onClick={() => change((d) => d.delete(row.name))}
                        >
                          Undo
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {count > 0 ? (
        <Paper withBorder p="md" radius="md" aria-label="Unsaved changes" component="section">
          <Stack gap="sm">
            <Group justify="space-between">
              <Text fw={600}>
                {count} unsaved {count === 1 ? "change" : "changes"}
              </Text>
              <Group gap="sm">
                <Button variant="default" onClick={() => change((d) => d.clear())}>
                  Discard
                </Button>
                {props.preview !== null ? (
                  <Button
                    variant="default"
                    loading={previewing.isPending}
                    onClick={() => previewing.mutate()}
                  >
                    Preview affected devices
                  </Button>
                ) : null}
                <Button loading={saving.isPending} onClick={() => saving.mutate()}>
                  Save changes
                </Button>
              </Group>
            </Group>
            {previewing.isError ? (
              <ErrorAlert error={previewing.error} title="The preview failed" />
            ) : null}
            {preview === null ? null : <PreviewResult preview={preview} />}
            {saving.isError ? <ErrorAlert error={saving.error} title="Not saved" /> : null}
          </Stack>
        </Paper>
      ) : null}
      <ParameterDialog
        opened={dialog !== undefined}
        start={dialog ?? null}
        model={props.model}
        catalogueModel={props.catalogueModel}
        allowUnknown={props.allowUnknown}
        existing={names}
        onClose={() => setDialog(undefined)}
        onSubmit={(edit) => {
          change((d) => d.set(edit.name, edit));
          setDialog(undefined);
        }}
      />
    </Stack>
  );
}

function PreviewResult(props: { preview: ChangePreview }) {
  const p = props.preview;
  const reach = `${formatCount(p.devices)}${p.devicesExact ? "" : "+"} ${p.devices === 1 ? "device" : "devices"}`;
  return (
    <Alert color={p.changed === 0 ? "gray" : "blue"} title="Preview" role="status">
      <Stack gap={4}>
        <Text size="sm" data-testid="preview-summary">
          {p.changed === 0
            ? `No device gets a different effective value (this layer reaches ${reach}).`
            : `${formatCount(p.changed)} ${p.changed === 1 ? "device gets" : "devices get"} a different effective value (this layer reaches ${reach}${
                p.complete ? "" : `; the first ${formatCount(p.evaluated)} were checked`
              }).`}
        </Text>
        {p.parameters.some((x) => x.devices > 0) ? (
          <Text size="sm">
            {p.parameters
              .filter((x) => x.devices > 0)
              .map((x) => `${x.name}: ${formatCount(x.devices)}`)
              .join(" · ")}
          </Text>
        ) : null}
        {p.macs.length > 0 ? (
          <Group gap="xs">
            <Text size="sm">First:</Text>
            {p.macs.map((mac) => (
              <Anchor key={mac} component={Link} to={`/devices/${mac}`} size="sm" ff="monospace">
                {formatMac(mac)}
              </Anchor>
            ))}
          </Group>
        ) : null}
        {p.warnings.length > 0 ? <Text size="sm">{p.warnings.join(" ")}</Text> : null}
      </Stack>
    </Alert>
  );
}
