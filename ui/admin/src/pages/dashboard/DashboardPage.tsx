/**
 * The fleet at a glance: devices by provisioning state, resyncs and failures over time,
 * firmware versions, rollouts in progress and recent security events — refreshed every 15 s,
 * each card keeping its size while it loads or refreshes.
 */
import { BarChart } from "@mantine/charts";
import {
  Anchor,
  Button,
  Card,
  Grid,
  Group,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import type { ReactNode } from "react";
import { useState } from "react";
import { Link } from "react-router";
import { canWrite } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  EmptyState,
  ErrorAlert,
  formatAgo,
  formatCount,
  formatDateTime,
  formatMac,
  Loading,
  PageHeader,
} from "../../components/index.ts";
import type { Activity, Bucket, Summary } from "./dashboard_types.ts";
import { REFRESH_MS, useActivity, useSecurityEvents, useSummary } from "./queries.ts";

export function DashboardPage() {
  const { tenant } = useTenant();
  const summary = useSummary(tenant);
  const activity = useActivity(tenant);
  const empty = summary.data?.devices.total === 0;
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={`The fleet at a glance, refreshed every ${REFRESH_MS / 1000} seconds.`}
      />
      {summary.isError ? (
        <ErrorAlert error={summary.error} title="The summary could not be loaded" />
      ) : null}
      {empty ? <Welcome /> : null}
      <Totals summary={summary.data} activity={activity.data} />
      <Grid mt="md" gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <ActivityCard activity={activity.data} error={activity.error} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <StatesCard summary={summary.data} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6, lg: 4 }}>
          <FirmwareCard summary={summary.data} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6, lg: 4 }}>
          <RolloutsCard summary={summary.data} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <SecurityCard tenant={tenant} />
        </Grid.Col>
      </Grid>
    </>
  );
}

function Welcome() {
  const principal = usePrincipal();
  return (
    <EmptyState
      title="No devices yet"
      action={
        canWrite(principal) ? (
          <Button component={Link} to="/devices" variant="light">
            Import or add devices
          </Button>
        ) : undefined
      }
    >
      Import a shipment's MAC addresses from a CSV file under Devices, or point units' Profile_Rule
      at this server: the charts fill as they resync.
    </EmptyState>
  );
}

/** A card of fixed height, so a refresh or a first load does not move the page. */
function Panel(props: { title: string; height: number; children: ReactNode; action?: ReactNode }) {
  return (
    <Card withBorder h={props.height} component="section" aria-label={props.title}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={2} size="h4">
          {props.title}
        </Title>
        {props.action}
      </Group>
      <Card.Section inheritPadding style={{ flex: 1, overflow: "hidden" }}>
        {props.children}
      </Card.Section>
    </Card>
  );
}

const sum = (buckets: readonly Bucket[], key: "resyncs" | "failures" | "refusals") =>
  buckets.reduce((n, b) => n + b[key], 0);

function Totals(props: { summary: Summary | undefined; activity: Activity | undefined }) {
  const { summary, activity } = props;
  const stats: { label: string; value: number | undefined; to?: string }[] = [
    { label: "Devices", value: summary?.devices.total, to: "/devices" },
    { label: "Never seen", value: summary?.devices.neverSeen, to: "/devices?seen=never" },
    {
      label: "Resyncs, last 24 h",
      value: activity === undefined ? undefined : sum(activity.hours, "resyncs"),
    },
    {
      label: "Failures, last 24 h",
      value: activity === undefined ? undefined : sum(activity.hours, "failures"),
    },
    {
      label: "Refusals, last 24 h",
      value: activity === undefined ? undefined : sum(activity.hours, "refusals"),
    },
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} mt="md">
      {stats.map((s) => (
        <Card withBorder key={s.label} padding="md">
          <Text size="sm" c="dimmed">
            {s.label}
          </Text>
          {s.value === undefined ? (
            <Loading rows={1} height={32} label={`Loading ${s.label.toLowerCase()}`} />
          ) : s.to === undefined ? (
            <Text fz={26} fw={700} lh="32px">
              {formatCount(s.value)}
            </Text>
          ) : (
            <Anchor component={Link} to={s.to} fz={26} fw={700} lh="32px" display="block">
              {formatCount(s.value)}
            </Anchor>
          )}
        </Card>
      ))}
    </SimpleGrid>
  );
}

