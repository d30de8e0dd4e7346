/** The tenant's accounts, searched on the server, a page at a time. */
import { Anchor, Badge, Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, type Page } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { Account } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import { EmptyState, formatDateTime, PageHeader, QueryView } from "../../components/index.ts";
import { AccountForm } from "./AccountForm.tsx";

const PAGE = 50;

export function AccountListPage() {
  const principal = usePrincipal();
  const { tenant } = useTenant();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 250);
  const [creating, setCreating] = useState(false);
  const accounts = useInfiniteQuery({
    queryKey: ["accounts", "list", tenant, q],
    queryFn: ({ pageParam, signal }) =>
      api<Page<Account>>("/api/v1/accounts", {
        query: { tenant, q, limit: PAGE, ...(pageParam === null ? {} : { after: pageParam }) },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    placeholderData: keepPreviousData,
  });
  const items = accounts.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <PageHeader
        title="Accounts"
        description="Service accounts and their SIP lines; a device on an account registers its lines."
        actions={
          canWrite(principal) ? (
            <Button onClick={() => setCreating(true)}>New account</Button>
          ) : undefined
        }
      />
      <TextInput
        label="Search accounts"
        placeholder="Reference, name or line user id"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={420}
      />
      <QueryView
        query={accounts}
        loading={{ rows: 8, label: "Loading accounts" }}
        errorTitle="The accounts cannot be listed"
        isEmpty={() => items.length === 0}
        empty={
          <EmptyState title={q === "" ? "No accounts yet" : "No account matches"}>
            {q === ""
              ? "Create an account for each customer or site, with its SIP lines; then attach devices to it."
              : "Try a shorter reference, part of the name, or a line's user id."}
          </EmptyState>
        }
      >
        {() => (
          <>
            <Table striped highlightOnHover aria-label="Accounts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Reference</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Lines</Table.Th>
                  <Table.Th>Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/accounts/${a.id}`}>
                        {a.reference}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {a.name ?? (
                        <Text span c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {a.lines.length === 0 ? (
                          <Text span c="dimmed" size="sm">
                            none
                          </Text>
                        ) : (
                          a.lines.map((l) => (
                            <Badge key={l.line} variant="light" color="gray" tt="none">
                              {l.line}: {l.userId}
                            </Badge>
                          ))
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{formatDateTime(a.updatedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {accounts.hasNextPage ? (
              <Group justify="center">
                <Button
                  variant="default"
                  loading={accounts.isFetchingNextPage}
                  onClick={() => void accounts.fetchNextPage()}
                >
                  Show more
                </Button>
              </Group>
            ) : null}
          </>
        )}
      </QueryView>
      <AccountForm
        opened={creating}
        onClose={() => setCreating(false)}
        tenant={tenant}
        onSaved={(account) => navigate(`/accounts/${account.id}`)}
      />
    </Stack>
  );
}
