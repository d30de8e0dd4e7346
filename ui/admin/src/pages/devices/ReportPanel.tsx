/**
 * The latest configuration report the unit uploaded (Report_Rule) and its drift: values it
 * holds that differ from what the server sets, or that its user changed.
 */
import { Badge, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../../api/client.ts";
import {
  EmptyState,
  ErrorAlert,
  formatDateTime,
  Loading,
  QueryView,
} from "../../components/index.ts";
import type { DeviceDrift, DeviceReport } from "./device_types.ts";
import { type LayerNames, layerLabel } from "./provenance.ts";

const orNull = (error: unknown) => {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
};

export function ReportPanel(props: { mac: string; names: LayerNames }) {
  // The history first: asking for the latest report of a unit without one answers 404,
  // which the browser logs as a console error.
  const report = useQuery({
    queryKey: ["devices", "one", props.mac, "report"],
    queryFn: async () => {
      const history = await api<unknown[]>(`/api/v1/devices/${props.mac}/reports`, {
        query: { limit: 1 },
      });
      if (history.length === 0) return null;
      return api<DeviceReport>(`/api/v1/devices/${props.mac}/report`).catch(orNull);
    },
  });
  const drift = useQuery({
    queryKey: ["devices", "one", props.mac, "drift"],
    queryFn: () => api<DeviceDrift>(`/api/v1/devices/${props.mac}/drift`),
    enabled: report.data != null,
  });
  if (report.isPending) return <Loading rows={4} label="Loading the latest report" />;
  if (report.isError) return <ErrorAlert error={report.error} />;
  if (report.data === null) {
    return (
      <EmptyState title="No report yet">
        A unit uploads its configuration when its Report_Rule points at this server and it is asked
        to report (the Report action of a push, or its own schedule).
      </EmptyState>
    );
  }
  const r = report.data;
  return (
    <Stack>
      <Text size="sm">
        Latest {r.kind} report received {formatDateTime(r.receivedAt)}
        {r.remoteAddress === null ? "" : ` from ${r.remoteAddress}`}, {r.entries.length} parameters.
      </Text>
      <QueryView
        query={drift}
        loading={{ rows: 3, label: "Comparing with the effective configuration" }}
        isEmpty={(d) => d.items.length === 0}
        empty={(d) => (
          <EmptyState title="No drift">
            The {d.compared} parameters reported match what the server sets.
          </EmptyState>
        )}
      >
        {(d) => (
          <Table.ScrollContainer minWidth={800}>
            <Table striped aria-label="Drift">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Parameter</Table.Th>
                  <Table.Th>Finding</Table.Th>
                  <Table.Th>Server sets</Table.Th>
                  <Table.Th>Set by</Table.Th>
                  <Table.Th>Unit holds</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.items.map((item) => (
                  <Table.Tr key={item.name}>
                    <Table.Td ff="monospace">{item.name}</Table.Td>
                    <Table.Td>
                      <Badge variant="outline" color={item.kind === "differs" ? "red" : "gray"}>
                        {item.kind === "differs" ? "differs" : "changed on the device"}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{item.secret ? "••••••••" : (item.expected ?? "—")}</Table.Td>
                    <Table.Td>{layerLabel(item.expectedFrom, props.names)}</Table.Td>
                    <Table.Td>{item.secret ? "••••••••" : (item.reported ?? "—")}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </Stack>
  );
}
