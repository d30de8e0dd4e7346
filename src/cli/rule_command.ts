import { type Command, Option } from "commander";
import { normalizeParameterName } from "../profile/index.ts";
import {
  type DeviceFamily,
  type Diagnostic,
  deviceVariables,
  evaluateProfileRule,
  evaluateReportRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  formatRuleUrl,
  lookupMacro,
  type MacroVariables,
  type ParameterAssignment,
  type RuleUrl,
  ruleKindOf,
  type Scheme,
} from "../rules/index.ts";
import { collectPair } from "./cli_io.ts";
import { cliError } from "./errors.ts";
import { writeStdout } from "./stdout.ts";

/** A described device, as the `rule` command's flags give it. */
export interface RuleDevice {
  readonly mac: string;
  readonly model: string;
  readonly psn?: string;
  readonly serial?: string;
  readonly swver?: string;
  readonly hwver?: string;
  readonly params?: ReadonlyArray<readonly [string, string]>;
  readonly vars?: ReadonlyArray<readonly [string, string]>;
}

/** `$PSN` is the product number's digits when not given: SPA2102 → 2102, CP-8841-3PCC → 8841. */
export function productSeriesOf(model: string): string {
  return /(\d+)/.exec(model)?.[1] ?? "";
}

/** Timers are whole seconds: a rule compares them with numbers (`$PRVTMR ge 600`). */
const TIMER = /^(PRVTMR|UPGTMR|REGTMR[1-9][0-9]?)$/;
/** Variables a device always has even when the description leaves them unset. */
const KNOWN_EXTRA = /^(REGTMR[1-9][0-9]?|UID[1-9][0-9]?)$/;

/**
 * `--var` names a device knows, with values of the right kind: a typo (`REGTMR`, `regtmr1`)
 * or a timer of `abc` would otherwise pass silently and the rule read something else.
 */
function checkVariableOverrides(
  vars: ReadonlyArray<readonly [string, string]>,
  derived: MacroVariables,
): void {
  for (const [name, value] of vars) {
    const known =
      (typeof derived === "function" ? derived(name) : derived.get(name)) !== undefined ||
      KNOWN_EXTRA.test(name);
    if (!known) {
      const upper = name.toUpperCase();
      const hint =
        upper !== name && (KNOWN_EXTRA.test(upper) || lookupMacro(derived, upper) !== undefined)
          ? `; did you mean ${upper}?`
          : " (names are upper case: MA, PN, SWVER, PRVTMR, REGTMR1, A..P, …)";
      throw cliError("CLI_BAD_OPTION", `--var ${name}: not a macro variable a device has${hint}`, {
        details: { option: "--var", name },
      });
    }
    if (TIMER.test(name) && !/^\d+$/.test(value)) {
      throw cliError(
        "CLI_BAD_OPTION",
        `--var ${name}=${value}: a timer is a whole number of seconds (e.g. ${name}=600)`,
        { details: { option: "--var", name } },
      );
    }
  }
}

/** The scheme a device uses for a URL written without one: its `Transport_Protocol`. */
export function transportScheme(
  params: ReadonlyArray<readonly [string, string]> | undefined,
): Scheme | undefined {
  let value: string | undefined;
  for (const [name, v] of params ?? []) {
    if (normalizeParameterName(name) === "Transport_Protocol") value = v;
  }
  if (value === undefined) return undefined;
  const scheme = value.trim().toLowerCase();
  if (scheme === "tftp" || scheme === "http" || scheme === "https") return scheme;
  throw cliError(
    "CLI_BAD_OPTION",
    `--param Transport_Protocol=${value}: expected tftp, http or https`,
    { details: { option: "--param", name: "Transport_Protocol" } },
  );
}

/** Macro variables for the described device; `--var` overrides win over derived values. */
export function ruleVariables(device: RuleDevice): MacroVariables {
  const params = new Map<string, string>();
  for (const [name, value] of device.params ?? []) params.set(normalizeParameterName(name), value);
  const derived = deviceVariables({
    mac: device.mac,
    productName: device.model,
    productSeries: device.psn ?? productSeriesOf(device.model),
    serial: device.serial ?? "",
    swVersion: device.swver ?? "",
    hwVersion: device.hwver ?? "",
    params: (name) => params.get(name),
  });
  checkVariableOverrides(device.vars ?? [], derived);
  const overrides = new Map(device.vars ?? []);
  return (name) => overrides.get(name) ?? lookupMacro(derived, name);
}

