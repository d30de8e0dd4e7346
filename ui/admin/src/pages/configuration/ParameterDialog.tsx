/**
 * Adding or changing one parameter of a layer: the name with autocomplete from the model's
 * catalogue, the value (masked for secrets), the user access tag; the server checks the
 * parameter as it is typed and its message shows under the field it concerns.
 */
import {
  Anchor,
  Autocomplete,
  Button,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type FormEvent, useEffect, useState } from "react";
import {
  type Access,
  type CatalogueEntry,
  type ParameterEdit,
  useCatalogue,
  useVerdict,
} from "./editor_api.ts";

const ACCESS_OPTIONS = [
  { value: "", label: "Not set (the model's default)" },
  { value: "na", label: "na — hidden on the device's web page" },
  { value: "ro", label: "ro — shown, read-only" },
  { value: "rw", label: "rw — the user may change it" },
];

/** What the dialog starts from: a parameter of the layer, or nothing (a new one). */
export interface DialogStart {
  readonly name: string;
  readonly value: string | null;
  readonly access: Access | null;
  readonly secret: boolean;
  /** A secret whose value the server withheld (not an admin). */
  readonly withheld: boolean;
}

function facts(entry: CatalogueEntry | undefined): string | undefined {
  if (entry === undefined) return undefined;
  const parts = [entry.label === entry.name ? null : entry.label, entry.group, entry.type];
  if (entry.values !== undefined) parts.push(`one of ${entry.values.join(", ")}`);
  if (entry.min !== undefined || entry.max !== undefined) {
    parts.push(`${entry.min ?? "…"}–${entry.max ?? "…"}`);
  }
  if (entry.default !== null && !entry.secret)
    parts.push(`default ${JSON.stringify(entry.default)}`);
  return parts.filter((p) => p !== null && p !== "").join(" · ");
}

export function ParameterDialog(props: {
  opened: boolean;
  start: DialogStart | null;
  /** The model the layer is checked against (null: every model's). */
  model: string | null;
  /** The model whose catalogue suggests names. */
  catalogueModel: string | null;
  allowUnknown: boolean;
  /** Names already in the layer (a new parameter with one of them edits it instead). */
  existing: readonly string[];
  onClose: () => void;
  onSubmit: (edit: ParameterEdit) => void;
}) {
  const { start } = props;
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [hasValue, setHasValue] = useState(true);
  const [access, setAccess] = useState<string>("");
  useEffect(() => {
    if (!props.opened) return;
    setName(start?.name ?? "");
    setValue(start?.value ?? "");
    setHasValue(start === null || start.value !== null || start.withheld);
    setAccess(start?.access ?? "");
  }, [props.opened, start]);

  const [debouncedName] = useDebouncedValue(name, 200);
  const catalogue = useCatalogue(props.catalogueModel, debouncedName.trim());
  const entries = catalogue.data ?? [];
  const entry = entries.find((e) => e.name.toLowerCase() === name.trim().toLowerCase());
  const secret = start?.secret === true || entry?.secret === true;

  const edit: ParameterEdit | null =
    name.trim() === ""
      ? null
      : {
          name: name.trim(),
          value: hasValue ? value : null,
          access: access === "" ? null : (access as Access),
        };
  const [debouncedEdit] = useDebouncedValue(edit, 300);
  const verdict = useVerdict(props.model, props.allowUnknown, debouncedEdit);
  const current = verdict.data;
  const settled = JSON.stringify(debouncedEdit) === JSON.stringify(edit) && !verdict.isFetching;
  const refused = current !== undefined && !current.ok ? current : null;
  const refusedCode = refused?.code ?? "";
  const nameProblem =
    refused !== null && /PARAMETER|NAME/.test(refusedCode) && !/VALUE/.test(refusedCode);
  const missingValue = !hasValue && access === "";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (edit === null || missingValue) return;
    props.onSubmit(
      current?.ok === true && settled && current.name !== undefined
        ? { ...edit, name: current.name }
        : edit,
    );
  };

  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={start === null ? "Add a parameter" : `Change ${start.name}`}
      size="lg"
    >
      <form onSubmit={submit}>
        <Stack>
          <Autocomplete
            label="Parameter"
            placeholder="Start typing a name, e.g. Resync_Periodic or Proxy[1]"
            value={name}
            onChange={setName}
            disabled={start !== null}
            data={entries.map((e) => e.name)}
            filter={({ options }) => options}
            limit={50}
            maxDropdownHeight={280}
            description={facts(entry)}
            error={nameProblem ? refused?.message : undefined}
            required
            data-autofocus
          />
          {nameProblem && refused?.suggestions !== undefined && refused.suggestions.length > 0 ? (
            <Text size="sm">
              Did you mean{" "}
              {refused.suggestions.slice(0, 5).map((s, i) => (
                <span key={s}>
                  {i > 0 ? ", " : ""}
                  <Anchor component="button" type="button" onClick={() => setName(s)}>
                    {s}
                  </Anchor>
                </span>
              ))}
              ?
            </Text>
          ) : null}
          <Switch
            label="Set a value (off: only the access tag)"
            checked={hasValue}
            onChange={(e) => setHasValue(e.currentTarget.checked)}
          />
          {hasValue ? (
            secret ? (
              <PasswordInput
                label="Value"
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                autoComplete="new-password"
                description={
                  start?.withheld === true
                    ? "A secret: its value is hidden; enter it again to change this parameter."
                    : "A secret: shown to admins only."
                }
                error={!nameProblem ? refused?.message : undefined}
              />
            ) : (
              <TextInput
                label="Value"
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                description="Templates such as $MA or {{ account.line1.user_id }} are allowed where the server accepts them."
                error={!nameProblem ? refused?.message : undefined}
                styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
              />
            )
          ) : null}
          <Select
            label="User access (ua)"
            data={ACCESS_OPTIONS}
            value={access}
            onChange={(v) => setAccess(v ?? "")}
            allowDeselect={false}
            error={missingValue ? "Set a value, an access tag, or both" : undefined}
          />
          {current?.ok === true && (current.warnings ?? []).length > 0 ? (
            <Text size="sm" c="orange.9">
              {(current.warnings ?? []).join(" ")}
            </Text>
          ) : null}
          <Group justify="space-between">
            <Text size="sm" c="dimmed" aria-live="polite">
              {edit === null
                ? ""
                : !settled
                  ? "Checking…"
                  : current?.ok === true
                    ? "The server accepts this parameter."
                    : ""}
            </Text>
            <Group>
              <Button variant="default" onClick={props.onClose}>
                Cancel
              </Button>
              <Button type="submit" disabled={edit === null || refused !== null || missingValue}>
                {start === null && !props.existing.includes(edit?.name ?? "")
                  ? "Add to changes"
                  : "Update in changes"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
