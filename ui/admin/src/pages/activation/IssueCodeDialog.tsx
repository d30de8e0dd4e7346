/**
 * Issuing an activation code for an account. The code is shown here once (the server keeps
 * only its hash), with the URLs that use it: the init URL and the device-side URL
 * (`http://DEVICE/admin/resync?https://PROV/init/CODE`, DEVICE being the unit's LAN address).
 */
import { NumberInput, SimpleGrid, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import type { Account, IssuedActivationCode } from "../../api/types.ts";
import {
  AccountPicker,
  accountLabel,
  CopyField,
  FormModal,
  ShownOnce,
} from "../../components/index.ts";

const SERVER_KEY = "provisio.activation-server";

/** The provisioning server's HTTPS address as devices reach it: the last one used here, else a guess. */
function defaultServer(): string {
  return localStorage.getItem(SERVER_KEY) ?? `https://${window.location.hostname}:8443`;
}

export function IssueCodeDialog(props: {
  opened: boolean;
  onClose: () => void;
  tenant: string;
  /** Issue for this account; otherwise the dialog asks which. */
  account?: Account;
}) {
  const client = useQueryClient();
  const [accountId, setAccountId] = useState<string | null>(null);
  const [server, setServer] = useState("");
  const [ttlDays, setTtlDays] = useState<number>(7);
  const [length, setLength] = useState<number>(16);
  const issue = useMutation({
    mutationFn: () =>
      api<IssuedActivationCode>(
        `/api/v1/accounts/${encodeURIComponent(props.account?.id ?? accountId ?? "")}/activation-codes`,
        {
          method: "POST",
          body: { ttlDays, length, ...(server.trim() === "" ? {} : { server: server.trim() }) },
        },
      ),
    onSuccess: () => {
      if (server.trim() !== "") localStorage.setItem(SERVER_KEY, server.trim());
      void client.invalidateQueries({ queryKey: ["activation-codes"] });
      notifications.show({
        color: "teal",
        title: "Activation code issued",
        message: "Copy it now: it is shown once.",
      });
    },
  });
  useEffect(() => {
    if (!props.opened) return;
    setAccountId(props.account?.id ?? null);
    setServer(defaultServer());
    issue.reset();
  }, [props.opened, props.account, issue.reset]);

  const issued = issue.data;

  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={
        props.account === undefined
          ? "Issue an activation code"
          : `Issue an activation code for ${accountLabel(props.account)}`
      }
      size="lg"
      onSubmit={() => issue.mutate()}
      submitLabel="Issue code"
      submitting={issue.isPending}
      canSubmit={!(props.account === undefined && accountId === null)}
      error={issue.error}
      errorTitle="No code issued"
      outcome={
        issued === undefined ? undefined : (
          <ShownOnce
            warning="The server keeps only a hash of the code: copy it or its URLs now."
            onDone={props.onClose}
          >
            <CopyField label="Activation code" value={issued.code} />
            {issued.initUrl === null ? null : (
              <CopyField
                label="Customer page"
                value={`${new URL(issued.initUrl).origin}/activate/#code=${issued.code}`}
                description="The page where the customer enters the code and finds their unit on the LAN."
              />
            )}
            {issued.initUrl === null ? null : <CopyField label="Init URL" value={issued.initUrl} />}
            {issued.deviceUrl === null ? (
              <Text size="sm" c="dimmed">
                No device-side URL: give the provisioning server's address to get one.
              </Text>
            ) : (
              <CopyField
                label="Device URL"
                value={issued.deviceUrl}
                description="Opened from the customer's LAN with DEVICE replaced by the unit's IP address, it makes the unit fetch its activation."
              />
            )}
          </ShownOnce>
        )
      }
    >
      {props.account === undefined ? (
        <AccountPicker
          tenant={props.tenant}
          value={accountId}
          onChange={(id) => setAccountId(id)}
          required
          description="The account the activated device joins"
        />
      ) : null}
      <TextInput
        label="Provisioning server"
        description="Where units reach this server over HTTPS (https://prov.example.com); empty: no URLs, only the code"
        value={server}
        onChange={(e) => setServer(e.currentTarget.value)}
      />
      <SimpleGrid cols={2}>
        <NumberInput
          label="Valid for (days)"
          min={0.01}
          max={366}
          decimalScale={2}
          value={ttlDays}
          onChange={(v) => setTtlDays(typeof v === "number" ? v : 7)}
        />
        <NumberInput
          label="Digits"
          min={10}
          max={32}
          value={length}
          onChange={(v) => setLength(typeof v === "number" ? v : 16)}
        />
      </SimpleGrid>
    </FormModal>
  );
}