/** What the device would do, in one shape for every rule parameter. */
export type RuleOutcome =
  | {
      readonly action: "fetch" | "upgrade";
      readonly method: "GET" | "POST";
      readonly url: string;
      readonly scheme: Scheme;
      readonly defaultServer: boolean;
      readonly key?: string;
      readonly post?: { readonly param: string; readonly body: string };
      readonly alias?: string;
      readonly uid?: string;
      readonly pwd?: string;
      readonly assignments: readonly ParameterAssignment[];
      readonly alternative: number;
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly action: "assign-only";
      readonly assignments: readonly ParameterAssignment[];
      readonly alternative: number;
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly action: "reject";
      readonly reason: string;
      readonly url: string;
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly action: "report";
      readonly uploads: ReadonlyArray<{
        url: string;
        transfer: string;
        content: string;
        key?: string;
      }>;
      readonly assignments: readonly ParameterAssignment[];
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly action: "trigger";
      /**
       * SPA firmware starts a resync when a trigger is true; MPP firmware uses triggers as
       * gates: a due scheduled resync proceeds only when one is true.
       */
      readonly role: "trigger" | "gate";
      readonly active: boolean;
      readonly value: boolean;
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly action: "skip";
      readonly reason: string;
      readonly diagnostics: readonly Diagnostic[];
    };

export interface RuleEvaluation {
  readonly parameter: string;
  /** The rule as written (before macro expansion): diagnostics point into it. */
  readonly rule: string;
  readonly family: DeviceFamily;
  readonly outcome: RuleOutcome;
}

const DEFAULT_SERVER_LABEL = "<default server>";

function urlText(url: RuleUrl, defaultServer: string | undefined): string {
  return formatRuleUrl(url, defaultServer ?? DEFAULT_SERVER_LABEL);
}

/** Evaluates a rule value as the named parameter would be evaluated on the device. */
export function evaluateRuleFor(
  parameter: string,
  rule: string,
  vars: MacroVariables,
  options: { family?: DeviceFamily; defaultScheme?: Scheme; defaultServer?: string } = {},
): RuleEvaluation {
  const kind = ruleKindOf(parameter);
  if (kind === undefined) {
    throw cliError(
      "CLI_NOT_A_RULE",
      `${parameter} is not a rule parameter (Profile_Rule, Profile_Rule_B..D, Upgrade_Rule, Report_Rule, Resync_Trigger_1/2)`,
    );
  }
  const family = options.family ?? "spa";
  const evalOptions = { family, defaultScheme: options.defaultScheme };
  const server = options.defaultServer;
  const target = (url: RuleUrl) => ({
    url: urlText(url, server),
    scheme: url.scheme,
    defaultServer: url.server.kind === "default",
  });
  const chosen = (r: {
    assignments: readonly ParameterAssignment[];
    alternativeIndex: number;
    diagnostics: readonly Diagnostic[];
  }) => ({
    assignments: r.assignments,
    alternative: r.alternativeIndex + 1,
    diagnostics: r.diagnostics,
  });
  const outcome = ((): RuleOutcome => {
    if (kind === "trigger") {
      const r = evaluateResyncTrigger(rule, vars, evalOptions);
      return {
        action: "trigger",
        role: family === "mpp" ? "gate" : "trigger",
        active: r.active,
        value: r.value,
        diagnostics: r.diagnostics,
      };
    }
    if (kind === "report") {
      const r = evaluateReportRule(rule, vars, evalOptions);
      if (r.kind === "skip")
        return { action: "skip", reason: r.reason, diagnostics: r.diagnostics };
      return {
        action: "report",
        uploads: r.uploads.map((u) => ({
          url: urlText(u.url, server),
          transfer: u.transfer,
          content: u.content,
          ...(u.key === undefined ? {} : { key: u.key }),
        })),
        assignments: r.assignments,
        diagnostics: r.diagnostics,
      };
    }
    const r =
      kind === "upgrade"
        ? evaluateUpgradeRule(rule, vars, evalOptions)
        : evaluateProfileRule(rule, vars, evalOptions);
    switch (r.kind) {
      case "skip":
        return { action: "skip", reason: r.reason, diagnostics: r.diagnostics };
      case "assign-only":
        return { action: "assign-only", ...chosen(r) };
      case "reject":
        return {
          action: "reject",
          reason: r.reason,
          url: urlText(r.url, server),
          diagnostics: r.diagnostics,
        };
      case "upgrade":
        return { action: "upgrade", method: "GET", ...target(r.url), ...chosen(r) };
      case "fetch":
        return {
          action: "fetch",
          method: r.method,
          ...target(r.url),
          ...(r.key === undefined ? {} : { key: r.key }),
          ...(r.post === undefined ? {} : { post: r.post }),
          ...(r.alias === undefined ? {} : { alias: r.alias }),
          ...(r.uid === undefined ? {} : { uid: r.uid }),
          ...(r.pwd === undefined ? {} : { pwd: r.pwd }),
          ...chosen(r),
        };
    }
  })();
  return { parameter, rule, family, outcome };
}

