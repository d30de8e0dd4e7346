/**
 * Which layer the editor works on — the API's layer routes, one per scope — and how the
 * choice is kept in the address (`?scope=model&target=SPA112`), so a reload or a link from
 * another page lands on the same layer.
 */
import type { PreviewTarget } from "./editor_api.ts";

export type Scope = "tenant" | "staging" | "model" | "group" | "account" | "device";

export const SCOPES: readonly { value: Scope; label: string; hint: string }[] = [
  { value: "tenant", label: "Tenant", hint: "every device of the tenant (the weakest layer)" },
  { value: "model", label: "Model", hint: "the tenant's devices of one model" },
  { value: "group", label: "Group", hint: "the devices of one group" },
  { value: "account", label: "Account", hint: "the devices of one account" },
  { value: "device", label: "Device", hint: "one device (the strongest layer)" },
  {
    value: "staging",
    label: "Staging",
    hint: "the profile factory units get before they are known",
  },
];

export function isScope(text: string | null): text is Scope {
  return SCOPES.some((s) => s.value === text);
}

export interface LayerChoice {
  readonly scope: Scope;
  /** The model's product name, the group's or account's id, the device's MAC; null for tenant and staging. */
  readonly target: string | null;
}

/** Whether the choice names a layer (tenant-wide scopes need no target). */
export function complete(choice: LayerChoice): boolean {
  return choice.scope === "tenant" || choice.scope === "staging" || choice.target !== null;
}

/** The API path of the layer; null while the choice is incomplete. */
export function layerPath(tenant: string, choice: LayerChoice): string | null {
  const t = encodeURIComponent(tenant);
  const target = choice.target === null ? null : encodeURIComponent(choice.target);
  switch (choice.scope) {
    case "tenant":
      return `/api/v1/tenants/${t}/layer`;
    case "staging":
      return `/api/v1/tenants/${t}/staging/layer`;
    case "model":
      return target === null ? null : `/api/v1/tenants/${t}/models/${target}/layer`;
    case "group":
      return target === null ? null : `/api/v1/groups/${target}/layer`;
    case "account":
      return target === null ? null : `/api/v1/accounts/${target}/layer`;
    case "device":
      return target === null ? null : `/api/v1/devices/${target}/layer`;
  }
}

/** The layer as the preview endpoint names it; null for the staging layer (it reaches no known device). */
export function previewTarget(tenant: string, choice: LayerChoice): PreviewTarget | null {
  const target = choice.target ?? "";
  switch (choice.scope) {
    case "tenant":
      return { scope: "tenant", tenant };
    case "staging":
      return null;
    case "model":
      return { scope: "model", tenant, model: target };
    case "group":
      return { scope: "group", group: target };
    case "account":
      return { scope: "account", account: target };
    case "device":
      return { scope: "device", mac: target };
  }
}
