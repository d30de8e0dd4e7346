/** The device's resync history: every request it made of the device plane, newest first. */
import { Table, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, type Page } from "../../api/client.ts";
import type { DeviceEvent } from "../../api/types.ts";
import { EmptyState, formatDateTime, QueryView } from "../../components/index.ts";
import { MoreButton } from "./MoreButton.tsx";

const PAGE = 25;

export function HistoryPanel(props: { mac: string }) {
  const events = useInfiniteQuery({
    queryKey: ["devices", "one", props.mac, "events"],
    queryFn: ({ pageParam }) =>
      api<Page<DeviceEvent>>("/api/v1/events", {
        query: { mac: props.mac, limit: PAGE, after: pageParam ?? undefined },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <QueryView
      query={events}
      loading={{ rows: 6, label: "Loading the history" }}
      isEmpty={() => items.length === 0}
      empty={
        <EmptyState title="No resync yet">
          The history fills as the unit asks for its profile or firmware. Point its Profile_Rule at
          this server, or run a resync from its web page.
        </EmptyState>
      }
    >
      {() => (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table striped aria-label="Resync history">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Result</Table.Th>
                  <Table.Th>Request</Table.Th>
                  <Table.Th>From</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{formatDateTime(e.at)}</Table.Td>
                    <Table.Td>
                      {e.result}
                      {e.statusCode === null ? "" : ` (${e.statusCode})`}
                    </Table.Td>
                    <Table.Td>
                      <Text span size="sm">
                        {e.transport.toUpperCase()} {e.path ?? ""}
                      </Text>
                    </Table.Td>
                    <Table.Td>{e.remoteAddress ?? "—"}</Table.Td>
                    <Table.Td>{e.message ?? e.userAgent ?? ""}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <MoreButton
            hasMore={events.hasNextPage}
            loading={events.isFetchingNextPage}
            onMore={() => events.fetchNextPage()}
            label="Show older"
          />
        </>
      )}
    </QueryView>
  );
}
