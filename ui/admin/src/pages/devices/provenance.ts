/**
 * Where a value comes from, in words: the effective configuration names its layers by key
 * (`tenant:<id>`, `model:<tenant>/<pn>`, `group:<id>`, `account:<id>`, `account:<reference> line N`,
 * `device:<mac>`); the page knows the names behind the ids.
 */
export interface LayerNames {
  readonly tenant?: string | undefined;
  readonly group?: string | undefined;
  readonly account?: string | undefined;
}

export function layerLabel(key: string | null, names: LayerNames): string {
  if (key === null) return "—";
  const colon = key.indexOf(":");
  if (colon < 0) return key === "default" ? "factory default" : key;
  const scope = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  switch (scope) {
    case "tenant":
      return `tenant ${names.tenant ?? rest}`;
    case "model":
      return `model ${rest.slice(rest.indexOf("/") + 1)}`;
    case "group":
      return `group ${names.group ?? rest}`;
    case "account":
      return rest.includes(" line ")
        ? `account ${rest.replace(" line ", ", line ")}`
        : `account ${names.account ?? rest}`;
    case "device":
      return "this device";
    case "staging":
      return "staging profile";
    default:
      return key;
  }
}
