/**
 * Creating a tenant, or changing one's name, slug and settings: profile paths, client
 * certificates, encryption, staging, secure provisioning and the rest of TenantSettings.
 */
import {
  ColorInput,
  Divider,
  NumberInput,
  Select,
  SimpleGrid,
  Switch,
  TagsInput,
  TextInput,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../../api/client.ts";
import type { Tenant } from "../../api/types.ts";
import { FormModal } from "../../components/index.ts";

type Settings = Tenant["settings"];
type Editable = Omit<Settings, "trustedClientCas">;

const DEFAULTS: Editable = {
  profilePaths: [],
  requireClientCert: false,
  autoCreate: false,
  encryption: "none",
  allowUnknownParameters: false,
  activationByUserAgent: false,
  staging: false,
  secureProvisioning: "off",
  keyRotationDays: 0,
  aes128gcmModels: [],
  brandAccent: null,
  brandLogoText: null,
};

type Flag = { [K in keyof Editable]: Editable[K] extends boolean ? K : never }[keyof Editable];

function editable(settings: Settings | undefined): Editable {
  if (settings === undefined) return DEFAULTS;
  const { trustedClientCas: _cas, ...rest } = settings;
  return rest;
}

export function TenantDialog(props: { opened: boolean; onClose: () => void; tenant?: Tenant }) {
  const client = useQueryClient();
  const { tenant } = props;
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [settings, setSettings] = useState<Editable>(DEFAULTS);
  useEffect(() => {
    if (!props.opened) return;
    setName(tenant?.name ?? "");
    setSlug(tenant?.slug ?? "");
    setSettings(editable(tenant?.settings));
  }, [props.opened, tenant]);
  const set = <K extends keyof Editable>(key: K, value: Editable[K]) =>
    setSettings((s) => ({ ...s, [key]: value }));
  /** A switch bound to one yes/no setting. */
  const flag = (key: Flag) => ({
    checked: settings[key],
    onChange: (event: { currentTarget: { checked: boolean } }) =>
      set(key, event.currentTarget.checked),
  });

  const save = useMutation({
    mutationFn: () =>
      tenant === undefined
        ? api<Tenant>("/api/v1/tenants", { method: "POST", body: { name, slug, settings } })
        : api<Tenant>(`/api/v1/tenants/${encodeURIComponent(tenant.id)}`, {
            method: "PATCH",
            body: { name, slug, settings },
          }),
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ["tenants"] });
      notifications.show({
        color: "teal",
        title: tenant === undefined ? "Tenant created" : "Tenant saved",
        message: saved.name,
      });
      props.onClose();
    },
  });

  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={tenant === undefined ? "New tenant" : `Edit ${tenant.name}`}
      size="xl"
      onSubmit={() => save.mutate()}
      submitLabel={tenant === undefined ? "Create tenant" : "Save tenant"}
      submitting={save.isPending}
      error={save.error}
      errorTitle="Not saved"
    >
      <SimpleGrid cols={2}>
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
          maxLength={255}
          data-autofocus
        />
        <TextInput
          label="Slug"
          description="Lower-case letters, digits and dashes; used in the API and the CLI"
          value={slug}
          onChange={(e) => setSlug(e.currentTarget.value)}
          required
          pattern="[a-z0-9][a-z0-9\-]{0,62}"
        />
      </SimpleGrid>
      <Divider label="Profiles" labelPosition="left" />
      <TagsInput
        label="Profile paths"
        description="Path templates devices of this tenant fetch (e.g. /acme/$MA.xml); press Enter after each"
        value={settings.profilePaths}
        onChange={(v) => set("profilePaths", v)}
        maxTags={32}
      />
      <SimpleGrid cols={2}>
        <Select
          label="Encryption"
          data={[
            { value: "none", label: "None" },
            { value: "gzip", label: "gzip" },
            { value: "aes", label: "AES-256 (per-device key)" },
          ]}
          value={settings.encryption}
          onChange={(v) => set("encryption", (v ?? "none") as Settings["encryption"])}
          allowDeselect={false}
        />
        <TagsInput
          label="aes128gcm models"
          description="MPP product names served with Content-Encoding: aes128gcm"
          value={settings.aes128gcmModels}
          onChange={(v) => set("aes128gcmModels", v)}
        />
      </SimpleGrid>
      <Switch
        label="Accept parameters the catalogue does not know (with a warning)"
        {...flag("allowUnknownParameters")}
      />
      <Switch
        label="Create unknown devices when they first ask for a profile"
        {...flag("autoCreate")}
      />
      <Divider label="Staging" labelPosition="left" />
      <Switch
        label="Staging profile: answer factory units' files (/spa112.cfg, /8851.xml…) with this tenant's staging layer"
        {...flag("staging")}
      />
      <Divider label="Customer activation page" labelPosition="left" />
      <SimpleGrid cols={2}>
        <TextInput
          label="Logo text"
          description="Shown as the logo once a customer enters a code of this tenant"
          value={settings.brandLogoText ?? ""}
          onChange={(e) =>
            set("brandLogoText", e.currentTarget.value === "" ? null : e.currentTarget.value)
          }
          maxLength={40}
        />
        <ColorInput
          label="Accent colour"
          description="#rrggbb; empty: the page's own"
          format="hex"
          withEyeDropper={false}
          value={settings.brandAccent ?? ""}
          onChange={(v) => set("brandAccent", v === "" ? null : v)}
        />
      </SimpleGrid>
      <Divider label="Device trust" labelPosition="left" />
      <Switch
        label="Require a client certificate (HTTPS with a device certificate from a trusted CA)"
        {...flag("requireClientCert")}
      />
      <Switch
        label="Activation codes may bind a unit by the MAC in its User-Agent (units without certificates only)"
        {...flag("activationByUserAgent")}
      />
      <SimpleGrid cols={2}>
        <Select
          label="Secure provisioning"
          data={[
            { value: "off", label: "Off" },
            { value: "on", label: "On (key sent over HTTPS or sealed)" },
            { value: "lan-bootstrap", label: "LAN bootstrap (first key in clear)" },
          ]}
          value={settings.secureProvisioning}
          onChange={(v) =>
            set("secureProvisioning", (v ?? "off") as Settings["secureProvisioning"])
          }
          allowDeselect={false}
        />
        <NumberInput
          label="Rotate device keys after (days)"
          description="0: on demand only"
          min={0}
          max={3650}
          value={settings.keyRotationDays}
          onChange={(v) => set("keyRotationDays", typeof v === "number" ? v : 0)}
        />
      </SimpleGrid>
    </FormModal>
  );
}
