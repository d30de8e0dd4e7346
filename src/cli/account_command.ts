import type { Command } from "commander";
import { accountJson, resolveTenant, tenantSlugs } from "../admin/index.ts";
import type { AccountLineInput } from "../store/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

type TextField = Exclude<keyof AccountLineInput, "line" | "extras">;

const LINE_KEYS: Record<string, TextField> = {
  user_id: "userId",
  auth_id: "authId",
  password: "password",
  display_name: "displayName",
  proxy: "proxy",
  outbound_proxy: "outboundProxy",
  voicemail_id: "voicemailId",
};
/** `extra.Register_Expires=3600`: a per-line parameter by base name. */
const EXTRA_PREFIX = "extra.";

/**
 * `N:user_id=1001,password=secret,display_name=Front desk,proxy=sip.example.com`, plus
 * `outbound_proxy=…`, `voicemail_id=…` and `extra.<Parameter_Base>=value` (repeatable).
 * A comma or backslash inside a value is written `\,` or `\\`.
 */
export function parseLineSpec(spec: string): AccountLineInput {
  const match = /^(\d{1,2}):(.*)$/s.exec(spec);
  if (match === null) {
    throw cliError(
      "CLI_BAD_LINE",
      `--line must look like 1:user_id=1001,password=…,display_name=…,proxy=…; got ${JSON.stringify(spec)}`,
    );
  }
  const fields: Partial<Record<TextField, string>> = {};
  const extras: Record<string, string> = {};
  let key = "";
  let value = "";
  let inValue = false;
  const flush = () => {
    if (key === "" && value === "" && !inValue) return;
    const name = key.trim();
    const field = Object.hasOwn(LINE_KEYS, name) ? LINE_KEYS[name] : undefined;
    const extra = name.startsWith(EXTRA_PREFIX) ? name.slice(EXTRA_PREFIX.length) : undefined;
    if (field === undefined && (extra === undefined || extra === "")) {
      throw cliError(
        "CLI_BAD_LINE",
        `--line: unknown field ${JSON.stringify(name)}; fields are ${Object.keys(LINE_KEYS).join(", ")}, ${EXTRA_PREFIX}<Parameter>`,
      );
    }
    if (!inValue) throw cliError("CLI_BAD_LINE", `--line: ${name} needs =VALUE`);
    if (field !== undefined) {
      fields[field] = value;
    } else {
      if (Object.hasOwn(extras, extra!)) {
        throw cliError("CLI_BAD_LINE", `--line: ${name} appears twice`);
      }
      extras[extra!] = value;
    }
    key = "";
    value = "";
    inValue = false;
  };
  const text = match[2]!;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      const next = text[++i]!;
      if (inValue) value += next;
      else key += next;
    } else if (c === ",") {
      flush();
    } else if (c === "=" && !inValue) {
      inValue = true;
    } else if (inValue) {
      value += c;
    } else {
      key += c;
    }
  }
  flush();
  if (fields.userId === undefined || fields.userId === "") {
    throw cliError("CLI_BAD_LINE", `--line ${match[1]}: user_id is required`);
  }
  return {
    line: Number(match[1]),
    userId: fields.userId,
    ...(fields.authId === undefined ? {} : { authId: fields.authId }),
    ...(fields.password === undefined ? {} : { password: fields.password }),
    ...(fields.displayName === undefined ? {} : { displayName: fields.displayName }),
    ...(fields.proxy === undefined ? {} : { proxy: fields.proxy }),
    ...(fields.outboundProxy === undefined ? {} : { outboundProxy: fields.outboundProxy }),
    ...(fields.voicemailId === undefined ? {} : { voicemailId: fields.voicemailId }),
    ...(Object.keys(extras).length === 0 ? {} : { extras }),
  };
}

const collectLine = (value: string, previous: AccountLineInput[] = []) => [
  ...previous,
  parseLineSpec(value),
];

interface AddFlags extends InstallationFlags {
  id: string;
  tenant?: string;
  name?: string;
  line?: AccountLineInput[];
  json?: boolean;
}

