/**
 * The layer editor: pick a layer (tenant, model, group, account, device, or the tenant's
 * staging profile), see what it sets, change it with the catalogue's help, preview the
 * devices a change reaches, save.
 */
import { Group, Paper, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { api, type Page } from "../../api/client.ts";
import { canWrite } from "../../api/session.ts";
import type { Account, Device, Group as DeviceGroup, Model } from "../../api/types.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { useTenant } from "../../app/tenant.tsx";
import {
  AccountPicker,
  accountLabel,
  ErrorAlert,
  formatMac,
  PageHeader,
} from "../../components/index.ts";
import { LayerEditor } from "./LayerEditor.tsx";
import {
  complete,
  isScope,
  type LayerChoice,
  layerPath,
  previewTarget,
  SCOPES,
  type Scope,
} from "./layer_target.ts";

function useChoice(): [LayerChoice, (next: LayerChoice) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get("scope");
  const scope: Scope = isScope(raw) ? raw : "tenant";
  const choice = { scope, target: params.get("target") };
  const set = (next: LayerChoice) => {
    const p = new URLSearchParams({ scope: next.scope });
    if (next.target !== null) p.set("target", next.target);
    setParams(p, { replace: false });
  };
  return [choice, set];
}

function useModels() {
  return useQuery({
    queryKey: ["models"],
    queryFn: () => api<{ items: Model[] }>("/api/v1/models").then((b) => b.items),
    staleTime: 5 * 60_000,
  });
}

const MAC = /^([0-9a-f]{2}[:-]?){5}[0-9a-f]{2}$/i;

export function ConfigurationPage() {
  const principal = usePrincipal();
  const { tenant, current } = useTenant();
  const [choice, setChoice] = useChoice();
  const models = useModels();
  const groups = useQuery({
    queryKey: ["groups", tenant],
    queryFn: () =>
      api<Page<DeviceGroup>>("/api/v1/groups", { query: { tenant, limit: 1000 } }).then(
        (b) => b.items,
      ),
    enabled: choice.scope === "group",
  });
  const account = useQuery({
    queryKey: ["account", choice.target],
    queryFn: () => api<Account>(`/api/v1/accounts/${encodeURIComponent(choice.target ?? "")}`),
    enabled: choice.scope === "account" && choice.target !== null,
  });
  const macText = choice.scope === "device" ? (choice.target ?? "") : "";
  const device = useQuery({
    queryKey: ["device", macText],
    queryFn: () => api<Device>(`/api/v1/devices/${encodeURIComponent(macText)}`),
    enabled: choice.scope === "device" && MAC.test(macText),
    retry: false,
  });

  const path = complete(choice) ? layerPath(tenant, choice) : null;
  const ready = path !== null && (choice.scope !== "device" || device.isSuccess);
  const model =
    choice.scope === "model"
      ? choice.target
      : choice.scope === "device"
        ? (device.data?.model ?? null)
        : null;
  const tenantName = current?.name ?? tenant;
  // A layer without a model is checked against every model; names are suggested from one.
  const [suggestModel, setSuggestModel] = useState<string | null>(null);
  const suggestFrom = suggestModel ?? models.data?.[0]?.pn ?? null;
  const title = (() => {
    switch (choice.scope) {
      case "tenant":
        return `Tenant ${tenantName}`;
      case "staging":
        return `Staging profile of ${tenantName}`;
      case "model":
        return `Model ${choice.target ?? ""} in ${tenantName}`;
      case "group":
        return `Group ${groups.data?.find((g) => g.id === choice.target)?.name ?? ""}`;
      case "account":
        return `Account ${account.data === undefined ? "" : accountLabel(account.data)}`;
      case "device":
        return `Device ${formatMac(choice.target ?? "")}`;
    }
  })();

  return (
    <Stack>
      <PageHeader
        title="Configuration"
        description="Parameters by layer: tenant < model < group < account < device — the strongest layer that sets a parameter wins."
      />
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <Group align="flex-end" gap="md" wrap="wrap">
            <Stack gap={4}>
              <Text size="sm" fw={500} id="layer-scope-label">
                Layer
              </Text>
              <SegmentedControl
                aria-labelledby="layer-scope-label"
                value={choice.scope}
                onChange={(value) => {
                  if (isScope(value)) setChoice({ scope: value, target: null });
                }}
                data={SCOPES.map((s) => ({ value: s.value, label: s.label }))}
              />
            </Stack>
            {choice.scope === "model" ? (
              <Select
                label="Model"
                placeholder="Pick a model"
                searchable
                w={260}
                data={(models.data ?? []).map((m) => ({
                  value: m.pn,
                  label: m.description === null ? m.pn : `${m.pn} — ${m.description}`,
                }))}
                value={choice.target}
                onChange={(pn) => setChoice({ scope: "model", target: pn })}
              />
            ) : null}
            {choice.scope === "group" ? (
              <Select
                label="Group"
                placeholder={
                  groups.data?.length === 0 ? "The tenant has no groups" : "Pick a group"
                }
                searchable
                w={260}
                data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
                value={choice.target}
                onChange={(id) => setChoice({ scope: "group", target: id })}
              />
            ) : null}
            {choice.scope === "account" ? (
              <AccountPicker
                tenant={tenant}
                w={320}
                value={choice.target}
                onChange={(id) => setChoice({ scope: "account", target: id })}
              />
            ) : null}
            {choice.scope === "device" ? (
              <TextInput
                label="Device MAC"
                placeholder="00:0e:08:01:23:45"
                w={240}
                value={choice.target ?? ""}
                onChange={(e) =>
                  setChoice({
                    scope: "device",
                    target: e.currentTarget.value === "" ? null : e.currentTarget.value,
                  })
                }
                error={
                  choice.target !== null && !MAC.test(choice.target)
                    ? "12 hex digits, e.g. 00:0e:08:01:23:45"
                    : device.isError
                      ? device.error.message
                      : undefined
                }
              />
            ) : null}
          </Group>
          {model === null ? (
            <Select
              label="Suggest parameter names of"
              description="This layer applies to every model; its names are checked against all of them"
              w={320}
              searchable
              allowDeselect={false}
              data={(models.data ?? []).map((m) => m.pn)}
              value={suggestFrom}
              onChange={setSuggestModel}
            />
          ) : null}
          <Text size="sm" c="dimmed">
            {SCOPES.find((s) => s.value === choice.scope)?.hint}
            {model === null
              ? " · names are checked against every model's parameters"
              : ` · names are checked against ${model}'s parameters`}
          </Text>
        </Stack>
      </Paper>
      {choice.scope === "account" && account.isError ? (
        <ErrorAlert error={account.error} title="The account cannot be read" />
      ) : null}
      {ready && path !== null ? (
        <LayerEditor
          key={path}
          path={path}
          title={title}
          model={model}
          catalogueModel={model ?? suggestFrom}
          allowUnknown={current?.settings.allowUnknownParameters ?? false}
          canWrite={canWrite(principal)}
          preview={previewTarget(tenant, choice)}
        />
      ) : (
        <Text c="dimmed" size="sm">
          {choice.scope === "device"
            ? "Enter a device's MAC address to edit its own layer."
            : `Pick a ${choice.scope} to edit its layer.`}
        </Text>
      )}
    </Stack>
  );
}
