/** Adding one device: its MAC and, optionally, model, serial, label, account and group. */
import { Select, SimpleGrid, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client.ts";
import type { Device } from "../../api/types.ts";
import { useTenant } from "../../app/tenant.tsx";
import { FormModal, formatMac } from "../../components/index.ts";
import { useModels } from "./queries.ts";

const EMPTY = { mac: "", model: "", serial: "", label: "", account: "", group: "" };
type Form = typeof EMPTY;

export function AddDeviceDialog(props: { opened: boolean; onClose: () => void }) {
  const { tenant } = useTenant();
  const client = useQueryClient();
  const navigate = useNavigate();
  const models = useModels();
  const [form, setForm] = useState<Form>(EMPTY);
  const field = (key: keyof Form) => ({
    value: form[key],
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
  });

  const create = useMutation({
    mutationFn: () => {
      const optional = Object.fromEntries(
        (["model", "serial", "label", "account", "group"] as const)
          .map((k) => [k, form[k].trim()] as const)
          .filter(([, v]) => v !== ""),
      );
      return api<Device>("/api/v1/devices", {
        method: "POST",
        body: { mac: form.mac.trim(), tenant, ...optional },
      });
    },
    onSuccess: (device) => {
      void client.invalidateQueries({ queryKey: ["devices"] });
      void client.invalidateQueries({ queryKey: ["dashboard"] });
      notifications.show({ color: "green", title: "Device added", message: formatMac(device.mac) });
      close();
      navigate(`/devices/${device.mac}`);
    },
  });

  const close = () => {
    setForm(EMPTY);
    create.reset();
    props.onClose();
  };

  return (
    <FormModal
      opened={props.opened}
      onClose={close}
      title="Add a device"
      size="lg"
      onSubmit={() => create.mutate()}
      submitLabel="Add device"
      submitting={create.isPending}
      error={create.error}
      errorTitle="The device was not added"
    >
      <TextInput
        label="MAC address"
        placeholder="00:0e:08:01:23:45"
        required
        data-autofocus
        {...field("mac")}
      />
      <SimpleGrid cols={2}>
        <Select
          label="Model"
          placeholder="Unknown until it resyncs"
          data={(models.data ?? []).map((m) => m.pn)}
          value={form.model === "" ? null : form.model}
          onChange={(v) => setForm((f) => ({ ...f, model: v ?? "" }))}
          searchable
          clearable
        />
        <TextInput label="Serial number" {...field("serial")} />
        <TextInput label="Label" placeholder="Front desk" {...field("label")} />
        <TextInput label="Account" placeholder="Account reference" {...field("account")} />
        <TextInput label="Group" placeholder="Group name" {...field("group")} />
      </SimpleGrid>
    </FormModal>
  );
}
