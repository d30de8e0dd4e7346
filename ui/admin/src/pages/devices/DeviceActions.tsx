/**
 * What an operator may do to a device: make it resync now (a SIP NOTIFY, answered when the unit
 * answers), rotate its secure-provisioning key, reset its configuration to what its tenant,
 * model, group and account give it (remove its own layer), and delete it.
 */
import { Button, Group, Menu, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client.ts";
import type { Device } from "../../api/types.ts";
import { ErrorAlert, formatMac } from "../../components/index.ts";
import type { PushResult, SecureKeys } from "./device_types.ts";

type Confirm = "reset" | "delete" | null;

const failed = (title: string) => (error: Error) =>
  notifications.show({ color: "red", title, message: error.message });

export function DeviceActions(props: { device: Device; secureKeys: SecureKeys | null }) {
  const d = props.device;
  const mac = d.mac;
  const client = useQueryClient();
  const navigate = useNavigate();
  const [confirm, setConfirm] = useState<Confirm>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ["devices", "one", mac] });

  const resync = useMutation({
    mutationFn: () =>
      api<{ results: PushResult[] }>(`/api/v1/devices/${mac}/push`, {
        method: "POST",
        body: { event: "resync" },
      }),
    onSuccess: ({ results }) => {
      const r = results[0];
      const ok = r?.outcome === "accepted";
      notifications.show({
        color: ok ? "green" : "yellow",
        title: ok ? "Resync requested" : `Resync not confirmed (${r?.outcome ?? "no answer"})`,
        message: r?.message ?? (ok ? `${formatMac(mac)} accepted the NOTIFY` : ""),
      });
      void refresh();
    },
    onError: failed("Resync failed"),
  });

  const rotate = useMutation({
    mutationFn: () =>
      api<{ started: number; alreadyRotating: number }>("/api/v1/secure-provisioning/rotate", {
        method: "POST",
        body: { macs: [mac] },
      }),
    onSuccess: (r) => {
      notifications.show({
        color: "green",
        title: r.started > 0 ? "Key rotation started" : "A rotation is already under way",
        message: "The unit gets its new key at its next resync; the old one works until then.",
      });
      void refresh();
    },
    onError: failed("Key rotation failed"),
  });

  const reset = useMutation({
    mutationFn: () => api(`/api/v1/devices/${mac}/layer`, { method: "DELETE" }),
    onSuccess: () => {
      notifications.show({
        color: "green",
        title: "Device settings removed",
        message: `${formatMac(mac)} now gets what its tenant, model, group and account set.`,
      });
      setConfirm(null);
      void refresh();
      void client.invalidateQueries({ queryKey: ["layers"] });
    },
  });

  const remove = useMutation({
    mutationFn: () => api(`/api/v1/devices/${mac}`, { method: "DELETE" }),
    onSuccess: () => {
      notifications.show({ color: "green", title: "Device deleted", message: formatMac(mac) });
      client.removeQueries({ queryKey: ["devices", "one", mac] });
      void client.invalidateQueries({ queryKey: ["devices"] });
      void client.invalidateQueries({ queryKey: ["dashboard"] });
      navigate("/devices");
    },
  });

  return (
    <>
      <Button loading={resync.isPending} onClick={() => resync.mutate()}>
        Resync now
      </Button>
      <Menu position="bottom-end">
        <Menu.Target>
          <Button variant="default">More actions</Button>
        </Menu.Target>
        <Menu.Dropdown>
          {props.secureKeys === null ? null : (
            <Menu.Item onClick={() => rotate.mutate()} disabled={rotate.isPending}>
              Rotate key
            </Menu.Item>
          )}
          <Menu.Item onClick={() => setConfirm("reset")}>Reset to defaults</Menu.Item>
          <Menu.Item color="red" onClick={() => setConfirm("delete")}>
            Delete device
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm === "delete" ? "Delete this device?" : "Reset to defaults?"}
      >
        <Stack>
          <Text size="sm">
            {confirm === "delete"
              ? `${formatMac(mac)} is removed with its own settings and status. A unit that resyncs afterwards is unknown to the server (or registered again by staging).`
              : `The settings made for ${formatMac(mac)} alone are removed; it then gets what its tenant, model, group and account set, at its next resync.`}
          </Text>
          {reset.isError ? <ErrorAlert error={reset.error} /> : null}
          {remove.isError ? <ErrorAlert error={remove.error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirm(null)}>
              Cancel
            </Button>
            {confirm === "delete" ? (
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                Delete
              </Button>
            ) : (
              <Button loading={reset.isPending} onClick={() => reset.mutate()}>
                Reset
              </Button>
            )}
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
