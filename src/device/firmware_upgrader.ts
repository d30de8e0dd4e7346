/**
 * The unit's firmware upgrade scheduling (§7.3–§7.5): when `Upgrade_Rule` is acted on
 * (after a successful resync, when the retry timer expires, after a provisioning reboot),
 * the once-only memory, the retry schedule with `$UPGST`/`$UPGERR`, C8, C9, the MPP
 * inactive partition, and the `/admin/upgrade` attempt. One attempt is `upgrade_attempt.ts`; flashing and rebooting
 * are the device's (`install`).
 */
import { type DeviceFamily, parseBool } from "../profile/index.ts";
import {
  evaluateUpgradeRule,
  formatRuleUrl,
  type LastRequest,
  type MacroVariables,
  parseRuleUrl,
  type RandomSource,
  type RuleUrl,
  resolveRuleUrl,
  scheduleFromParameter,
  tryParseVersion,
  type UpgradeState,
} from "../rules/index.ts";
import type { DeviceClock } from "./clock.ts";
import type { CompatSwitches } from "./compat.ts";
import type { LogKind } from "./device_log.ts";
import { type DhcpOptions, defaultServer } from "./dhcp_options.ts";
import { deviceError } from "./errors.ts";
import type { ParameterStore } from "./parameter_store.ts";
import {
  attemptUpgrade,
  UPGRADE_ERR,
  type UpgradeContext,
  type UpgradeOutcome,
} from "./upgrade_attempt.ts";

/** What the upgrader needs from its unit. */
export interface UpgraderHost {
  readonly params: ParameterStore;
  readonly clock: DeviceClock;
  readonly random: RandomSource;
  readonly compat: CompatSwitches;
  readonly dhcp: DhcpOptions | undefined;
  readonly family: DeviceFamily;
  swVersion(): string;
  powered(): boolean;
  /** Bumped by every boot: an attempt from before it changes nothing. */
  generation(): number;
  /** Lines idle. */
  idle(): boolean;
  /** A resync (or another attempt) is running or waiting. */
  working(): boolean;
  /** Resolves when the lines are idle and no work runs. */
  whenFree(): Promise<void>;
  /** Macro variables for the upgrade subsystem, optionally as if `$SWVER` were `swVersion`. */
  variables(swVersion?: string): MacroVariables;
  /** Transport facts of an attempt (fetcher, trust, User-Agent, logging). */
  attemptContext(
    installedFrom: string | undefined,
    selectsAgain: (version: string) => boolean,
  ): UpgradeContext;
  setWork(work: Promise<unknown> | undefined): void;
  armRetry(delayMs: number, fn: () => void): void;
  retryArmed(): boolean;
  note(message: string, kind?: LogKind): void;
  /** Log `Log_Upgrade_Failure_Msg` with `$ERR` = `err`. */
  logFailure(err: string): void;
  /** Flash and reboot into `version` (§7.4 steps 5–6). */
  install(version: string): void;
  /** §6.2.5: resync after the attempt with this `$PRVST`. */
  resyncAfterAttempt(prvst: 0 | 1): void;
}

export class FirmwareUpgrader {
  /** `$UPGST`. */
  state: UpgradeState = 1;
  /** `$UPGERR`. */
  error = "";
  /** Device clock of the last attempt (`$UPGTMR`). */
  lastAttemptAt: number | undefined;
  /** `$SCHEME`…`$ERR` of the upgrade subsystem's last request. */
  request: LastRequest = {};
  /** An attempt is due as soon as the unit is free. */
  wanted = false;
  /** Version just installed: logged as success after the reboot into it. */
  installedVersion: string | undefined;
  private retryIndex = 0;
  /** Once-only memory: rule text + effective URL → the address installed from (survives reboots). */
  private readonly installed = new Map<string, string>();
  /** C8: failures taken as success until the next reboot. */
  private readonly failedAsDone = new Set<string>();
  /**
   * MPP dual image (§7.4 step 5): the version of the load in the inactive partition —
   * the one an upgrade switched away from, or what the unit was made with. SPA: a single
   * image, never set.
   */
  private inactive: string | undefined;

  constructor(
    private readonly host: UpgraderHost,
    inactiveLoad?: string,
  ) {
    if (inactiveLoad !== undefined) {
      const v = tryParseVersion(inactiveLoad);
      if (host.family !== "mpp" || v?.format !== "mpp") {
        throw deviceError(
          "DEVICE_OPTION_INVALID",
          `an inactive load is an MPP unit's MPP version (sip88xx.11-3-1MPP-678), not ${JSON.stringify(inactiveLoad)}`,
        );
      }
      this.inactive = inactiveLoad;
    }
  }

  /** MPP: the version of the load in the inactive partition, if any. */
  get inactiveLoad(): string | undefined {
    return this.inactive;
  }

  private bool(name: string): boolean {
    return parseBool(this.host.params.get(name) ?? "") === true;
  }

  /** A boot resets the retry index and the C8 memory (§6.4, C8). */
  onBoot(): void {
    this.retryIndex = 0;
    this.wanted = false;
    this.failedAsDone.clear();
  }