export const registerAccountCommand: RegisterCommand = (program: Command) => {
  const account = program
    .command("account")
    .description("Customer service accounts and their lines (user id, password, proxy)");

  installationOptions(
    account
      .command("add")
      .description("Create an account with its lines")
      .requiredOption(
        "--id <reference>",
        "the account's reference (customer number), unique in the tenant",
      )
      .option("--tenant <tenant>", "tenant slug or id (default: the default tenant)")
      .option("--name <name>", "descriptive name")
      .option(
        "--line <spec>",
        "a line: N:user_id=…,auth_id=…,password=…,display_name=…,proxy=…,outbound_proxy=…,voicemail_id=…,extra.<Parameter>=… (repeat for more lines)",
        collectLine,
      )
      .option("--json", "print the account as JSON (passwords are never shown)"),
  )
    .addHelpText(
      "after",
      `
Line N sets the device model's line N parameters (User_ID_N_, Password_N_, Proxy_N_,
Outbound_Proxy_N_, Mailbox_ID_N_ …) without templates; extra.<Parameter>=value sets any other
per-line parameter by base name (extra.Register_Expires=3600 → Register_Expires_N_). Whatever
the model lacks is left out and shown as a warning by layer show --effective.
A comma inside a value is written \\, . Passwords are stored encrypted and never displayed.

Examples:
  provisio account add --id 1001 --line "1:user_id=1001,password=s3cret,display_name=Front desk,proxy=sip.example.com"
  provisio account add --id 1002 --line "1:user_id=1002,password=p,proxy=sip.example.com,outbound_proxy=sbc.example.com,voicemail_id=1002,extra.Register_Expires=600"
  provisio account add --id 2002 --tenant acme --name "Acme HQ" \\
      --line "1:user_id=2002,password=a" --line "2:user_id=2003,password=b"`,
    )
    .action(async (flags: AddFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = await resolveTenant(store, flags.tenant);
        const created = await store.accounts.create(
          {
            tenantId: tenant.id,
            reference: flags.id,
            ...(flags.name === undefined ? {} : { name: flags.name }),
            lines: flags.line ?? [],
          },
          { actor },
        );
        if (flags.json === true) printJson(accountJson(created));
        else {
          writeStdout(
            `added account ${created.reference} (${created.lines.length} line${created.lines.length === 1 ? "" : "s"}) to tenant ${tenant.slug}\n`,
          );
        }
      });
    });

  installationOptions(
    account
      .command("list")
      .description("List accounts and their lines (passwords never shown)")
      .option("--tenant <tenant>", "only this tenant (slug or id)")
      .option("--json", "JSON lines, one account per line"),
  )
    .addHelpText(
      "after",
      `
Examples:
  provisio account list
  provisio account list --tenant acme --json`,
    )
    .action(async (flags: InstallationFlags & { tenant?: string; json?: boolean }) => {
      await withInstallation(flags, async ({ store }) => {
        const tenant =
          flags.tenant === undefined ? undefined : await resolveTenant(store, flags.tenant);
        const slugs = await tenantSlugs(store);
        const rows: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.accounts.list({
            ...(tenant === undefined ? {} : { tenantId: tenant.id }),
            ...(after === undefined ? {} : { after }),
            limit: 1000,
          });
          for (const a of page) {
            if (flags.json === true) writeStdout(`${JSON.stringify(accountJson(a))}\n`);
            else {
              rows.push([
                a.reference,
                slugs.get(a.tenantId) ?? a.tenantId,
                a.name ?? "",
                a.lines
                  .map(
                    (l) =>
                      `${l.line}:${l.userId}${l.proxy === null ? "" : `@${l.proxy}`}${l.password === null ? "" : " (password set)"}`,
                  )
                  .join("; "),
              ]);
            }
          }
          after = page.at(-1)?.id;
          if (page.length < 1000 || after === undefined) break;
        }
        if (flags.json !== true) {
          writeStdout(formatTable(["ACCOUNT", "TENANT", "NAME", "LINES"], rows));
        }
      });
    });
};