const hourLabel = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric" });

function ActivityCard(props: { activity: Activity | undefined; error: Error | null }) {
  const [range, setRange] = useState<"hours" | "days">("hours");
  const buckets = props.activity?.[range];
  const label = range === "hours" ? hourLabel : dayLabel;
  const data = (buckets ?? []).map((b) => ({
    at: label.format(new Date(b.start)),
    Resyncs: b.resyncs,
    Failures: b.failures,
    Refusals: b.refusals,
  }));
  const quiet = buckets?.every((b) => b.resyncs + b.failures + b.refusals === 0);
  return (
    <Panel
      title="Resyncs and failures"
      height={380}
      action={
        <SegmentedControl
          size="xs"
          aria-label="Period"
          value={range}
          onChange={(v) => setRange(v === "days" ? "days" : "hours")}
          data={[
            { value: "hours", label: "24 hours" },
            { value: "days", label: "7 days" },
          ]}
        />
      }
    >
      {props.error !== null && buckets === undefined ? (
        <ErrorAlert error={props.error} />
      ) : buckets === undefined ? (
        <Loading rows={1} height={290} label="Loading activity" />
      ) : quiet ? (
        <Stack h={290} justify="center" align="center" gap={4}>
          <Text fw={600}>
            No resyncs {range === "hours" ? "in the last 24 hours" : "this week"}
          </Text>
          <Text size="sm" c="dimmed" ta="center" maw={420}>
            Units appear here when they fetch a profile or firmware from this server.
          </Text>
        </Stack>
      ) : (
        <BarChart
          h={290}
          data={data}
          dataKey="at"
          type="stacked"
          withLegend
          legendProps={{ verticalAlign: "bottom", height: 40 }}
          tooltipAnimationDuration={0}
          barChartProps={{
            accessibilityLayer: true,
            title: "Resyncs, failures and refusals per period",
          }}
          series={[
            { name: "Resyncs", color: "teal.7" },
            { name: "Failures", color: "red.7" },
            { name: "Refusals", color: "orange.6" },
          ]}
        />
      )}
    </Panel>
  );
}

const LIFECYCLE_WORDS: Record<string, string> = {
  "MFG-RESET": "factory state",
  "SP-CUST": "provider's profile",
  "SEC-PRV-1": "secure, first key",
  "SEC-PRV-2": "secure, own key",
  none: "never seen",
};

function StatesCard(props: { summary: Summary | undefined }) {
  const s = props.summary;
  return (
    <Panel title="Devices by provisioning state" height={380}>
      {s === undefined ? (
        <Loading rows={5} height={40} label="Loading device states" />
      ) : (
        <CountTable
          caption="Devices by provisioning state"
          head="State"
          total={s.devices.total}
          rows={s.devices.byLifecycle.map((l) => ({
            key: l.state,
            label: (
              <>
                {l.state === "none" ? "Not seen" : l.state}{" "}
                <Text span size="xs" c="dimmed">
                  {l.state === "none" ? "" : LIFECYCLE_WORDS[l.state]}
                </Text>
              </>
            ),
            count: l.count,
            to: `/devices?lifecycle=${encodeURIComponent(l.state)}`,
          }))}
          footer={
            s.devices.byState.some((b) => b.state !== "active")
              ? s.devices.byState.map((b) => `${formatCount(b.count)} ${b.state}`).join(" · ")
              : undefined
          }
        />
      )}
    </Panel>
  );
}

interface CountRow {
  readonly key: string;
  readonly label: ReactNode;
  readonly count: number;
  readonly to: string;
}

