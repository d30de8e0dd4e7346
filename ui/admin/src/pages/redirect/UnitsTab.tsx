/**
 * Registered units: which provider profile each MAC is sent to and how far its
 * customization got; registering a shipment's MACs (conflicts with other providers are
 * reported, never overwritten); moving, releasing and transferring a unit.
 */
import {
  Alert,
  Button,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Page } from "../../api/client.ts";
import { canWrite, isAdmin } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  ConfirmButton,
  EmptyState,
  ErrorAlert,
  FormModal,
  formatAgo,
  formatMac,
  QueryView,
  StatusBadge,
} from "../../components/index.ts";
import {
  macsIn,
  type RedirectProfile,
  type RedirectUnit,
  type RegisterResult,
  STATUS_COLOR,
  STATUSES,
} from "./model.ts";

export function useRedirectProfiles(tenant: string) {
  return useQuery({
    queryKey: ["redirect", "profiles", tenant],
    queryFn: () => api<RedirectProfile[]>("/api/v1/redirect/profiles", { query: { tenant } }),
  });
}

export function UnitsTab() {
  const { tenant, tenants } = useTenant();
  const principal = usePrincipal();
  const writer = canWrite(principal);
  const client = useQueryClient();
  const [status, setStatus] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [transferring, setTransferring] = useState<RedirectUnit | null>(null);
  const profiles = useRedirectProfiles(tenant);
  const units = useInfiniteQuery({
    queryKey: ["redirect", "units", tenant, status],
    queryFn: ({ pageParam }) =>
      api<Page<RedirectUnit>>("/api/v1/redirect/units", {
        query: { tenant, status, after: pageParam, limit: 100 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const patch = useMutation({
    mutationFn: (v: { mac: string; profile: string }) =>
      api(`/api/v1/redirect/units/${v.mac}`, { method: "PATCH", body: { profile: v.profile } }),
    onSuccess: (_r, v) => {
      notifications.show({
        color: "green",
        message: `${formatMac(v.mac)} now goes to ${v.profile}`,
      });
      void client.invalidateQueries({ queryKey: ["redirect", "units"] });
    },
  });
  const release = useMutation({
    mutationFn: (mac: string) => api(`/api/v1/redirect/units/${mac}`, { method: "DELETE" }),
    onSuccess: (_r, mac) => {
      notifications.show({ color: "green", message: `${formatMac(mac)} released` });
      void client.invalidateQueries({ queryKey: ["redirect", "units"] });
    },
  });
  const items = units.data?.pages.flatMap((p) => p.items) ?? [];
  const profileNames = (profiles.data ?? []).map((p) => p.name);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Select
          label="Customization status"
          placeholder="Any"
          clearable
          data={[...STATUSES]}
          value={status}
          onChange={setStatus}
          w={240}
        />
        {writer ? <Button onClick={() => setRegistering(true)}>Register MACs</Button> : null}
      </Group>
      {patch.isError ? <ErrorAlert error={patch.error} title="Not moved" /> : null}
      {release.isError ? <ErrorAlert error={release.error} title="Not released" /> : null}
      <QueryView
        query={units}
        loading={{ rows: 6, label: "Loading registered units" }}
        isEmpty={() => items.length === 0}
        empty={
          <EmptyState title={status === null ? "No units registered" : "No unit in this state"}>
            A registered MAC is sent, on its first contact, to the profile's provisioning server.
            Create a redirect profile, then register a shipment's MACs.
          </EmptyState>
        }
      >
        {() => (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>MAC</Table.Th>
                <Table.Th>Profile</Table.Th>
                <Table.Th>Customization</Table.Th>
                <Table.Th>Since</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((u) => (
                <Table.Tr key={u.mac}>
                  <Table.Td ff="monospace">{formatMac(u.mac)}</Table.Td>
                  <Table.Td>
                    {writer && profileNames.length > 1 ? (
                      <Select
                        aria-label={`Profile of ${formatMac(u.mac)}`}
                        size="xs"
                        w={180}
                        data={profileNames}
                        value={u.profile}
                        allowDeselect={false}
                        onChange={(profile) => {
                          if (profile !== null && profile !== u.profile)
                            patch.mutate({ mac: u.mac, profile });
                        }}
                      />
                    ) : (
                      (u.profile ?? "—")
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge color={STATUS_COLOR[u.status]}>{u.customization}</StatusBadge>
                  </Table.Td>
                  <Table.Td>{formatAgo(u.statusAt)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      {isAdmin(principal) && principal.tenant === null && tenants.length > 1 ? (
                        <Button size="xs" variant="subtle" onClick={() => setTransferring(u)}>
                          Transfer
                        </Button>
                      ) : null}
                      {writer ? (
                        <ConfirmButton
                          title={`Release ${formatMac(u.mac)}?`}
                          message="Its redirect stops at once."
                          confirmLabel="Release"
                          onConfirm={() => release.mutate(u.mac)}
                        >
                          Release
                        </ConfirmButton>
                      ) : null}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryView>
      {units.hasNextPage ? (
        <Group justify="center">
          <Button
            variant="default"
            onClick={() => void units.fetchNextPage()}
            loading={units.isFetchingNextPage}
          >
            More units
          </Button>
        </Group>
      ) : null}
      <RegisterMacs
        opened={registering}
        onClose={() => setRegistering(false)}
        profiles={profileNames}
      />
      <TransferUnit unit={transferring} onClose={() => setTransferring(null)} />
    </Stack>
  );
}

function RegisterMacs(props: { opened: boolean; onClose(): void; profiles: readonly string[] }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const [profile, setProfile] = useState<string | null>(null);
  const [text, setText] = useState("");
  const macs = macsIn(text);
  const register = useMutation({
    mutationFn: () =>
      api<RegisterResult>("/api/v1/redirect/units", {
        method: "POST",
        body: { tenant, profile, macs },
      }),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: ["redirect", "units"] });
      if (result.conflicts.length === 0 && result.outside.length === 0) {
        notifications.show({
          color: "green",
          message: `${result.registered} registered, ${result.unchanged} unchanged`,
        });
      }
    },
  });
  const close = () => {
    register.reset();
    setText("");
    props.onClose();
  };
  const result = register.data;
  return (
    <FormModal
      opened={props.opened}
      onClose={close}
      title="Register MACs"
      size="lg"
      onSubmit={() => register.mutate()}
      submitLabel="Register"
      submitting={register.isPending}
      canSubmit={!(profile === null || macs.length === 0)}
      error={register.error}
      errorTitle="Not registered"
      closeLabel="Close"
    >
      <Select
        label="Redirect profile"
        data={[...props.profiles]}
        value={profile}
        onChange={setProfile}
        required
        nothingFoundMessage="Create a profile first"
      />
      <Textarea
        label="MACs"
        description="One per line, or separated by commas or spaces; any notation (up to 10,000)"
        autosize
        minRows={5}
        maxRows={14}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        required
      />
      <Text size="sm" c="dimmed">
        {macs.length} MAC{macs.length === 1 ? "" : "s"}
      </Text>
      {result === undefined ? null : (
        <Alert
          color={result.conflicts.length + result.outside.length === 0 ? "green" : "orange"}
          title="Result"
        >
          {result.registered} registered, {result.unchanged} unchanged.
          {result.conflicts.length === 0
            ? ""
            : ` ${result.conflicts.length} held by another provider (left alone): ${result.conflicts.map(formatMac).join(", ")}.`}
          {result.outside.length === 0
            ? ""
            : ` ${result.outside.length} outside your granted ranges: ${result.outside.map(formatMac).join(", ")}.`}
        </Alert>
      )}
    </FormModal>
  );
}

function TransferUnit(props: { unit: RedirectUnit | null; onClose(): void }) {
  const { tenants } = useTenant();
  const client = useQueryClient();
  const [to, setTo] = useState<string | null>(null);
  const [profile, setProfile] = useState("");
  const transfer = useMutation({
    mutationFn: () =>
      api<RedirectUnit>(`/api/v1/redirect/units/${props.unit?.mac}/transfer`, {
        method: "POST",
        body: { tenant: to, profile: profile.trim() },
      }),
    onSuccess: (unit) => {
      notifications.show({ color: "green", message: `${formatMac(unit.mac)} transferred` });
      void client.invalidateQueries({ queryKey: ["redirect", "units"] });
      props.onClose();
    },
  });
  return (
    <FormModal
      opened={props.unit !== null}
      onClose={props.onClose}
      title="Transfer to another provider"
      onSubmit={() => transfer.mutate()}
      submitLabel="Transfer"
      submitting={transfer.isPending}
      canSubmit={!(to === null || profile.trim() === "")}
      error={transfer.error}
      errorTitle="Not transferred"
    >
      <Text size="sm">
        {props.unit === null ? "" : formatMac(props.unit.mac)} moves to the other provider's
        profile; the change is audited under both.
      </Text>
      <Select
        label="Provider (tenant)"
        data={tenants
          .filter((t) => t.id !== props.unit?.tenant)
          .map((t) => ({ value: t.id, label: t.name }))}
        value={to}
        onChange={setTo}
        required
      />
      <TextInput
        label="Its redirect profile"
        value={profile}
        onChange={(e) => setProfile(e.currentTarget.value)}
        required
      />
    </FormModal>
  );
}
