/**
 * Creating or changing an account: its reference, name and SIP lines. Passwords are
 * write-only: a line that has one shows it as set, and keeps it unless a new one is typed.
 */
import {
  Button,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import type { Account } from "../../api/types.ts";
import { FormModal } from "../../components/index.ts";

interface LineDraft {
  /** Identifies the line's fields while its number is being edited. */
  key: number;
  line: number;
  userId: string;
  authId: string;
  password: string;
  hasPassword: boolean;
  displayName: string;
  proxy: string;
  outboundProxy: string;
  voicemailId: string;
  extras: Record<string, string>;
}

let keys = 0;

const blankLine = (line: number): LineDraft => ({
  key: ++keys,
  line,
  userId: "",
  authId: "",
  password: "",
  hasPassword: false,
  displayName: "",
  proxy: "",
  outboundProxy: "",
  voicemailId: "",
  extras: {},
});

function draftOf(line: Account["lines"][number]): LineDraft {
  return {
    key: ++keys,
    line: line.line,
    userId: line.userId,
    authId: line.authId ?? "",
    password: "",
    hasPassword: line.hasPassword,
    displayName: line.displayName ?? "",
    proxy: line.proxy ?? "",
    outboundProxy: line.outboundProxy ?? "",
    voicemailId: line.voicemailId ?? "",
    extras: line.extras,
  };
}

type TextField = {
  [K in keyof LineDraft]: LineDraft[K] extends string ? K : never;
}[keyof LineDraft];

const orNull = (text: string): string | null => (text.trim() === "" ? null : text.trim());

/** The API's AccountLineInput: an untouched password is left out, so the server keeps it. */
function lineInput(d: LineDraft) {
  return {
    line: d.line,
    userId: d.userId.trim(),
    authId: orNull(d.authId),
    ...(d.password === "" ? {} : { password: d.password }),
    displayName: orNull(d.displayName),
    proxy: orNull(d.proxy),
    outboundProxy: orNull(d.outboundProxy),
    voicemailId: orNull(d.voicemailId),
    extras: d.extras,
  };
}

export function AccountForm(props: {
  opened: boolean;
  onClose: () => void;
  tenant: string;
  /** The account to change; undefined to create one. */
  account?: Account;
  onSaved?: (account: Account) => void;
}) {
  const client = useQueryClient();
  const { account } = props;
  const [reference, setReference] = useState("");
  const [name, setName] = useState("");
  const [lines, setLines] = useState<LineDraft[]>([]);
  useEffect(() => {
    if (!props.opened) return;
    setReference(account?.reference ?? "");
    setName(account?.name ?? "");
    setLines(account === undefined ? [blankLine(1)] : account.lines.map(draftOf));
  }, [props.opened, account]);

  const save = useMutation({
    mutationFn: () => {
      const body = {
        reference: reference.trim(),
        name: orNull(name),
        lines: lines.map(lineInput),
      };
      return account === undefined
        ? api<Account>("/api/v1/accounts", {
            method: "POST",
            body: { tenant: props.tenant, ...body },
          })
        : api<Account>(`/api/v1/accounts/${account.id}`, { method: "PATCH", body });
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ["accounts"] });
      client.setQueryData(["account", saved.id], saved);
      notifications.show({
        color: "teal",
        title: account === undefined ? "Account created" : "Account saved",
        message: `${saved.reference}${saved.name === null ? "" : ` (${saved.name})`}`,
      });
      props.onSaved?.(saved);
      props.onClose();
    },
  });

  const update = (index: number, patch: Partial<LineDraft>) =>
    setLines((all) => all.map((l, i) => (i === index ? { ...l, ...patch } : l)));
  const nextLine = () => Math.max(0, ...lines.map((l) => l.line)) + 1;
  /** One text field of a line: its value, and the change that sets it. */
  const field = (index: number, line: LineDraft, key: TextField) => ({
    value: line[key],
    onChange: (event: { currentTarget: { value: string } }) =>
      update(index, { [key]: event.currentTarget.value }),
  });

  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={account === undefined ? "New account" : `Edit ${account.reference}`}
      size="xl"
      onSubmit={() => save.mutate()}
      submitLabel={account === undefined ? "Create account" : "Save account"}
      submitting={save.isPending}
      error={save.error}
      errorTitle="Not saved"
    >
      <SimpleGrid cols={2}>
        <TextInput
          label="Reference"
          description="Your customer or contract number; unique in the tenant"
          value={reference}
          onChange={(e) => setReference(e.currentTarget.value)}
          required
          maxLength={128}
          data-autofocus
        />
        <TextInput
          label="Name"
          description="Optional: the customer's name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          maxLength={255}
        />
      </SimpleGrid>
      <Group justify="space-between">
        <Text fw={600}>Lines</Text>
        <Button
          variant="default"
          size="xs"
          onClick={() => setLines((all) => [...all, blankLine(nextLine())])}
          disabled={lines.length >= 64}
        >
          Add line
        </Button>
      </Group>
      {lines.length === 0 ? (
        <Text size="sm" c="dimmed">
          No lines: the account's devices register nothing. Add a line with its SIP user id.
        </Text>
      ) : null}
      {lines.map((l, index) => (
        <Paper key={l.key} withBorder p="sm" component="fieldset" aria-label={`Line ${l.line}`}>
          <Stack gap="xs">
            <Group justify="space-between">
              <NumberInput
                label="Line number"
                min={1}
                max={64}
                w={120}
                value={l.line}
                onChange={(v) => update(index, { line: typeof v === "number" ? v : 1 })}
                required
              />
              <Button
                variant="subtle"
                color="red"
                size="xs"
                aria-label={`Remove line ${l.line}`}
                onClick={() => setLines((all) => all.filter((_, i) => i !== index))}
              >
                Remove line
              </Button>
            </Group>
            <SimpleGrid cols={3}>
              <TextInput label="User ID" {...field(index, l, "userId")} required maxLength={255} />
              <PasswordInput
                label="Password"
                autoComplete="new-password"
                placeholder={l.hasPassword ? "set — type to replace" : "not set"}
                {...field(index, l, "password")}
                maxLength={255}
              />
              <TextInput
                label="Auth ID"
                placeholder="the user id"
                {...field(index, l, "authId")}
                maxLength={255}
              />
              <TextInput label="Display name" {...field(index, l, "displayName")} maxLength={255} />
              <TextInput
                label="Proxy"
                placeholder="sip.example.com"
                {...field(index, l, "proxy")}
                maxLength={255}
              />
              <TextInput
                label="Outbound proxy"
                {...field(index, l, "outboundProxy")}
                maxLength={255}
              />
              <TextInput label="Voicemail ID" {...field(index, l, "voicemailId")} maxLength={128} />
            </SimpleGrid>
            {Object.keys(l.extras).length > 0 ? (
              <Text size="xs" c="dimmed">
                Also sets {Object.keys(l.extras).join(", ")} (kept as they are).
              </Text>
            ) : null}
          </Stack>
        </Paper>
      ))}
    </FormModal>
  );
}
