/** One rollout: its waves' health, and halting, resuming or aborting it. */
import {
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { canWrite } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import {
  ConfirmButton,
  ErrorAlert,
  formatCount,
  formatDateTime,
  Loading,
  PageHeader,
  StatusBadge,
} from "../../components/index.ts";
import {
  actionsFor,
  firmwareKeys,
  getRollout,
  moveRollout,
  type RolloutAction,
  STATE_COLOR,
  type WaveProgress,
} from "./model.ts";

const ACTION_LABEL: Record<RolloutAction, string> = {
  halt: "Halt",
  resume: "Resume",
  abort: "Abort",
};
const ACTION_DONE: Record<RolloutAction, string> = {
  halt: "halted",
  resume: "resumed",
  abort: "aborted",
};

const SEGMENTS = [
  { key: "upgraded", label: "Upgraded", color: "green" },
  { key: "offered", label: "Offered", color: "blue" },
  { key: "failed", label: "Failed", color: "red" },
  { key: "unreached", label: "Unreached", color: "gray" },
] as const;

function WaveBar(props: { wave: WaveProgress }) {
  const { wave } = props;
  if (wave.size === 0)
    return (
      <Text size="sm" c="dimmed">
        No units
      </Text>
    );
  return (
    <Progress.Root
      size="lg"
      role="img"
      aria-label={`Wave ${wave.wave} progress: ${SEGMENTS.map((s) => `${wave[s.key]} ${s.label.toLowerCase()}`).join(", ")}`}
    >
      {SEGMENTS.map((s) =>
        wave[s.key] === 0 ? null : (
          <Tooltip key={s.key} label={`${s.label}: ${formatCount(wave[s.key])}`}>
            <Progress.Section value={(wave[s.key] / wave.size) * 100} color={s.color} />
          </Tooltip>
        ),
      )}
    </Progress.Root>
  );
}

export function RolloutPage() {
  const { id = "" } = useParams();
  const client = useQueryClient();
  const writer = canWrite(usePrincipal());
  const rollout = useQuery({
    queryKey: firmwareKeys.rollout(id),
    queryFn: () => getRollout(id),
    refetchInterval: (query) => (query.state.data?.state === "running" ? 5_000 : false),
  });
  const move = useMutation({
    mutationFn: (action: RolloutAction) => moveRollout(id, action),
    onSuccess: (updated, action) => {
      client.setQueryData(firmwareKeys.rollout(id), updated);
      void client.invalidateQueries({ queryKey: ["firmware", "rollouts"] });
      notifications.show({ color: "green", message: `Rollout ${ACTION_DONE[action]}` });
    },
  });
  if (rollout.isPending) return <Loading rows={6} label="Loading rollout" />;
  if (rollout.isError) return <ErrorAlert error={rollout.error} />;
  const r = rollout.data;
  const totals = (r.progress ?? []).reduce(
    (sum, w) => ({
      size: sum.size + w.size,
      upgraded: sum.upgraded + w.upgraded,
      failed: sum.failed + w.failed,
      waiting: sum.waiting + w.waiting + w.offered,
    }),
    { size: 0, upgraded: 0, failed: 0, waiting: 0 },
  );
  return (
    <Stack>
      <Text size="sm">
        <Link to="/firmware">Firmware</Link> / Rollout
      </Text>
      <PageHeader
        title={`Rollout of ${r.policyName ?? r.policy}${r.target === undefined ? "" : ` to ${r.target}`}`}
        description={`Started ${formatDateTime(r.createdAt)}; halts when ${r.failureThreshold} % of a wave fails; an offered unit silent for ${Math.round(r.silenceSeconds / 3600)} h counts as failed.`}
        actions={
          <>
            <StatusBadge size="lg" color={STATE_COLOR[r.state]}>
              {r.state}
            </StatusBadge>
            {writer
              ? actionsFor(r.state).map((action) =>
                  action === "abort" ? (
                    <ConfirmButton
                      key={action}
                      size="sm"
                      variant="outline"
                      title="Abort this rollout?"
                      message="Nothing more is offered, and it cannot be resumed."
                      confirmLabel="Abort"
                      loading={move.isPending && move.variables === action}
                      onConfirm={() => move.mutate(action)}
                    >
                      {ACTION_LABEL[action]}
                    </ConfirmButton>
                  ) : (
                    <Button
                      key={action}
                      loading={move.isPending && move.variables === action}
                      onClick={() => move.mutate(action)}
                    >
                      {ACTION_LABEL[action]}
                    </Button>
                  ),
                )
              : null}
          </>
        }
      />
      {r.reason === null ? null : (
        <Text size="sm" c="dimmed">
          {r.reason}
        </Text>
      )}
      {move.isError ? <ErrorAlert error={move.error} title="Not done" /> : null}
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {[
          ["Units", totals.size],
          ["Upgraded", totals.upgraded],
          ["Failed", totals.failed],
          ["Still to go", totals.waiting],
        ].map(([label, value]) => (
          <Paper key={label} withBorder p="md">
            <Text size="sm" c="dimmed">
              {label}
            </Text>
            <Text size="xl" fw={700}>
              {formatCount(Number(value))}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Wave</Table.Th>
            <Table.Th>Up to</Table.Th>
            <Table.Th>Units</Table.Th>
            <Table.Th w="40%">Health</Table.Th>
            <Table.Th>Waiting</Table.Th>
            <Table.Th>Offered</Table.Th>
            <Table.Th>Upgraded</Table.Th>
            <Table.Th>Failed</Table.Th>
            <Table.Th>Unreached</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(r.progress ?? []).map((w) => (
            <Table.Tr key={w.wave} fw={w.wave === r.wave ? 600 : undefined}>
              <Table.Td>
                {w.wave}
                {w.wave === r.wave && r.state === "running" ? " (current)" : ""}
              </Table.Td>
              <Table.Td>{w.percent} %</Table.Td>
              <Table.Td>{formatCount(w.size)}</Table.Td>
              <Table.Td>
                <WaveBar wave={w} />
              </Table.Td>
              <Table.Td>{formatCount(w.waiting)}</Table.Td>
              <Table.Td>{formatCount(w.offered)}</Table.Td>
              <Table.Td>{formatCount(w.upgraded)}</Table.Td>
              <Table.Td>{formatCount(w.failed)}</Table.Td>
              <Table.Td>{formatCount(w.unreached)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap="md">
        {SEGMENTS.map((s) => (
          <Group key={s.key} gap={4}>
            <Badge color={s.color} variant="filled" size="xs" circle aria-hidden>
              {" "}
            </Badge>
            <Text size="xs">{s.label}</Text>
          </Group>
        ))}
      </Group>
    </Stack>
  );
}
