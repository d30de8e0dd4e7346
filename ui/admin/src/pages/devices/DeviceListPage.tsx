/**
 * The device list: server-side search and filters held in the address bar, keyset pages
 * ("Show more"), the total; import from CSV and add a device for those who may write.
 */
import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { canWrite } from "../../api/session.ts";
import type { Device } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  EmptyState,
  formatAgo,
  formatCount,
  formatDateTime,
  formatMac,
  PageHeader,
  QueryView,
} from "../../components/index.ts";
import { AddDeviceDialog } from "./AddDeviceDialog.tsx";
import {
  type FilterKey,
  type Filters,
  filtersOf,
  isFiltered,
  LIFECYCLE_OPTIONS,
  SEEN_OPTIONS,
  SORT_OPTIONS,
  STATE_OPTIONS,
} from "./device_filters.ts";
import { ImportDialog } from "./ImportDialog.tsx";
import { MoreButton } from "./MoreButton.tsx";
import { useAccountReferences } from "./names.ts";
import { PAGE_SIZE, useDeviceSearch, useFirmwareVersions, useModels } from "./queries.ts";

export function DeviceListPage() {
  const { tenant } = useTenant();
  const principal = usePrincipal();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const [importing, setImporting] = useState(false);
  const [adding, setAdding] = useState(false);

  // From the address as it is now: a debounced input may call this with an older render's closure.
  const setFilter = (key: FilterKey, value: string | null, replace = false) => {
    const next = new URLSearchParams(window.location.search);
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
    if (next.toString() !== window.location.search.replace(/^\?/, "")) setParams(next, { replace });
  };

  const writable = canWrite(principal);
  return (
    <>
      <PageHeader
        title="Devices"
        description="Find a unit by MAC, serial, account or label; filter by model, state, firmware and when it last resynced."
        actions={
          writable ? (
            <>
              <Button variant="default" onClick={() => setImporting(true)}>
                Import CSV
              </Button>
              <Button onClick={() => setAdding(true)}>Add device</Button>
            </>
          ) : undefined
        }
      />
      <FilterBar filters={filters} tenant={tenant} setFilter={setFilter} />
      <DeviceResults
        tenant={tenant}
        filters={filters}
        clear={() => setParams(new URLSearchParams())}
        writable={writable}
        onImport={() => setImporting(true)}
      />
      {writable ? (
        <>
          <ImportDialog opened={importing} onClose={() => setImporting(false)} />
          <AddDeviceDialog opened={adding} onClose={() => setAdding(false)} />
        </>
      ) : null}
    </>
  );
}

/** A text filter typed into: shown at once, sent to the address bar when typing pauses. */
function DebouncedInput(props: {
  label: string;
  placeholder: string;
  value: string | undefined;
  onSettle: (value: string) => void;
}) {
  const [text, setText] = useState(props.value ?? "");
  const settle = useDebouncedCallback(props.onSettle, 300);
  // Back and forward (or a cleared filter) change the address: show what it says.
  useEffect(() => setText(props.value ?? ""), [props.value]);
  return (
    <TextInput
      label={props.label}
      placeholder={props.placeholder}
      value={text}
      onChange={(event) => {
        setText(event.currentTarget.value);
        settle(event.currentTarget.value.trim());
      }}
    />
  );
}

function FilterBar(props: {
  filters: Filters;
  tenant: string;
  setFilter: (key: FilterKey, value: string | null, replace?: boolean) => void;
}) {
  const { filters, setFilter } = props;
  const models = useModels();
  const firmware = useFirmwareVersions(props.tenant);
  const firmwareOptions = [
    ...new Set([
      ...(firmware.data ?? []),
      ...(filters.firmware === undefined ? [] : [filters.firmware]),
    ]),
  ];
  const modelOptions = [
    ...new Set([
      ...(models.data ?? []).map((m) => m.pn),
      ...(filters.model === undefined ? [] : [filters.model]),
    ]),
  ];
  return (
    <Paper
      withBorder
      p="md"
      mb="md"
      component="form"
      role="search"
      aria-label="Device search"
      onSubmit={(event) => event.preventDefault()}
    >
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="xs">
        <DebouncedInput
          label="Search"
          placeholder="MAC (any part), serial, account or label"
          value={filters.q}
          onSettle={(v) => setFilter("q", v, true)}
        />
        <DebouncedInput
          label="Account"
          placeholder="Account reference"
          value={filters.account}
          onSettle={(v) => setFilter("account", v, true)}
        />
        <Select
          label="Model"
          placeholder="Any model"
          data={modelOptions}
          value={filters.model ?? null}
          onChange={(v) => setFilter("model", v)}
          searchable
          clearable
        />
        <Select
          label="Firmware"
          placeholder="Any firmware"
          data={firmwareOptions}
          value={filters.firmware ?? null}
          onChange={(v) => setFilter("firmware", v)}
          searchable
          clearable
        />
        <Select
          label="Provisioning state"
          placeholder="Any state"
          data={[...LIFECYCLE_OPTIONS]}
          value={filters.lifecycle ?? null}
          onChange={(v) => setFilter("lifecycle", v)}
          clearable
        />
        <Select
          label="Device state"
          placeholder="Any state"
          data={[...STATE_OPTIONS]}
          value={filters.state ?? null}
          onChange={(v) => setFilter("state", v)}
          clearable
        />
        <Select
          label="Last seen"
          placeholder="Any time"
          data={[...SEEN_OPTIONS]}
          value={filters.seen ?? null}
          onChange={(v) => setFilter("seen", v)}
          clearable
        />
        <Select
          label="Order"
          data={[...SORT_OPTIONS]}
          value={filters.sort ?? "mac"}
          onChange={(v) => setFilter("sort", v === "mac" ? null : v)}
          allowDeselect={false}
        />
      </SimpleGrid>
      {filters.group === undefined ? null : (
        <Group mt="sm" gap="xs">
          <Text size="sm">Group: {filters.group}</Text>
          <Button size="compact-xs" variant="subtle" onClick={() => setFilter("group", null)}>
            Any group
          </Button>
        </Group>
      )}
    </Paper>
  );
}

