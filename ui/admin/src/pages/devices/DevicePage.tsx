/**
 * One device: who it is (account and group by name), where it is in its provisioning life and
 * what it last did; its effective configuration with each value's origin; its latest report
 * and drift; its resync history; and what an operator may do to it.
 */
import { Anchor, Badge, Button, Card, SimpleGrid, Table, Tabs, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { ApiError, api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { Device } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  EmptyState,
  ErrorAlert,
  formatAgo,
  formatDateTime,
  formatMac,
  Loading,
  PageHeader,
} from "../../components/index.ts";
import { DeviceActions } from "./DeviceActions.tsx";
import type { SecureKeys } from "./device_types.ts";
import { EffectiveConfigPanel } from "./EffectiveConfigPanel.tsx";
import { HistoryPanel } from "./HistoryPanel.tsx";
import { useAccount, useGroup } from "./names.ts";
import type { LayerNames } from "./provenance.ts";
import { ReportPanel } from "./ReportPanel.tsx";

export function useDevice(mac: string) {
  return useQuery({
    queryKey: ["devices", "one", mac],
    queryFn: () => api<Device>(`/api/v1/devices/${encodeURIComponent(mac)}`),
  });
}

export function DevicePage() {
  const mac = useParams().mac ?? "";
  const device = useDevice(mac);
  if (device.isPending) {
    return (
      <>
        <PageHeader title={formatMac(mac)} description="Device" />
        <Loading rows={6} height={48} label="Loading device" />
      </>
    );
  }
  if (device.isError) {
    if (device.error instanceof ApiError && device.error.status === 404) {
      return (
        <EmptyState
          title={`No device ${formatMac(mac)}`}
          action={
            <Button component={Link} to="/devices" variant="light">
              Back to the devices
            </Button>
          }
        >
          It was deleted, or it belongs to another tenant.
        </EmptyState>
      );
    }
    return <ErrorAlert error={device.error} title="The device could not be loaded" />;
  }
  return <DeviceView device={device.data} />;
}

function DeviceView(props: { device: Device }) {
  const d = props.device;
  const principal = usePrincipal();
  const tenant = useTenant();
  const account = useAccount(d.accountId);
  const group = useGroup(d.groupId);
  // The device's keys, from the list that starts at it (a 404 probe would log a console error).
  const keys = useQuery({
    queryKey: ["devices", "one", d.mac, "secure-provisioning"],
    queryFn: async () => {
      const before = Number.parseInt(d.mac, 16) - 1;
      const list = await api<(SecureKeys & { mac: string })[]>(
        "/api/v1/secure-provisioning/devices",
        {
          query: {
            tenant: d.tenantId,
            limit: 1,
            after: before < 0 ? undefined : before.toString(16).padStart(12, "0"),
          },
        },
      );
      return list[0]?.mac === d.mac ? list[0] : null;
    },
  });
  const names: LayerNames = {
    tenant: tenant.tenants.find((t) => t.id === d.tenantId)?.name,
    account: account.data?.reference,
    group: group.data?.name,
  };
  return (
    <>
      <PageHeader
        title={formatMac(d.mac)}
        description={[d.label, d.model].filter((x) => x !== null).join(" · ") || "Device"}
        actions={
          canWrite(principal) ? (
            <DeviceActions device={d} secureKeys={keys.data ?? null} />
          ) : undefined
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="lg">
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Identity
          </Title>
          <Facts>
            <Fact name="MAC address">
              <Text ff="monospace" size="sm">
                {formatMac(d.mac)}
              </Text>
            </Fact>
            <Fact name="Model">{d.model ?? "not known yet"}</Fact>
            <Fact name="Serial number">{d.serial ?? "—"}</Fact>
            <Fact name="Label">{d.label ?? "—"}</Fact>
            <Fact name="Account">
              {d.accountId === null ? (
                "—"
              ) : (
                <Anchor component={Link} to={`/accounts/${d.accountId}`}>
                  {account.data === undefined
                    ? "…"
                    : `${account.data.reference}${account.data.name === null ? "" : ` — ${account.data.name}`}`}
                </Anchor>
              )}
            </Fact>
            <Fact name="Group">
              {d.groupId === null ? (
                "—"
              ) : (
                <Anchor
                  component={Link}
                  to={`/devices?group=${encodeURIComponent(group.data?.name ?? d.groupId)}`}
                >
                  {group.data?.name ?? "…"}
                </Anchor>
              )}
            </Fact>
            <Fact name="State">
              {d.state === "disabled" ? <Badge color="gray">disabled</Badge> : d.state}
            </Fact>
            <Fact name="Profile encryption">{d.encryption ?? "tenant default"}</Fact>
          </Facts>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Provisioning
          </Title>
          <Facts>
            <Fact name="Lifecycle">
              {d.lifecycle === null ? (
                "never seen by the server"
              ) : (
                <>
                  <Badge variant="outline">{d.lifecycle.state}</Badge>{" "}
                  <Text span size="sm">
                    since {formatDateTime(d.lifecycle.since)}
                  </Text>
                </>
              )}
            </Fact>
            {d.lifecycle?.cause == null ? null : <Fact name="Shown by">{d.lifecycle.cause}</Fact>}
            <Fact name="Last resync">
              {d.status === null
                ? "never"
                : `${formatAgo(d.status.at)} (${formatDateTime(d.status.at)}) — ${d.status.result}`}
            </Fact>
            <Fact name="From">
              {d.status?.remoteAddress == null
                ? "—"
                : `${d.status.remoteAddress}${d.status.transport === null ? "" : ` over ${d.status.transport}`}`}
            </Fact>
            <Fact name="Firmware">{d.status?.firmware ?? "—"}</Fact>
            <Fact name="User agent">{d.status?.userAgent ?? "—"}</Fact>
            <Fact name="Secure provisioning">
              {keys.data == null
                ? "no device key"
                : `${keys.data.state}, key ${keys.data.generation}${keys.data.rotatedAt === null ? "" : `, rotated ${formatAgo(keys.data.rotatedAt)}`}`}
            </Fact>
          </Facts>
        </Card>
      </SimpleGrid>
      <Tabs defaultValue="config" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="config">Effective configuration</Tabs.Tab>
          <Tabs.Tab value="report">Report and drift</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="config">
          <EffectiveConfigPanel mac={d.mac} names={names} />
        </Tabs.Panel>
        <Tabs.Panel value="report">
          <ReportPanel mac={d.mac} names={names} />
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <HistoryPanel mac={d.mac} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function Facts(props: { children: ReactNode }) {
  return (
    <Table variant="vertical" layout="fixed" withRowBorders={false} verticalSpacing={4}>
      <Table.Tbody>{props.children}</Table.Tbody>
    </Table>
  );
}

function Fact(props: { name: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={160} fw={500}>
        {props.name}
      </Table.Th>
      <Table.Td>{props.children}</Table.Td>
    </Table.Tr>
  );
}
