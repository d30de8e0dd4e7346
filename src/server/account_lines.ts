/**
 * An account's lines reach the profile without hand-written templates: line N of the account
 * sets the parameters of the device model's line N — an ATA's FXS port N, a phone's
 * extension N (and its line key N shows that extension) — named as the model's catalogue
 * names them. Only parameters the model carries are set, only for lines the model has.
 *
 * Each line is one merge layer with provenance `account:<reference> line N`, placed below
 * the account's own layer: tenant, model and group layers are overridden by the account's
 * lines, and the account and device layers can still override any of them.
 */
import {
  builtInModel,
  type Catalogue,
  type ConfigLayer,
  createCatalogue,
  defaultCatalogue,
  type ProfileEntry,
} from "../profile/index.ts";
import type { Account, AccountLine } from "../store/index.ts";

/** Optional line fields a store may carry beyond the core ones (outbound proxy, voicemail). */
interface LineExtras {
  readonly outboundProxy?: string | null;
  readonly voicemailId?: string | null;
  /** Further per-line parameters by base name (`Register_Expires_` → line N's). */
  readonly extras?: Readonly<Record<string, string>> | null;
}

const modelCatalogues = new Map<string, Catalogue>();

/**
 * The catalogue of one model (its parameters, its line / line-key counts); the full one for
 * a model the catalogue does not know (custom models) or for no model. Built once per model.
 */
export function modelCatalogue(pn: string | null | undefined): Catalogue {
  if (pn === null || pn === undefined || builtInModel(pn) === undefined) return defaultCatalogue;
  let catalogue = modelCatalogues.get(pn);
  if (catalogue === undefined) {
    catalogue = createCatalogue(undefined, { model: pn });
    modelCatalogues.set(pn, catalogue);
  }
  return catalogue;
}

/** The provenance an account line's values carry. */
export function accountLineSource(account: Pick<Account, "reference">, line: number): string {
  return `account:${account.reference} line ${line}`;
}

/** The parameter entries line `line` of an account sets on a model (catalogue names only). */
function lineEntries(line: AccountLine & LineExtras, catalogue: Catalogue): ProfileEntry[] {
  const n = line.line;
  const entries: ProfileEntry[] = [];
  const set = (base: string, value: string | null | undefined) => {
    if (value === null || value === undefined) return;
    const name = `${base}_${n}_`;
    if (catalogue.lookup(name)?.definition.indexed?.over !== "line") return;
    entries.push({ name, value, access: undefined });
  };
  set("Line_Enable", "Yes");
  set("User_ID", line.userId);
  if (line.authId !== null && line.authId !== "") {
    set("Use_Auth_ID", "Yes");
    set("Auth_ID", line.authId);
  }
  set("Password", line.password?.reveal() ?? null);
  set("Display_Name", line.displayName);
  set("Proxy", line.proxy);
  if (line.outboundProxy) {
    set("Use_Outbound_Proxy", "Yes");
    set("Outbound_Proxy", line.outboundProxy);
  }
  set("Mailbox_ID", line.voicemailId);
  for (const [base, value] of Object.entries(line.extras ?? {})) set(base.replace(/_$/, ""), value);
  // A phone shows extension N on line key N.
  const key = `Extension_${n}_`;
  if (entries.length > 0 && catalogue.lookup(key)?.definition.indexed?.over === "lineKey") {
    entries.push({ name: key, value: String(n), access: undefined });
  }
  return entries;
}

/** One merge layer per account line the model has, line 1 first. */
export function accountLineLayers(account: Account | null, catalogue: Catalogue): ConfigLayer[] {
  if (account === null) return [];
  const layers: ConfigLayer[] = [];
  for (const line of [...account.lines].sort((a, b) => a.line - b.line)) {
    const entries = lineEntries(line, catalogue);
    if (entries.length > 0) layers.push({ id: accountLineSource(account, line.line), entries });
  }
  return layers;
}
