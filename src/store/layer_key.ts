import type { LayerTarget } from "./types.ts";

/**
 * The stable string key of a layer target (its primary key, and the key in layer change
 * notices): `tenant:<id>`, `model:<tenant id>/<pn>`, `group:<id>`, `account:<id>`, `device:<mac>`,
 * `staging:<tenant id>`.
 */
export function layerKey(target: LayerTarget): string {
  switch (target.scope) {
    case "tenant":
      return `tenant:${target.tenantId}`;
    case "model":
      return `model:${target.tenantId}/${target.pn}`;
    case "group":
      return `group:${target.groupId}`;
    case "account":
      return `account:${target.accountId}`;
    case "device":
      return `device:${target.mac}`;
    case "staging":
      return `staging:${target.tenantId}`;
  }
}