function DeviceResults(props: {
  tenant: string;
  filters: Filters;
  clear: () => void;
  writable: boolean;
  onImport: () => void;
}) {
  const search = useDeviceSearch(props.tenant, props.filters);
  const devices = search.data?.pages.flatMap((p) => p.items) ?? [];
  const accounts = useAccountReferences(
    devices.flatMap((d) => (d.accountId === null ? [] : [d.accountId])),
  );
  const first = search.data?.pages[0];
  const total = first?.total ?? 0;
  return (
    <QueryView
      query={search}
      loading={{ rows: 8, label: "Loading devices" }}
      errorTitle="The search failed"
      isEmpty={() => devices.length === 0}
      empty={
        isFiltered(props.filters) ? (
          <EmptyState
            title="No device matches"
            action={
              <Button variant="light" onClick={props.clear}>
                Clear the filters
              </Button>
            }
          >
            Try a shorter part of the MAC, or fewer filters.
          </EmptyState>
        ) : (
          <EmptyState
            title="No devices yet"
            action={
              props.writable ? (
                <Button variant="light" onClick={props.onImport}>
                  Import a CSV of MACs
                </Button>
              ) : undefined
            }
          >
            Import a shipment's MAC addresses from a CSV file, add devices one by one, or let units
            resync: the staging profile registers factory units as they call in.
          </EmptyState>
        )
      }
    >
      {() => (
        <>
          <Text size="sm" mb="xs" aria-live="polite">
            {formatCount(devices.length)} of {formatCount(total)}
            {first?.total_exact === false ? "+" : ""} devices
            {search.isPlaceholderData ? " (updating…)" : ""}
          </Text>
          <Table.ScrollContainer minWidth={900}>
            <Table
              striped
              highlightOnHover
              aria-busy={search.isPlaceholderData ? "true" : undefined}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>MAC</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Label</Table.Th>
                  <Table.Th>Account</Table.Th>
                  <Table.Th>Firmware</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                  <Table.Th>Provisioning</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {devices.map((d) => (
                  <DeviceRow
                    key={d.mac}
                    device={d}
                    account={d.accountId === null ? null : (accounts.get(d.accountId) ?? "…")}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <MoreButton
            hasMore={search.hasNextPage}
            loading={search.isFetchingNextPage}
            onMore={() => search.fetchNextPage()}
            label={`Show ${PAGE_SIZE} more`}
          />
        </>
      )}
    </QueryView>
  );
}

function DeviceRow(props: { device: Device; account: string | null }) {
  const d = props.device;
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/devices/${d.mac}`} ff="monospace">
          {formatMac(d.mac)}
        </Anchor>
        {d.state === "disabled" ? (
          <Badge ml="xs" color="gray" variant="outline" size="sm">
            disabled
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Td>{d.model ?? "—"}</Table.Td>
      <Table.Td>{d.label ?? "—"}</Table.Td>
      <Table.Td>{props.account ?? "—"}</Table.Td>
      <Table.Td>{d.status?.firmware ?? "—"}</Table.Td>
      <Table.Td title={formatDateTime(d.status?.at)}>{formatAgo(d.status?.at)}</Table.Td>
      <Table.Td>{d.lifecycle?.state ?? "not seen"}</Table.Td>
    </Table.Tr>
  );
}
