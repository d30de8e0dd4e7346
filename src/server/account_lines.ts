/**
 * An account's lines reach the profile without hand-written templates: line N of the account
 * sets the parameters of the device model's line N — an ATA's FXS port N, a phone's
 * extension N (and its line key N shows that extension) — named as the model's catalogue
 * names them. Only parameters the model carries are set, only for lines the model has.
 *
 * Besides user id, auth id (with Use_Auth_ID), password, display name and proxy, a line's
 * outbound proxy sets Outbound_Proxy_N_ (and Use_Outbound_Proxy_N_ where the model has it —
 * MPP phones do not), its voicemail id sets Mailbox_ID_N_ (SPA112/122 and the phones; the
 * SPA2102-family, MPP ATA and Sipura catalogues have no per-line mailbox id), and its extras
 * set further per-line parameters by base name. What the model lacks — or an extra whose value
 * is not of the parameter's type, or names a secret parameter — is left out of the profile
 * (never breaks it) and reported by `accountLineSkips`, which the effective configuration
 * lists as warnings: the model is the device's and may change after the account was written.
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

/**
 * Why a line's field or extra did not reach the profile: the model has no such per-line
 * parameter, the value is not of its type, or an extra names a secret parameter (extras are
 * stored unsealed, so secrets go through the line's own password field only).
 */
export interface AccountLineSkip {
  readonly line: number;
  /** `outboundProxy`, `voicemailId`, or `extras.<base name>`. */
  readonly field: string;
  readonly message: string;
}

interface LineMapping {
  readonly entries: ProfileEntry[];
  readonly skipped: AccountLineSkip[];
}

/** The parameter entries line `line` of an account sets on a model (catalogue names only). */
function lineEntries(line: AccountLine, catalogue: Catalogue): LineMapping {
  const n = line.line;
  const entries: ProfileEntry[] = [];
  const skipped: AccountLineSkip[] = [];
  const onLine = (base: string) => {
    const name = `${base}_${n}_`;
    return catalogue.lookup(name)?.definition.indexed?.over === "line" ? name : undefined;
  };
  const set = (base: string, value: string | null | undefined) => {
    if (value === null || value === undefined) return;
    const name = onLine(base);
    if (name !== undefined) entries.push({ name, value, access: undefined });
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
  if (line.outboundProxy !== null && line.outboundProxy !== "") {
    if (onLine("Outbound_Proxy") === undefined) {
      skipped.push({
        line: n,
        field: "outboundProxy",
        message: `the model has no Outbound_Proxy_${n}_`,
      });
    }
    // MPP phones have no Use_Outbound_Proxy_n_: the proxy alone turns it on there.
    set("Use_Outbound_Proxy", "Yes");
    set("Outbound_Proxy", line.outboundProxy);
  }
  if (line.voicemailId !== null && line.voicemailId !== "") {
    if (onLine("Mailbox_ID") === undefined) {
      skipped.push({ line: n, field: "voicemailId", message: `the model has no Mailbox_ID_${n}_` });
    }
    set("Mailbox_ID", line.voicemailId);
  }
  for (const [base, value] of Object.entries(line.extras)) {
    const field = `extras.${base}`;
    const name = onLine(base);
    if (name === undefined) {
      skipped.push({ line: n, field, message: `the model has no per-line ${base}_${n}_` });
      continue;
    }
    if (catalogue.isSecret(name)) {
      skipped.push({ line: n, field, message: `${name} is secret: extras are not sealed` });
      continue;
    }
    const check = catalogue.validate(name, value);
    if (check !== undefined && !check.valid) {
      const why = check.issues.map((i) => i.message).join("; ");
      skipped.push({ line: n, field, message: `${name}=${JSON.stringify(value)}: ${why}` });
      continue;
    }
    entries.push({ name, value, access: undefined });
  }
  // A phone shows extension N on line key N.
  const key = `Extension_${n}_`;
  if (entries.length > 0 && catalogue.lookup(key)?.definition.indexed?.over === "lineKey") {
    entries.push({ name: key, value: String(n), access: undefined });
  }
  return { entries, skipped };
}

/** One merge layer per account line the model has, line 1 first. */
export function accountLineLayers(account: Account | null, catalogue: Catalogue): ConfigLayer[] {
  if (account === null) return [];
  const layers: ConfigLayer[] = [];
  for (const line of [...account.lines].sort((a, b) => a.line - b.line)) {
    const { entries } = lineEntries(line, catalogue);
    if (entries.length > 0) layers.push({ id: accountLineSource(account, line.line), entries });
  }
  return layers;
}

/**
 * What of the account's lines the model's profile leaves out, as warnings for the effective
 * configuration. Lines past the model's line count are left out silently (a 4-line account
 * on a 2-port ATA is normal).
 */
export function accountLineSkips(account: Account | null, catalogue: Catalogue): AccountLineSkip[] {
  if (account === null) return [];
  const skipped: AccountLineSkip[] = [];
  for (const line of [...account.lines].sort((a, b) => a.line - b.line)) {
    if (catalogue.lookup(`User_ID_${line.line}_`) === undefined) continue;
    skipped.push(...lineEntries(line, catalogue).skipped);
  }
  return skipped;
}