  /**
   * §7.3: act on `Upgrade_Rule`. Only while idle (no forced variant); once per effective
   * URL; a rule that selects nothing does nothing.
   */
  evaluate(): void {
    const h = this.host;
    this.wanted = false;
    if (!h.powered() || !this.enabled()) return;
    const text = h.params.get("Upgrade_Rule") ?? "";
    if (text.trim() === "") return;
    if (h.working() || !h.idle()) {
      this.wanted = true;
      if (!h.idle()) h.note("upgrade waits until the lines are idle");
      return;
    }
    const evaluate = (swVersion: string) =>
      evaluateUpgradeRule(text, h.variables(swVersion), {
        family: h.family,
        upgradeHttps: h.compat.upgradeHttps,
        prefixFallback: h.compat.macroPrefixFallback,
      });
    const action = evaluate(h.swVersion());
    for (const d of action.diagnostics) h.note(`Upgrade_Rule: ${d.message}`);
    if (action.kind === "skip") return;
    for (const a of action.assignments) {
      if (h.params.has(a.name)) h.params.set(a.name, a.value);
    }
    if (action.kind === "assign-only") return;
    const dflt = defaultServer(h.dhcp, h.params.get("DHCP_Option_To_Use") ?? "66");
    const key = `${text}\n${formatRuleUrl(action.url, dflt?.host)}`;
    if (this.failedAsDone.has(key)) return;
    if (action.kind === "reject") {
      this.failed(key, UPGRADE_ERR.unsupported, `Upgrade_Rule: ${action.reason}`);
      return;
    }
    const generation = h.generation();
    const previousAttemptAt = this.lastAttemptAt;
    this.lastAttemptAt = h.clock.now();
    const context = {
      ...h.attemptContext(this.installed.get(key), (version) => {
        const again = evaluate(version);
        return again.kind === "upgrade" && again.alternativeIndex === action.alternativeIndex;
      }),
      inactiveLoad: this.inactive,
    };
    const work = attemptUpgrade(context, action).then(
      (outcome) => {
        h.setWork(undefined);
        if (generation !== h.generation()) return;
        if (outcome.kind === "skipped") {
          this.lastAttemptAt = previousAttemptAt; // nothing was attempted
          return;
        }
        if (outcome.kind === "failed") {
          this.failed(key, outcome.err);
          return;
        }
        this.installed.set(key, outcome.serverIp);
        this.succeeded(outcome.kind === "activated" ? outcome.version : outcome.image.version);
      },
      (error: unknown) => {
        h.setWork(undefined);
        h.note(`internal error during upgrade: ${String(error)}`, "error");
      },
    );
    h.setWork(work);
  }

  /** Whether a successful resync should go on to the rule (the retry timer owns retries). */
  afterResync(ok: boolean): void {
    if ((ok && !this.host.retryArmed()) || this.wanted) this.evaluate();
  }

  private enabled(): boolean {
    return this.bool("Upgrade_Enable");
  }

  private succeeded(version: string): void {
    this.state = 1;
    this.error = "";
    this.installedVersion = version;
    this.host.note(`installed firmware ${version}`);
    // MPP: the new load went to the inactive partition and the unit switched to it, so the
    // load it ran until now is the inactive one.
    if (this.host.family === "mpp") this.inactive = this.host.swVersion();
    this.host.install(version);
  }

  /**
   * `/admin/upgrade?<url>` (§7.5): one attempt from `urlText` (macro-expanded), waiting for
   * idle, independent of `Upgrade_Rule` and its once-only memory; a URL without a server
   * uses `requester`. Undefined when `Upgrade_Enable` is No.
   */
  async fromUrl(
    urlText: string,
    expanded: string,
    requester?: string,
  ): Promise<UpgradeOutcome | undefined> {
    const h = this.host;
    if (!h.powered() || !this.enabled()) return undefined;
    await h.whenFree();
    if (!h.powered()) return undefined;
    let url: RuleUrl;
    try {
      url = resolveRuleUrl(parseRuleUrl(expanded.trim()));
    } catch {
      this.failed(
        undefined,
        UPGRADE_ERR.unsupported,
        `upgrade URL ${JSON.stringify(urlText)} does not parse`,
      );
      return { kind: "failed", err: UPGRADE_ERR.unsupported };
    }
    if (url.server.kind === "default" && requester !== undefined) {
      url = { ...url, server: { kind: "host", host: requester } };
    }
    if (url.scheme === "https" && !h.compat.upgradeHttps) {
      this.failed(undefined, UPGRADE_ERR.unsupported, "this unit cannot upgrade over https");
      return { kind: "failed", err: UPGRADE_ERR.unsupported };
    }
    const generation = h.generation();
    this.lastAttemptAt = h.clock.now();
    const work = attemptUpgrade(
      { ...h.attemptContext(undefined, () => false), inactiveLoad: this.inactive },
      {
        kind: "upgrade",
        url,
        assignments: [],
        alternativeIndex: 0,
        condition: undefined,
        diagnostics: [],
      },
    );
    h.setWork(work);
    const outcome = await work;
    h.setWork(undefined);
    if (generation !== h.generation()) return outcome;
    if (outcome.kind === "installed") this.succeeded(outcome.image.version);
    else if (outcome.kind === "activated") this.succeeded(outcome.version);
    else if (outcome.kind === "failed") this.failed(undefined, outcome.err);
    return outcome;
  }

  /**
   * §7.4 steps 7–8 (and C8 for a retry delay of 0). `detail`: a failure found before any
   * request (so nothing has logged it yet). A URL upgrade (`key` undefined) is not retried.
   */
  private failed(key: string | undefined, err: string, detail?: string): void {
    const h = this.host;
    if (detail !== undefined) {
      h.note(detail, "error");
      this.request = { ...this.request, error: err };
      h.logFailure(err);
    }
    this.error = err;
    if (key !== undefined) {
      const schedule = scheduleFromParameter(h.params.get("Upgrade_Error_Retry_Delay") ?? "");
      if (schedule.kind === "disabled") {
        // C8 (Sipura): the failure counts as success; no retry until something reboots the unit.
        this.failedAsDone.add(key);
      } else {
        this.state = 2;
        const delay = schedule.delayFor(this.retryIndex++, h.random);
        h.armRetry(delay * 1000, () => this.evaluate());
      }
    }
    if (this.bool("Resync_After_Upgrade_Attempt")) h.resyncAfterAttempt(1);
  }
}