/** Human-readable rendering, one fact per line. */
export function formatRuleEvaluation(e: RuleEvaluation): string {
  const o = e.outcome;
  const lines: string[] = [];
  const assignments = (list: readonly ParameterAssignment[]) => {
    for (const a of list) lines.push(`  assign   ${a.name} = ${JSON.stringify(a.value)}`);
  };
  switch (o.action) {
    case "fetch":
    case "upgrade":
      lines.push(`${o.action === "fetch" ? "fetch" : "upgrade"}  ${o.method} ${o.url}`);
      if (o.defaultServer)
        lines.push("  server   none in the rule: the DHCP-supplied / default server");
      if (o.key !== undefined)
        lines.push(`  key      ${JSON.stringify(o.key)} (AES-256-CBC profile expected)`);
      if (o.post) lines.push(`  body     value of ${o.post.param}: ${JSON.stringify(o.post.body)}`);
      if (o.alias) lines.push(`  alias    element map in ${o.alias}`);
      if (o.uid !== undefined) lines.push(`  uid      ${JSON.stringify(o.uid)}`);
      if (o.pwd !== undefined) lines.push(`  pwd      ${JSON.stringify(o.pwd)}`);
      assignments(o.assignments);
      lines.push(`  chosen   alternative ${o.alternative}`);
      break;
    case "assign-only":
      lines.push("assign only (nothing fetched)");
      assignments(o.assignments);
      lines.push(`  chosen   alternative ${o.alternative}`);
      break;
    case "reject":
      lines.push(`reject   ${o.url} (${o.reason})`);
      break;
    case "report":
      lines.push("report");
      for (const u of o.uploads) {
        lines.push(
          `  ${u.transfer.padEnd(9)} ${u.url} (${u.content}${u.key === undefined ? "" : ", encrypted"})`,
        );
      }
      assignments(o.assignments);
      break;
    case "trigger":
      if (!o.active) lines.push(`${o.role.padEnd(8)} inactive (empty)`);
      else if (o.role === "gate") {
        lines.push(
          o.value
            ? "gate     true: a due scheduled resync proceeds"
            : "gate     false: a due scheduled resync is skipped unless another trigger is true",
          "  note     MPP triggers gate scheduled resyncs (periodic, daily, boot, retry); web and SIP NOTIFY resyncs ignore them",
        );
      } else {
        lines.push(`trigger  ${o.value ? "true: resync now" : "false: no resync"}`);
      }
      break;
    case "skip":
      lines.push(`skip     (${o.reason})`);
      break;
  }
  for (const d of o.diagnostics) lines.push(...diagnosticLines(e.parameter, e.rule, d));
  return `${lines.join("\n")}\n`;
}

/**
 * `Profile_Rule:1:12: message [CODE]` like a compiler, then the rule line and a caret under
 * the column (rules are one line, or a few when XML carried newlines).
 */
