/** The audit log: every change, who made it, and what it was before and after. */
import {
  Badge,
  Button,
  Code,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { useSearchParams } from "react-router";
import { api, type Page } from "../../api/client.ts";
import type { AuditEntry, Token } from "../../api/types.ts";
import { EmptyState, formatDateTime, PageHeader, QueryView } from "../../components/index.ts";

interface Named {
  readonly id: string;
  readonly name?: string;
  readonly username?: string;
}

/** `token:<id>` and `user:<id>` as the names operators gave them; anything else as it is. */
function useActorNames(): (actor: string) => string {
  const tokens = useQuery({
    queryKey: ["tokens"],
    queryFn: () =>
      api<{ items: Token[] }>("/api/v1/tokens").then((b) => b.items as readonly Named[]),
    retry: false,
  });
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => api<{ items: Named[] }>("/api/v1/users").then((b) => b.items),
    retry: false,
  });
  return (actor) => {
    const [kind, id] = actor.split(":", 2);
    const pool = kind === "token" ? tokens.data : kind === "user" ? users.data : undefined;
    const found = pool?.find((p) => p.id === id);
    const name = found?.name ?? found?.username;
    return name === undefined ? actor : `${name} (${kind})`;
  };
}

/** The top-level fields that differ between before and after. */
function changedFields(before: unknown, after: unknown): string[] {
  const b =
    before !== null && typeof before === "object" ? (before as Record<string, unknown>) : {};
  const a = after !== null && typeof after === "object" ? (after as Record<string, unknown>) : {};
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]),
  );
}

function json(value: unknown): string {
  return value === null || value === undefined ? "—" : JSON.stringify(value, null, 2);
}

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const [entity, setEntity] = useState(params.get("entity") ?? "");
  const [actor, setActor] = useState(params.get("actor") ?? "");
  const [key, setKey] = useState(params.get("key") ?? "");
  const [filters] = useDebouncedValue(
    { entity: entity.trim(), actor: actor.trim(), key: key.trim() },
    300,
  );
  const [open, setOpen] = useState<number | null>(null);
  const nameOf = useActorNames();
  const log = useInfiniteQuery({
    queryKey: ["audit", filters],
    queryFn: ({ pageParam }) =>
      api<Page<AuditEntry>>("/api/v1/audit", {
        query: { ...filters, after: pageParam, limit: 50 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const update = (name: string, value: string, set: (v: string) => void) => {
    set(value);
    const next = new URLSearchParams(params);
    if (value.trim() === "") next.delete(name);
    else next.set(name, value.trim());
    setParams(next, { replace: true });
  };
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack>
      <PageHeader
        title="Audit log"
        description="Every change made through the UI, the API or the CLI, newest first; secrets are redacted."
      />
      <Group grow align="flex-end">
        <TextInput
          label="Record type"
          placeholder="device, layer, tenant…"
          value={entity}
          onChange={(e) => update("entity", e.currentTarget.value, setEntity)}
        />
        <TextInput
          label="Record"
          placeholder="a MAC, an id…"
          value={key}
          onChange={(e) => update("key", e.currentTarget.value, setKey)}
        />
        <TextInput
          label="Actor"
          placeholder="token:…, user:…, cli:…"
          value={actor}
          onChange={(e) => update("actor", e.currentTarget.value, setActor)}
        />
      </Group>
      <QueryView
        query={log}
        loading={{ rows: 8, label: "Loading the audit log" }}
        isEmpty={() => entries.length === 0}
        empty={
          <EmptyState title="Nothing recorded">
            {filters.entity || filters.actor || filters.key
              ? "No change matches these filters."
              : "Changes appear here as soon as anyone makes one."}
          </EmptyState>
        }
      >
        {() => (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Record</Table.Th>
                <Table.Th>Changed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => {
                const changed = changedFields(entry.before, entry.after);
                const expanded = open === entry.id;
                return (
                  <Fragment key={entry.id}>
                    <Table.Tr>
                      <Table.Td>{formatDateTime(entry.at)}</Table.Td>
                      <Table.Td>{nameOf(entry.actor)}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color="gray">
                          {entry.action}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {entry.entity} {entry.key === null ? "" : <Code>{entry.key}</Code>}
                      </Table.Td>
                      <Table.Td>
                        <UnstyledButton
                          onClick={() => setOpen(expanded ? null : entry.id)}
                          aria-expanded={expanded}
                        >
                          <Text size="sm" c="indigo.8" td="underline">
                            {changed.length === 0 ? "details" : changed.slice(0, 4).join(", ")}
                            {changed.length > 4 ? ` +${changed.length - 4}` : ""}
                          </Text>
                        </UnstyledButton>
                      </Table.Td>
                    </Table.Tr>
                    <Table.Tr style={{ display: expanded ? undefined : "none" }}>
                      <Table.Td colSpan={5}>
                        <Group grow align="flex-start">
                          <Stack gap={2}>
                            <Text size="xs" fw={600}>
                              Before
                            </Text>
                            <Code block>{json(entry.before)}</Code>
                          </Stack>
                          <Stack gap={2}>
                            <Text size="xs" fw={600}>
                              After
                            </Text>
                            <Code block>{json(entry.after)}</Code>
                          </Stack>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  </Fragment>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      {log.hasNextPage ? (
        <Group justify="center">
          <Button
            variant="default"
            onClick={() => void log.fetchNextPage()}
            loading={log.isFetchingNextPage}
          >
            Older changes
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
