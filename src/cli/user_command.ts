/**
 * `provisio user add|list|set|passwd|remove`: admin users who sign in to the web UI with a
 * password. A password never comes from the command line (argv is visible to every local user
 * in `ps`): it is read from standard input with `--password-stdin` (its first line), or
 * prompted for twice on the terminal without echo.
 */
import type { Command } from "commander";
import { resolveTenant } from "../admin/index.ts";
import { API_ROLES, checkPasswordPolicy, type Store, type User } from "../store/index.ts";
import { parseChoice, requireChange } from "./cli_values.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  printJson,
  withInstallation,
} from "./installation.ts";
import { recordNamer } from "./record_names.ts";
import { writeStdout } from "./stdout.ts";

interface PasswordFlags extends InstallationFlags {
  passwordStdin?: boolean;
}

interface AddFlags extends PasswordFlags {
  username: string;
  role: string;
  tenant?: string;
  json?: boolean;
}

interface SetFlags extends InstallationFlags {
  role?: string;
  tenant?: string | false;
  disable?: boolean;
  enable?: boolean;
  json?: boolean;
}

/** Largest standard input read for a password: the policy's 1,024 bytes and a line end. */
const MAX_STDIN = 4096;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_STDIN) {
      throw cliError("CLI_BAD_OPTION", "--password-stdin: the password is longer than 1,024 bytes");
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text.split(/\r?\n/, 1)[0] ?? "";
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(cliError("CLI_BAD_OPTION", "cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = [...typed].slice(0, -1).join("");
        else typed += ch;
      }
    };
    input.on("data", onData);
  });
}

/** The new password: from standard input, or typed twice on a terminal; policy checked. */
async function readNewPassword(flags: PasswordFlags): Promise<string> {
  let password: string;
  if (flags.passwordStdin === true) {
    password = await readStdinLine();
  } else if (process.stdin.isTTY === true) {
    password = await promptHidden("Password: ");
    if ((await promptHidden("Again: ")) !== password) {
      throw cliError("CLI_BAD_OPTION", "the two passwords differ; nothing was changed");
    }
  } else {
    throw cliError(
      "CLI_BAD_OPTION",
      "no terminal to ask for the password on: pipe it in with --password-stdin",
    );
  }
  checkPasswordPolicy(password);
  return password;
}

/** A user by id or user name. */
async function resolveUser(store: Store, ref: string): Promise<User> {
  const byName = await store.users.findByUsername(ref).catch(() => null);
  if (byName !== null) return byName;
  const byId = (await store.users.list()).find((u) => u.id === ref);
  if (byId !== undefined) return byId;
  throw cliError(
    "CLI_NOT_FOUND",
    `no user with name or id ${JSON.stringify(ref)} (provisio user list)`,
  );
}

async function describeScope(store: Store, user: User): Promise<string> {
  return user.tenantId === null
    ? "every tenant"
    : `tenant ${await recordNamer(store).tenant(user.tenantId)}`;
}

