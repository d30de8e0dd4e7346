/**
 * The effective configuration: every parameter the device is served, its value (secrets
 * masked), its `ua` access, and the layer that set each — what `layer show --effective` says.
 */
import { Alert, Badge, Group, Table, Text, TextInput, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client.ts";
import type { EffectiveConfig } from "../../api/types.ts";
import { EmptyState, ErrorAlert, Loading } from "../../components/index.ts";
import { type LayerNames, layerLabel } from "./provenance.ts";

export function EffectiveConfigPanel(props: { mac: string; names: LayerNames }) {
  const [filter, setFilter] = useState("");
  const config = useQuery({
    queryKey: ["devices", "one", props.mac, "config"],
    queryFn: () => api<EffectiveConfig>(`/api/v1/devices/${props.mac}/config`),
  });
  if (config.isPending) return <Loading rows={8} label="Loading the effective configuration" />;
  if (config.isError) return <ErrorAlert error={config.error} />;
  const needle = filter.trim().toLowerCase();
  const shown = config.data.parameters.filter(
    (p) =>
      needle === "" ||
      p.name.toLowerCase().includes(needle) ||
      (p.value ?? "").toLowerCase().includes(needle),
  );
  return (
    <>
      {config.data.warnings.map((w) => (
        <Alert key={w} mb="sm" title="Left out of the profile">
          {w}
        </Alert>
      ))}
      <Group justify="space-between" align="flex-end" mb="sm">
        <TextInput
          label="Filter parameters"
          placeholder="Name or value"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          w={320}
        />
        <Text size="sm" c="dimmed">
          Layers, weakest first:{" "}
          {config.data.layers.length === 0
            ? "none set"
            : config.data.layers.map((l) => layerLabel(l.key, props.names)).join(" < ")}
        </Text>
      </Group>
      {config.data.parameters.length === 0 ? (
        <EmptyState title="No parameter is set for this device">
          The device gets its factory defaults. Set values in a layer (tenant, model, group, account
          or this device) under Configuration.
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped aria-label="Effective configuration">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Parameter</Table.Th>
                <Table.Th>Value</Table.Th>
                <Table.Th>Access (ua)</Table.Th>
                <Table.Th>Set by</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((p) => (
                <Table.Tr key={p.name}>
                  <Table.Td ff="monospace">{p.name}</Table.Td>
                  <Table.Td style={{ wordBreak: "break-all" }}>
                    {p.secret ? (
                      <Group gap={6}>
                        <Text span aria-label="secret value, withheld">
                          ••••••••
                        </Text>
                        <Badge size="xs" color="gray" variant="outline">
                          secret
                        </Badge>
                      </Group>
                    ) : (
                      (p.value ?? (
                        <Text span c="dimmed">
                          (no value)
                        </Text>
                      ))
                    )}
                  </Table.Td>
                  <Table.Td>
                    {p.access}
                    {p.accessFrom !== p.valueFrom ? (
                      <Text span size="xs" c="dimmed">
                        {" "}
                        ({layerLabel(p.accessFrom, props.names)})
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Tooltip
                      label={`Also set by: ${p.setBy.map((k) => layerLabel(k, props.names)).join(", ")}`}
                      disabled={p.setBy.length < 2}
                    >
                      <Text span size="sm">
                        {layerLabel(p.valueFrom, props.names)}
                        {p.setBy.length > 1 ? ` (+${p.setBy.length - 1})` : ""}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {shown.length === 0 && config.data.parameters.length > 0 ? (
        <Text size="sm" c="dimmed" mt="sm">
          No parameter matches “{filter}”.
        </Text>
      ) : null}
    </>
  );
}