export function diagnosticLines(parameter: string, rule: string, d: Diagnostic): string[] {
  if (d.column === undefined) return [`  ${parameter}: ${d.message} [${d.code}]`];
  const line = d.line ?? 1;
  const out = [`  ${parameter}:${line}:${d.column}: ${d.message} [${d.code}]`];
  const text = rule.split(/\r?\n/)[line - 1];
  // A caret only where it stays readable: a short line, and a column within it.
  if (text !== undefined && text.length <= 200 && d.column <= text.length + 1) {
    out.push(`    ${text}`, `    ${" ".repeat(d.column - 1)}^`);
  }
  return out;
}

interface RuleFlags {
  as: string;
  mac: string;
  model: string;
  psn?: string;
  serial?: string;
  swver?: string;
  hwver?: string;
  param?: Array<[string, string]>;
  var?: Array<[string, string]>;
  family: DeviceFamily;
  scheme?: Scheme;
  server?: string;
  json?: boolean;
}

export function registerRule(program: Command): void {
  program
    .command("rule")
    .description(
      "evaluate a Profile_Rule / Upgrade_Rule / Report_Rule / Resync_Trigger for a described device",
    )
    .argument("<rule>", "the rule text, as it would be in the parameter")
    .option("--as <parameter>", "the parameter holding the rule", "Profile_Rule")
    .option("--mac <mac>", "device MAC ($MA, $MAU, $MAC)", "000e08012345")
    .option("--model <pn>", "product name ($PN)", "SPA2102")
    .option("--psn <psn>", "product series ($PSN); default: the digits of --model")
    .option("--serial <sn>", "serial number ($SN)")
    .option("--swver <version>", "firmware version ($SWVER), e.g. 7.5.5 or sip88xx.11-3-1MPP-678")
    .option("--hwver <version>", "hardware version ($HWVER)")
    .option(
      "--param <name=value>",
      "a device parameter, e.g. GPP_A=Provisioned (repeatable)",
      collectPair,
    )
    .option(
      "--var <name=value>",
      "override a macro variable, e.g. REGTMR1=0 (repeatable)",
      collectPair,
    )
    .addOption(
      new Option("--family <family>", "firmware family")
        .choices(["sipura", "spa", "mpp"])
        .default("spa"),
    )
    .addOption(
      new Option(
        "--scheme <scheme>",
        "scheme for URLs without one (default: --param Transport_Protocol, else tftp)",
      ).choices(["tftp", "http", "https"]),
    )
    .option("--server <host>", "the DHCP-supplied server, for URLs without a host")
    .option("--json", "print the evaluation as JSON")
    .addHelpText(
      "after",
      `
Examples:
  provisio rule 'http://prov.example.com/cisco/$MA.cfg' --mac 00:0e:08:01:23:45
  provisio rule '("$A" ne "Provisioned")? (Line_Enable_1_ = "No";)! https://p.tel.com/init-prov | https://p.tel.com/configs' \\
      --param GPP_A=Provisioned
  provisio rule '($SWVER lt 7.5.5)? http://fw.example.com/spa-7-5-5.bin' --as Upgrade_Rule --model SPA504G --swver 7.4.8a
  provisio rule '[--key $SA] /spa$PSN.cfg' --param GPP_SA=SecretPhrase1234 --server 192.0.2.10 --json`,
    )
    .action((rule: string, flags: RuleFlags) => {
      const vars = ruleVariables({
        mac: flags.mac,
        model: flags.model,
        psn: flags.psn,
        serial: flags.serial,
        swver: flags.swver,
        hwver: flags.hwver,
        params: flags.param,
        vars: flags.var,
      });
      const evaluation = evaluateRuleFor(normalizeParameterName(flags.as), rule, vars, {
        family: flags.family,
        // A device uses its Transport_Protocol for URLs without a scheme; --scheme wins.
        defaultScheme: flags.scheme ?? transportScheme(flags.param),
        defaultServer: flags.server,
      });
      writeStdout(
        flags.json ? `${JSON.stringify(evaluation, null, 2)}\n` : formatRuleEvaluation(evaluation),
      );
      // The device skips a rule it cannot parse; a script checking rules wants to know.
      if (evaluation.outcome.action === "skip" && evaluation.outcome.reason === "syntax-error") {
        process.exitCode = 1;
      }
    });
}