export const registerUserCommand: RegisterCommand = (program: Command) => {
  const user = program
    .command("user")
    .description("Admin users who sign in to the web UI with a password");

  installationOptions(
    user
      .command("add")
      .description("Create a user; the password is read from stdin or prompted for")
      .requiredOption("--username <name>", "a-z, 0-9, '.', '_', '@', '-' (stored in lower case)")
      .option("--role <role>", "admin, operator or read-only", "read-only")
      .option(
        "--tenant <tenant>",
        "restrict the user to one tenant (slug or id); default: every tenant",
      )
      .option("--password-stdin", "read the password from the first line of standard input")
      .option("--json", "print the user as JSON"),
  )
    .addHelpText(
      "after",
      `
Roles as for tokens: read-only reads; operator also changes devices, accounts, groups
and layers; admin also manages tenants, models, tokens and users. A password has at
least 12 characters; only its scrypt hash is stored.

Examples:
  provisio user add --username alice --role admin
  printf '%s\\n' "$PASSWORD" | provisio user add --username noc --role operator --tenant acme --password-stdin`,
    )
    .action(async (flags: AddFlags) => {
      const role = parseChoice(flags.role, "--role", API_ROLES);
      const password = await readNewPassword(flags);
      await withInstallation(flags, async ({ store, actor }) => {
        const tenant = flags.tenant === undefined ? null : await resolveTenant(store, flags.tenant);
        const made = await store.users.create(
          { username: flags.username, password, role, tenantId: tenant?.id ?? null },
          { actor },
        );
        if (flags.json === true) {
          printJson(made);
          return;
        }
        writeStdout(
          `user ${made.username} added: role ${made.role}, ${await describeScope(store, made)}\n`,
        );
      });
    });

  installationOptions(
    user.command("list").description("List users (never their passwords)").option("--json", "JSON"),
  )
    .addHelpText("after", "\nExamples:\n  provisio user list")
    .action(async (flags: InstallationFlags & { json?: boolean }) => {
      await withInstallation(flags, async ({ store }) => {
        const users = await store.users.list();
        if (flags.json === true) {
          printJson(users);
          return;
        }
        const names = recordNamer(store);
        const rows: string[][] = [];
        for (const u of users) {
          rows.push([
            u.username,
            u.role,
            u.tenantId === null ? "*" : await names.tenant(u.tenantId),
            u.disabled ? "disabled" : "enabled",
            u.createdAt.toISOString(),
            u.lastLoginAt === null ? "never" : u.lastLoginAt.toISOString(),
          ]);
        }
        writeStdout(
          formatTable(["USERNAME", "ROLE", "TENANT", "STATE", "CREATED", "LAST LOGIN"], rows),
        );
      });
    });

  installationOptions(
    user
      .command("set")
      .description("Change a user's role or tenant, or disable it (which ends its sessions)")
      .argument("<user>", "user name or id")
      .option("--role <role>", "admin, operator or read-only")
      .option("--tenant <tenant>", "restrict the user to one tenant (slug or id)")
      .option("--no-tenant", "every tenant")
      .option("--disable", "refuse its sign-ins and end its sessions")
      .option("--enable", "allow its sign-ins again")
      .option("--json", "print the user as JSON"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  provisio user set alice --role operator\n  provisio user set bob --disable",
    )
    .action(async (ref: string, flags: SetFlags) => {
      if (flags.disable === true && flags.enable === true) {
        throw cliError("CLI_BAD_OPTION", "--disable and --enable contradict each other");
      }
      const role =
        flags.role === undefined ? undefined : parseChoice(flags.role, "--role", API_ROLES);
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveUser(store, ref);
        const patch = {
          ...(role === undefined ? {} : { role }),
          ...(flags.tenant === undefined
            ? {}
            : {
                tenantId:
                  flags.tenant === false ? null : (await resolveTenant(store, flags.tenant)).id,
              }),
          ...(flags.disable === true
            ? { disabled: true }
            : flags.enable === true
              ? { disabled: false }
              : {}),
        };
        requireChange(patch, "user");
        const updated = await store.users.update(found.id, patch, { actor });
        if (flags.json === true) {
          printJson(updated);
          return;
        }
        writeStdout(
          `user ${updated.username} saved: role ${updated.role}, ${await describeScope(store, updated)}${updated.disabled ? ", disabled" : ""}\n`,
        );
      });
    });

  installationOptions(
    user
      .command("passwd")
      .description("Set a user's password (ends its sessions); read from stdin or prompted for")
      .argument("<user>", "user name or id")
      .option("--password-stdin", "read the password from the first line of standard input"),
  )
    .addHelpText("after", "\nExamples:\n  provisio user passwd alice")
    .action(async (ref: string, flags: PasswordFlags) => {
      const password = await readNewPassword(flags);
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveUser(store, ref);
        await store.users.update(found.id, { password }, { actor });
        writeStdout(`password of ${found.username} changed; its sessions ended\n`);
      });
    });

  installationOptions(
    user
      .command("remove")
      .alias("rm")
      .description("Remove a user and end its sessions (alias: rm)")
      .argument("<user>", "user name or id"),
  )
    .addHelpText("after", "\nExamples:\n  provisio user remove alice")
    .action(async (ref: string, flags: InstallationFlags) => {
      await withInstallation(flags, async ({ store, actor }) => {
        const found = await resolveUser(store, ref);
        await store.users.remove(found.id, { actor });
        writeStdout(`removed user ${found.username}\n`);
      });
    });
};