/** Counts as a table: a linked count per row and a bar of its share. */
function CountTable(props: {
  caption: string;
  head: string;
  total: number;
  rows: readonly CountRow[];
  footer?: string | undefined;
}) {
  return (
    <>
      <Table verticalSpacing={6} aria-label={props.caption}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{props.head}</Table.Th>
            <Table.Th ta="right">Devices</Table.Th>
            <Table.Th w="35%">Share</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.rows.map((r) => {
            const share = props.total === 0 ? 0 : Math.round((r.count / props.total) * 100);
            return (
              <Table.Tr key={r.key}>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td ta="right">
                  {r.count === 0 ? (
                    "0"
                  ) : (
                    <Anchor component={Link} to={r.to}>
                      {formatCount(r.count)}
                    </Anchor>
                  )}
                </Table.Td>
                <Table.Td>
                  <Progress value={share} aria-label={`${share}%`} size="md" />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {props.footer === undefined ? null : (
        <Text size="sm" c="dimmed" mt="xs">
          {props.footer}
        </Text>
      )}
    </>
  );
}

function FirmwareCard(props: { summary: Summary | undefined }) {
  const s = props.summary;
  const reported = s?.firmware.filter((f) => f.version !== null) ?? [];
  return (
    <Panel title="Firmware in the fleet" height={320}>
      {s === undefined ? (
        <Loading rows={5} height={32} label="Loading firmware versions" />
      ) : reported.length === 0 ? (
        <Text size="sm" c="dimmed">
          No unit has reported its firmware yet: versions appear as units resync.
        </Text>
      ) : (
        <CountTable
          caption="Firmware versions"
          head="Version"
          total={s.devices.total}
          rows={reported.slice(0, 6).map((f) => ({
            key: f.version ?? "",
            label: f.version,
            count: f.count,
            to: `/devices?firmware=${encodeURIComponent(f.version ?? "")}`,
          }))}
          footer={reported.length > 6 ? `and ${reported.length - 6} more versions` : undefined}
        />
      )}
    </Panel>
  );
}

function RolloutsCard(props: { summary: Summary | undefined }) {
  const s = props.summary;
  return (
    <Panel
      title="Rollouts in progress"
      height={320}
      action={
        <Anchor component={Link} to="/firmware" size="sm">
          Firmware
        </Anchor>
      }
    >
      {s === undefined ? (
        <Loading rows={3} height={40} label="Loading rollouts" />
      ) : s.rollouts.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No rollout is running. Start one from an upgrade policy under Firmware.
        </Text>
      ) : (
        <Stack gap="sm">
          {s.rollouts.items.slice(0, 4).map((r) => (
            <div key={r.id}>
              <Group justify="space-between" gap={4}>
                <Anchor component={Link} to={`/firmware/rollouts/${r.id}`} size="sm" fw={500}>
                  {r.policy}
                </Anchor>
                <Text size="xs" c={r.state === "halted" ? "red.8" : "dimmed"}>
                  {r.state}, wave {r.wave} of {r.waves}
                </Text>
              </Group>
              <Progress
                value={Math.round(((r.wave - 1) / Math.max(1, r.waves)) * 100)}
                color={r.state === "halted" ? "red" : undefined}
                aria-label={`${r.policy}: wave ${r.wave} of ${r.waves}`}
              />
            </div>
          ))}
        </Stack>
      )}
    </Panel>
  );
}

function SecurityCard(props: { tenant: string }) {
  const security = useSecurityEvents(props.tenant);
  const items = security.data?.items;
  return (
    <Panel title="Recent security events" height={320}>
      {security.isError && items === undefined ? (
        <ErrorAlert error={security.error} />
      ) : items === undefined ? (
        <Loading rows={5} height={32} label="Loading security events" />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No request was refused in the last 7 days.
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm" aria-label="Recent security events" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={90}>When</Table.Th>
              <Table.Th w={140}>Device or source</Table.Th>
              <Table.Th>Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.slice(0, 6).map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td title={formatDateTime(e.at)}>{formatAgo(e.at)}</Table.Td>
                <Table.Td style={{ overflow: "hidden", textOverflow: "ellipsis" }}>
                  {e.mac === null ? (
                    (e.remoteAddress ?? "—")
                  ) : (
                    <Anchor component={Link} to={`/devices/${e.mac}`} size="sm">
                      {formatMac(e.mac)}
                    </Anchor>
                  )}
                </Table.Td>
                <Table.Td
                  style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
                  title={e.message ?? e.result}
                >
                  {e.result}: {e.message ?? e.path ?? ""}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Panel>
  );
}
