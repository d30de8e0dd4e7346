/** Rollouts of the tenant's policies: their state and wave, and starting a new one. */
import { Button, Group, NumberInput, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  EmptyState,
  FormModal,
  formatDateTime,
  QueryView,
  StatusBadge,
} from "../../components/index.ts";
import { firmwareKeys, listPolicies, listRollouts, type Rollout, STATE_COLOR } from "./model.ts";

export function RolloutsTab() {
  const { tenant } = useTenant();
  const writer = canWrite(usePrincipal());
  const [starting, setStarting] = useState(false);
  const rollouts = useQuery({
    queryKey: firmwareKeys.rollouts(tenant),
    queryFn: () => listRollouts(tenant),
    refetchInterval: 15_000,
  });
  return (
    <Stack>
      {writer ? (
        <Group justify="flex-end">
          <Button onClick={() => setStarting(true)}>Start a rollout</Button>
        </Group>
      ) : null}
      <QueryView
        query={rollouts}
        loading={{ rows: 4, label: "Loading rollouts" }}
        empty={
          <EmptyState title="No rollouts yet">
            A rollout offers a policy's target version to its units in waves, and halts by itself
            when too many units of a wave fail. Create an upgrade policy first, then start one here.
          </EmptyState>
        }
      >
        {(items) => (
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Rollout</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Wave</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Note</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <Link to={`/firmware/rollouts/${encodeURIComponent(r.id)}`}>{r.id}</Link>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge color={STATE_COLOR[r.state]}>{r.state}</StatusBadge>
                  </Table.Td>
                  <Table.Td>
                    {r.wave} of {r.waves.length} ({r.waves.join(" → ")} %)
                  </Table.Td>
                  <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {r.reason ?? ""}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      <StartRollout opened={starting} onClose={() => setStarting(false)} />
    </Stack>
  );
}

function parseWaves(text: string): number[] | null {
  const waves = text
    .split(/[\s,]+/)
    .filter((w) => w !== "")
    .map(Number);
  const valid =
    waves.length > 0 &&
    waves.every(
      (w, i) => Number.isInteger(w) && w >= 1 && w <= 100 && (i === 0 || w > waves[i - 1]!),
    ) &&
    waves.at(-1) === 100;
  return valid ? waves : null;
}

function StartRollout(props: { opened: boolean; onClose(): void }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const policies = useQuery({
    queryKey: firmwareKeys.policies(tenant),
    queryFn: () => listPolicies(tenant),
    enabled: props.opened,
  });
  const [policy, setPolicy] = useState<string | null>(null);
  const [waves, setWaves] = useState("1, 10, 50, 100");
  const [threshold, setThreshold] = useState<number | string>(10);
  const parsed = parseWaves(waves);
  const start = useMutation({
    mutationFn: () =>
      api<Rollout>("/api/v1/rollouts", {
        method: "POST",
        body: { policy, waves: parsed, failureThreshold: Number(threshold) },
      }),
    onSuccess: (rollout) => {
      notifications.show({ color: "green", message: `Rollout ${rollout.id} started` });
      void client.invalidateQueries({ queryKey: ["firmware"] });
      props.onClose();
    },
  });
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title="Start a rollout"
      onSubmit={() => start.mutate()}
      submitLabel="Start"
      submitting={start.isPending}
      canSubmit={!(policy === null || parsed === null)}
      error={start.error}
      errorTitle="Not started"
    >
      <Select
        label="Upgrade policy"
        placeholder={policies.isPending ? "Loading…" : "Pick a policy"}
        data={(policies.data ?? []).map((p) => ({
          value: p.id,
          label: `${p.name} → ${p.target}`,
        }))}
        value={policy}
        onChange={setPolicy}
        required
        nothingFoundMessage="No policy: create one on the Policies tab"
      />
      <TextInput
        label="Waves"
        description="Cumulative percentages of the eligible units, ending at 100"
        value={waves}
        onChange={(e) => setWaves(e.currentTarget.value)}
        error={parsed === null ? "Rising whole percentages from 1 to 100, the last 100" : undefined}
        required
      />
      <NumberInput
        label="Failure threshold (%)"
        description="The rollout halts when this share of a wave fails"
        min={1}
        max={100}
        value={threshold}
        onChange={setThreshold}
      />
    </FormModal>
  );
}
