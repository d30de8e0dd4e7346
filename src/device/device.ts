/**
 * One emulated SPA/MPP unit: identity, parameter table, provisioning state, and the
 * resync scheduler of §6 — boot resync with its random delay, periodic schedule, daily
 * `Resync_At`, error-retry schedule, `Resync_Trigger_1/2`, idle-only resync with
 * `Forced_Resync_Delay` — driving the run of §6.7 (resync_sequence.ts). Every timer goes
 * through the injected clock and every random delay through the injected random source.
 */
import { EventEmitter } from "node:events";
import { rootCertificates } from "node:tls";
import { type Catalogue, parseBool } from "../profile/index.ts";
import {
  bootDelayMaxSeconds,
  deviceVariables,
  evaluateReportRule,
  expandMacros,
  expandMacrosTracked,
  type LastRequest,
  type MacroVariables,
  type ProvisioningState,
  parseProfileRule,
  parseResyncAt,
  type RandomSource,
  scheduleFromParameter,
} from "../rules/index.ts";
import { type Account, type EditRefusal, editParameter } from "./access_control.ts";
import { AppliedFiles } from "./applied_files.ts";
import { type DeviceClock, systemDeviceClock } from "./clock.ts";
import { type CompatSwitches, defaultCompat } from "./compat.ts";
import {
  type Customization,
  customizationAfterRcFetch,
  initialCustomization,
  isCustomized,
  type RemoteCustomization,
} from "./customization.ts";
import { nextDailyResync } from "./daily_resync.ts";
import { DeviceLog, type LogKind } from "./device_log.ts";
import type { DhcpOptions } from "./dhcp_options.ts";
import { deviceError } from "./errors.ts";
import { ERR } from "./fetch_result.ts";
import { FirmwareUpgrader, type UpgraderHost } from "./firmware_upgrader.ts";
import {
  createIdentity,
  type DeviceIdentity,
  type DeviceIdentityInput,
  userAgent,
} from "./identity.ts";
import { type ProductInformation, productInformation } from "./info_page.ts";
import { networkFetcher } from "./network_fetcher.ts";
import { ParameterStore } from "./parameter_store.ts";
import { decodeProfile } from "./profile_decoder.ts";
import type { ProfileFetcher, ServerNameCheck } from "./profile_fetcher.ts";
import {
  afterProfileApplied,
  afterResyncSucceeded,
  type ProvisioningStateName,
} from "./provisioning_state.ts";
import { seededRandom, uniformSeconds } from "./random.ts";
import { type ReportContext, type ReportResult, sendReport } from "./report_upload.ts";
import { appliesLiveByDefault } from "./restart_policy.ts";
import { type RequestRecord, type RuleToRun, runResyncSequence } from "./resync_sequence.ts";
import {
  anyTriggerWritten,
  evaluateTriggers,
  gateClosed,
  type TriggerState,
} from "./resync_triggers.ts";
import { type SyslogTransport, syslogLine, syslogTarget, UdpSyslog } from "./syslog_sender.ts";
import type { UpgradeOutcome } from "./upgrade_attempt.ts";

export interface DeviceOptions extends DeviceIdentityInput {
  readonly clock?: DeviceClock;
  /** Random source for every random delay; default `seededRandom(seed ?? 1)`. */
  readonly random?: RandomSource;
  readonly seed?: number;
  /** Default: the real network (TFTP, HTTP, HTTPS). */
  readonly fetcher?: ProfileFetcher;
  readonly dhcp?: DhcpOptions;
  /** `$IP`, `$EXTIP`. */
  readonly ip?: string;
  readonly extIp?: string;
  /**
   * CA certificates (PEM) trusted for HTTPS servers: the vendor's server CA of §8.3.1.
   * MPP also trusts the well-known public CAs; SPA trusts nothing else.
   */
  readonly trustedServerCas?: readonly string[];
  /** An RC unit (§1.1.2): factory rule pointing at the RC server, customization Pending. */
  readonly remoteCustomization?: RemoteCustomization;
  readonly catalogue?: Catalogue;
  readonly compat?: Partial<CompatSwitches>;
  /** Device local time = clock + this offset (NTP + time zone); default 0 (UTC). */
  readonly utcOffsetMinutes?: number;
  /** False: no NTP time, so no daily resync (§6.2.3). Default true. */
  readonly timeKnown?: boolean;
  /** Voice lines (for `$REGTMRn` and idle detection); default 2. */
  readonly lines?: number;
  readonly logCapacity?: number;
  /**
   * Which parameters apply without a restart (§6.7 notes); default the provisioning,
   * GPP, upgrade and log parameters. A change to any other one reboots the unit.
   */
  readonly appliesLive?: (name: string) => boolean;
  /** Where syslog lines go when `Syslog_Server` is set; default UDP. */
  readonly syslogTransport?: SyslogTransport;
  /**
   * The installation's targeting secret, for Provisio SPC files targeted to this unit's
   * MAC: what a real unit carries in its firmware as SPC's product secret (every unit
   * knows it). Without it, MAC-targeted files fail as corrupt; certificate-targeted ones
   * open with the unit's own client certificate key.
   */
  readonly installationSecret?: Uint8Array;
  /** MPP: the load (an MPP version) in the inactive partition; default none. */
  readonly inactiveLoad?: string;
}

/** §12.5: what the Mute LED shows while resyncs fail. */
export type ProvisioningIndicator = "ok" | "unreachable" | "fileError";

/** Why a resync runs (§6.2); `$PRVST` follows from it. */
/** `upgrade`: after a firmware upgrade attempt (§6.2.5). */
export type ResyncCause = "boot" | "periodic" | "at" | "trigger" | "retry" | "explicit" | "upgrade";

const PRVST: Readonly<Record<ResyncCause, ProvisioningState>> = {
  explicit: -1,
  boot: 0,
  periodic: 1,
  at: 1,
  trigger: 1,
  retry: 2,
  // After an upgrade attempt: 0 when the upgrade rebooted the unit, else 1 (§6.2).
  upgrade: 1,
};

export interface ResyncReport {
  readonly cause: ResyncCause;
  readonly prvst: ProvisioningState;
  /** Device clock when it became due and when it started and ended. */
  readonly dueAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly ok: boolean;
  readonly err: string;
  readonly requests: readonly RequestRecord[];
  /** Parameters changed by the run: by a file (value or access) or by an assignment. */
  readonly changed: readonly string[];
  /** True when the run was started by `Forced_Resync_Delay` during a call. */
  readonly forced: boolean;
}

export interface RebootRecord {
  readonly time: number;
  readonly reason: string;
}

/** §12.7: the timers a test can read. Times are device-clock epoch ms. */
export interface TimerSnapshot {
  readonly prvtmrSeconds: number;
  readonly upgtmrSeconds: number;
  readonly regtmrSeconds: readonly number[];
  readonly bootResyncAt: number | undefined;
  readonly periodicAt: number | undefined;
  readonly retryAt: number | undefined;
  readonly upgradeRetryAt: number | undefined;
  readonly forcedResyncAt: number | undefined;
  readonly dailyResyncAt: number | undefined;
  readonly triggerPollAt: number | undefined;
}

export interface DeviceEvents {
  resync: [ResyncReport];
  reboot: [RebootRecord];
  state: [ProvisioningStateName];
}

type TimerName =
  | "boot"
  | "periodic"
  | "retry"
  | "daily"
  | "forced"
  | "trigger"
  | "countdown"
  | "upgradeRetry"
  | "upgradeCheck";

interface Armed {
  readonly handle: unknown;
  readonly at: number;
}

interface Due {
  cause: ResyncCause;
  prvst: ProvisioningState;
  rule: string | undefined;
  readonly dueAt: number;
  readonly waiters: ((report: ResyncReport | undefined) => void)[];
}

/** Marks a deferred reboot caused by an applied profile (C12). */
const PROFILE_REBOOT = "\u0000profile";

const RULE_NAMES = ["Profile_Rule", "Profile_Rule_B", "Profile_Rule_C", "Profile_Rule_D"] as const;

export class Device extends EventEmitter<DeviceEvents> {
  private id: DeviceIdentity;
  readonly params: ParameterStore;
  readonly log: DeviceLog;
  readonly compat: CompatSwitches;
  private readonly clock: DeviceClock;
  private readonly random: RandomSource;
  private readonly fetcher: ProfileFetcher;
  private readonly options: DeviceOptions;
  private readonly lineCount: number;
  private readonly appliesLive: (name: string) => boolean;

  private powered = false;
  /** Bumped by every boot and power-off, so a run from before it schedules nothing. */
  private generation = 0;
  private bootAt = 0;
  private lastAttemptAt: number | undefined;
  private periodicIndex = 0;
  private retryIndex = 0;
  private readonly timers = new Map<TimerName, Armed>();
  private dailyKey = "";
  private pending: Due | undefined;
  private inFlight: Promise<void> | undefined;
  private pendingReboot: string | undefined;
  private readonly calls = new Set<number>();
  /** Per line: undefined = registered, else the time registration was lost. */
  private readonly registrationLostAt: (number | undefined)[];
  private currentPrvst: ProvisioningState | undefined;
  private lastRequest: LastRequest = {};
  private state: ProvisioningStateName = "MFG-RESET";
  private customizationStatus: Customization;
  private readonly reboots: RebootRecord[] = [];
  private indicator: ProvisioningIndicator = "ok";
  private readonly upgrader: FirmwareUpgrader;
  private readonly idleWaiters: (() => void)[] = [];
  /** Names changed outside a resync since the last resync, reboot or upgrade (`--delta`). */
  private readonly changedSinceSync = new Set<string>();
  /** The files the resyncs applied last, by rule. */
  private readonly appliedFiles = new AppliedFiles();
  private readonly udpSyslog = new UdpSyslog();
  private readonly syslogTransport: SyslogTransport;

  constructor(options: DeviceOptions) {
    super();
    this.options = options;
    this.id = createIdentity(options);
    this.compat = {
      ...defaultCompat(this.identity.family, this.identity.productName),
      ...options.compat,
    };
    this.clock = options.clock ?? systemDeviceClock;
    this.random = options.random ?? seededRandom(options.seed ?? 1);
    this.fetcher = options.fetcher ?? networkFetcher();
    this.lineCount = options.lines ?? 2;
    if (!Number.isInteger(this.lineCount) || this.lineCount < 1 || this.lineCount > 16) {
      throw deviceError("DEVICE_OPTION_INVALID", "lines must be a whole number from 1 to 16");
    }
    this.appliesLive = options.appliesLive ?? appliesLiveByDefault;
    this.registrationLostAt = Array.from({ length: this.lineCount }, () => undefined);
    const rc = options.remoteCustomization;
    this.params = new ParameterStore({
      family: this.identity.family,
      ...(options.catalogue === undefined ? {} : { catalogue: options.catalogue }),
      ...(rc === undefined ? {} : { factoryOverrides: { Profile_Rule: rc.profileRule } }),
      uaAbsent: this.compat.uaAbsent,
      emptyXmlValue: this.compat.emptyXmlValue,
    });
    this.customizationStatus = initialCustomization(rc);
    this.log = new DeviceLog(options.logCapacity ?? 1000);
    this.syslogTransport = options.syslogTransport ?? this.udpSyslog.send;
    this.upgrader = new FirmwareUpgrader(this.upgraderHost(), options.inactiveLoad);
  }

  // ------------------------------------------------------------------ observation

  /** Who the unit is; `swVersion` changes when an upgrade is installed. */
  get identity(): DeviceIdentity {
    return this.id;
  }

  /** MPP: the version of the load in the inactive partition (an upgrade swaps them). */
  get inactiveLoad(): string | undefined {
    return this.upgrader.inactiveLoad;
  }

  get provisioningState(): ProvisioningStateName {
    return this.state;
  }

  /** Info page "Product Information" (§12.1). */
  get productInformation(): ProductInformation {
    return productInformation(this.identity, this.customizationStatus);
  }

  /** Info page "Customization" (§1.1.3, §12.1). */
  get customization(): Customization {
    return this.customizationStatus;
  }

  /** §12.5: `unreachable` (server down), `fileError` (not found, corrupt) or `ok`. */
  get provisioningIndicator(): ProvisioningIndicator {
    return this.indicator;
  }

  get isPoweredOn(): boolean {
    return this.powered;
  }

  /** Reboot history, oldest first (MPP keeps the last 5; the emulator keeps them all). */
  get rebootHistory(): readonly RebootRecord[] {
    return this.reboots;
  }

  /** True while no call is up on any line (§6.3). */
  get idle(): boolean {
    return this.calls.size === 0;
  }

  /**
   * The §5.3 variables as they are now. `$SCHEME`…`$ERR` describe the last request of the
   * subsystem asking (resync or upgrade).
   */
  variables(subsystem: "resync" | "upgrade" = "resync", swVersion?: string): MacroVariables {
    const now = this.clock.now();
    return deviceVariables({
      mac: this.identity.mac,
      productName: this.identity.productName,
      productSeries: this.identity.productSeries,
      serial: this.identity.serial,
      swVersion: swVersion ?? this.identity.swVersion,
      hwVersion: this.identity.hwVersion,
      ...(this.options.ip === undefined ? {} : { ip: this.options.ip }),
      ...(this.options.extIp === undefined ? {} : { extIp: this.options.extIp }),
      certStatus: this.identity.clientCertificate === undefined ? "Not Installed" : "Installed",
      params: (name) => this.params.get(name),
      timers: {
        prvtmr: this.prvtmrSeconds(now),
        upgtmr: Math.max(0, (now - (this.upgrader.lastAttemptAt ?? this.bootAt)) / 1000),
        regtmr: this.registrationLostAt.map((t) => (t === undefined ? 0 : (now - t) / 1000)),
      },
      ...(this.currentPrvst === undefined ? {} : { provisioningState: this.currentPrvst }),
      upgradeState: this.upgrader.state,
      upgradeError: this.upgrader.error,
      lastRequest: subsystem === "upgrade" ? this.upgrader.request : this.lastRequest,
      customized: isCustomized(this.customizationStatus),
    });
  }

  /** Expands `text` with the device's variables (`$SA`..`$SD` stay literal). */
  expand(text: string): string {
    return expandMacros(text, this.variables(), {
      prefixFallback: this.compat.macroPrefixFallback,
    });
  }

  timerSnapshot(): TimerSnapshot {
    const now = this.clock.now();
    const at = (name: TimerName) => this.timers.get(name)?.at;
    return {
      prvtmrSeconds: Math.floor(this.prvtmrSeconds(now)),
      upgtmrSeconds: Math.floor(
        Math.max(0, (now - (this.upgrader.lastAttemptAt ?? this.bootAt)) / 1000),
      ),
      regtmrSeconds: this.registrationLostAt.map((t) =>
        t === undefined ? 0 : Math.floor((now - t) / 1000),
      ),
      bootResyncAt: at("boot"),
      periodicAt: at("periodic"),
      retryAt: at("retry"),
      upgradeRetryAt: at("upgradeRetry"),
      forcedResyncAt: at("forced") ?? at("countdown"),
      dailyResyncAt: at("daily"),
      triggerPollAt: at("trigger"),
    };
  }

  /** Resolves when no resync is running or waiting to run. */
  async settled(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  // ------------------------------------------------------------------ power and lines

  /** Power on (or power-cycle): boot, then resync per §6.2.1. */
  powerOn(): void {
    this.boot("Power On");
  }

  /** Power off: every timer stops; a running fetch finishes but nothing follows it. */
  powerOff(): void {
    this.powered = false;
    this.generation++;
    this.clearAllTimers();
    this.failPending();
    this.udpSyslog.close();
  }

  /** A restart with a reason (MPP reboot history, §12.1). Waits for idle unless `now`. */
  reboot(reason = "User Triggered", now = false): void {
    if (!now && !this.idle) {
      this.pendingReboot = reason;
      this.note(`reboot (${reason}) deferred until the lines are idle`);
      return;
    }
    this.boot(reason);
  }

  /** §2.4, §9.4: every parameter back to factory, state MFG-RESET, then a reboot. */
  factoryReset(): void {
    this.params.reset();
    this.reboots.length = 0;
    this.customizationStatus = initialCustomization(this.options.remoteCustomization);
    this.setState("MFG-RESET");
    this.note("factory reset");
    this.boot("Factory Reset");
  }

  startCall(line = 1): void {
    this.checkLine(line);
    this.calls.add(line);
    // C4 idleCountdown: a new call stops the countdown; it restarts at the next hang-up.
    if (this.timers.has("countdown")) this.disarm("countdown");
  }

  endCall(line = 1): void {
    this.checkLine(line);
    this.calls.delete(line);
    if (this.idle) this.becameIdle();
  }

  /** Registration state of a line, for `$REGTMRn` (0 while registered). */
  setRegistered(line: number, registered: boolean): void {
    this.checkLine(line);
    if (registered) this.registrationLostAt[line - 1] = undefined;
    else if (this.registrationLostAt[line - 1] === undefined) {
      this.registrationLostAt[line - 1] = this.clock.now();
    }
  }

  // ------------------------------------------------------------------ configuration

  /**
   * Admin edits on the web page, without "Submit All Changes" (no reboot): for setting a
   * unit up before it boots. A `Profile_Rule` set this way moves MFG-RESET to SP-CUST
   * (§2.2 way 3).
   */
  configure(values: Readonly<Record<string, string>>): void {
    const before = this.ruleValues();
    for (const [name, value] of Object.entries(values)) {
      if (this.params.get(name) !== value) this.changedSinceSync.add(name);
      if (!this.params.set(name, value)) {
        throw deviceError(
          "DEVICE_OPTION_INVALID",
          `${name} does not accept ${JSON.stringify(value)}`,
          {
            name,
          },
        );
      }
    }
    this.setState(
      afterProfileApplied(this.state, {
        setsNonDefaultProfileRule: this.profileRuleChangedToNonDefault(before),
        targeted: false,
        keyRulesAfter: this.hasKeyRule(),
      }),
    );
    this.rearmAfterChange();
  }

  /** "Submit All Changes": configure, then reboot (which resyncs on reset, C12). */
  submit(values: Readonly<Record<string, string>>): void {
    this.configure(values);
    this.reboot("Provisioning", true);
  }

  /**
   * One edit on the web page as `account` (§3.2.3, §9.1): the reason when refused. Like a
   * real page it takes effect on submit; call `reboot()` for "Submit All Changes".
   */
  edit(account: Account, name: string, value: string): EditRefusal | undefined {
    const before = this.params.get(name);
    const refused = editParameter(this.params, account, name, value);
    if (refused === undefined && before !== value) this.changedSinceSync.add(name);
    return refused;
  }

  /**
   * MPP `POST /admin/config.xml` (§9.5): the posted bytes are decoded and applied like a
   * resync's file (no `--key`), when `Provision_Enable` allows it; a change that needs a
   * restart reboots the unit.
   */
  applyProfileBytes(
    bytes: Uint8Array,
  ): { ok: true; changed: number } | { ok: false; detail: string } {
    if (!this.bool("Provision_Enable")) return { ok: false, detail: "Provision_Enable is No" };
    const decoded = decodeProfile(bytes, { digests: this.compat.kdfDigests });
    if (!decoded.ok) return { ok: false, detail: decoded.detail };
    const before = this.ruleValues();
    const applied = this.params.apply(decoded.profile);
    const names = applied.changes.map((c) => c.name);
    this.setState(
      afterProfileApplied(this.state, {
        setsNonDefaultProfileRule: this.profileRuleChangedToNonDefault(before),
        targeted: false,
        keyRulesAfter: this.hasKeyRule(),
      }),
    );
    this.rearmAfterChange();
    if (names.some((n) => !this.appliesLive(n))) this.rebootForProfile();
    return { ok: true, changed: names.length };
  }

  /**
   * "Submit All Changes" on the web page as `account`: every edit the account may make is
   * stored, the rest are refused (by name); when something changed the unit reboots and,
   * per C12, resyncs on reset.
   */
  submitEdits(
    account: Account,
    values: Readonly<Record<string, string>>,
  ): Readonly<Record<string, EditRefusal>> {
    const refused: Record<string, EditRefusal> = {};
    const before = this.ruleValues();
    let changed = false;
    for (const [name, value] of Object.entries(values)) {
      const old = this.params.get(name);
      const r = this.edit(account, name, value);
      if (r !== undefined) refused[name] = r;
      else if (old !== value) changed = true;
    }
    if (changed) {
      this.setState(
        afterProfileApplied(this.state, {
          setsNonDefaultProfileRule: this.profileRuleChangedToNonDefault(before),
          targeted: false,
          keyRulesAfter: this.hasKeyRule(),
        }),
      );
      this.reboot("Provisioning");
    }
    return refused;
  }

  /**
   * IVR/LCD factory reset (§9.4): refused when `Protect_IVR_FactoryReset` is Yes, or when an
   * admin password is set and `password` is not it. True when the unit was reset.
   */
  ivrFactoryReset(password = ""): boolean {
    if (this.bool("Protect_IVR_FactoryReset")) return false;
    const admin = this.params.get("Admin_Passwd") ?? "";
    if (admin !== "" && password !== admin) return false;
    this.factoryReset();
    return true;
  }

  /**
   * What an authenticated SIP NOTIFY `Event: report` makes the unit do (§8.4, §9.6): one
   * upload per `Report_Rule` target, no retries. Resolves with one result per upload.
   */
  async report(): Promise<readonly ReportResult[]> {
    if (!this.powered) return [];
    const action = evaluateReportRule(this.params.get("Report_Rule") ?? "", this.variables(), {
      family: this.identity.family,
      prefixFallback: this.compat.macroPrefixFallback,
    });
    for (const d of action.diagnostics) this.note(`Report_Rule: ${d.message}`);
    if (action.kind === "skip") return [];
    for (const a of action.assignments)
      if (this.params.has(a.name)) this.params.set(a.name, a.value);
    const ctx: ReportContext = {
      params: this.params,
      fetcher: this.fetcher,
      dhcp: this.options.dhcp,
      family: this.identity.family,
      userAgent: userAgent(this.identity, this.compat.uaIncludesMac),
      clientCertificate: this.identity.clientCertificate,
      trustedCas: this.trustedCas(),
      nameCheck: this.nameCheck(),
      changedSinceSync: this.changedSinceSync,
      info: this.productInformation,
      hidePasswords: this.compat.reportHidePasswords,
      note: (m, kind) => this.note(m, kind),
    };
    const results: ReportResult[] = [];
    for (const upload of action.uploads) results.push(await sendReport(ctx, upload));
    return results;
  }

  // ------------------------------------------------------------------ resync requests

  /**
   * An explicit resync (`/admin/resync[?rule]`, NOTIFY, LCD; `$PRVST` -1). With a rule,
   * that rule replaces the four for this one run and is not stored (§6.7 notes). Waits
   * for idle like every resync. Resolves with the run's report, or undefined when
   * `Provision_Enable` is No or the unit is off.
   */
  resync(rule?: string): Promise<ResyncReport | undefined> {
    return new Promise((resolve) => {
      if (!this.powered) {
        resolve(undefined);
        return;
      }
      this.due("explicit", rule, resolve);
    });
  }

  /**
   * `/admin/upgrade?<url>` (§7.5): one attempt from `urlText` (macro-expanded), waiting for
   * idle, independent of `Upgrade_Rule` and its once-only memory; a URL without a server
   * uses `requester` (the browser's address). Undefined when `Upgrade_Enable` is No.
   */
  upgrade(urlText: string, requester?: string): Promise<UpgradeOutcome | undefined> {
    return this.upgrader.fromUrl(urlText, this.expand(urlText), requester);
  }

  /** Adds an emulator note to the device log (for the unit's listeners). */
  notice(message: string, kind: LogKind = "note"): void {
    this.note(message, kind);
  }

  // ------------------------------------------------------------------ internals

  private checkLine(line: number): void {
    if (!Number.isInteger(line) || line < 1 || line > this.lineCount) {
      throw deviceError(
        "DEVICE_OPTION_INVALID",
        `line ${line} does not exist (1–${this.lineCount})`,
      );
    }
  }

  private prvtmrSeconds(now: number): number {
    return Math.max(0, (now - (this.lastAttemptAt ?? this.bootAt)) / 1000);
  }

  private note(message: string, kind: LogKind = "note"): void {
    this.log.add({ time: this.clock.now(), kind, message });
  }

  private setState(next: ProvisioningStateName): void {
    if (next === this.state) return;
    this.state = next;
    this.note(`provisioning state ${next}`);
    this.emit("state", next);
  }

  private bool(name: string): boolean {
    return parseBool(this.params.get(name) ?? "") === true;
  }

  private num(name: string): number {
    const n = Number((this.params.get(name) ?? "").trim());
    return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
  }

  private arm(name: TimerName, delayMs: number, fn: () => void): void {
    this.disarm(name);
    const at = this.clock.now() + delayMs;
    const handle = this.clock.setTimeout(() => {
      if (this.timers.get(name)?.handle !== handle) return;
      this.timers.delete(name);
      fn();
    }, delayMs);
    this.timers.set(name, { handle, at });
  }

  private disarm(name: TimerName): void {
    const t = this.timers.get(name);
    if (t !== undefined) {
      this.clock.clearTimeout(t.handle);
      this.timers.delete(name);
    }
  }

  private clearAllTimers(): void {
    for (const name of [...this.timers.keys()]) this.disarm(name);
    this.dailyKey = "";
  }

  private failPending(): void {
    const p = this.pending;
    this.pending = undefined;
    if (p !== undefined) for (const w of p.waiters) w(undefined);
  }

  private boot(reason: string, afterProfile = false, afterUpgrade = false): void {
    this.generation++;
    this.clearAllTimers();
    this.failPending();
    this.powered = true;
    this.pendingReboot = undefined;
    this.bootAt = this.clock.now();
    this.lastAttemptAt = undefined;
    this.periodicIndex = 0;
    this.retryIndex = 0;
    this.upgrader.onBoot();
    this.changedSinceSync.clear();
    const record = { time: this.bootAt, reason };
    this.reboots.push(record);
    this.note(`boot (${reason})`);
    this.emit("reboot", record);
    this.armDaily();
    this.armTriggerPoll();
    const profileReboot = afterProfile;
    if (afterUpgrade) {
      // §7.4 step 6: the success line once running the new image; then §6.2.5.
      this.upgrader.request = {
        ...this.upgrader.request,
        error: this.upgrader.installedVersion ?? "",
      };
      this.syslog("upgradeSuccess");
      this.upgrader.installedVersion = undefined;
      if (this.bool("Resync_After_Upgrade_Attempt")) this.due("upgrade", undefined, undefined, 0);
      else if (this.identity.family !== "mpp") this.armPeriodic();
      return;
    }
    if (afterProfile && (this.params.get("Upgrade_Rule") ?? "").trim() !== "") {
      // The resync that caused this reboot would have gone on to the upgrade rule (§6.7).
      this.arm("upgradeCheck", 0, () => this.upgrader.evaluate());
    }
    if (this.bool("Resync_On_Reset") && (!profileReboot || this.compat.resyncAfterProfileReboot)) {
      const max = bootDelayMaxSeconds(
        this.num("Resync_Random_Delay"),
        this.compat.randomDelayUnitSeconds,
      );
      const delay = uniformSeconds(this.random, max);
      this.arm("boot", delay * 1000, () => this.due("boot"));
    } else if (this.identity.family !== "mpp" || profileReboot) {
      // SPA: the periodic timer runs from boot (§6.2.1 step 3). MPP arms it only after a
      // successful resync, which a provisioning reboot has just had.
      this.armPeriodic();
    }
  }

  /** A resync became due: run it now, or wait for idle (§6.3). */
  private due(
    cause: ResyncCause,
    rule?: string,
    waiter?: (report: ResyncReport | undefined) => void,
    prvst: ProvisioningState = PRVST[cause],
  ): void {
    if (!this.powered) {
      waiter?.(undefined);
      return;
    }
    if (this.inFlight !== undefined && cause !== "explicit" && this.pending === undefined) {
      // The run in progress re-arms every timer when it ends; a second one would repeat it.
      this.note(`resync (${cause}) due while one is running: covered by it`);
      return;
    }
    if (this.pending !== undefined) {
      // One pending resync covers every cause; an explicit request (and its rule) wins.
      if (cause === "explicit") {
        this.pending.cause = cause;
        this.pending.prvst = prvst;
        if (rule !== undefined) this.pending.rule = rule;
      }
      if (waiter !== undefined) this.pending.waiters.push(waiter);
      return;
    }
    this.pending = {
      cause,
      prvst,
      rule,
      dueAt: this.clock.now(),
      waiters: waiter === undefined ? [] : [waiter],
    };
    if (this.inFlight !== undefined) return; // started when the running one ends
    this.startOrDefer();
  }

  private startOrDefer(): void {
    if (this.pending === undefined) return;
    const cap = this.num("Forced_Resync_Delay");
    if (this.idle) {
      if (this.compat.forcedDelayMode === "idleCountdown" && this.pendingWaitedForIdle && cap > 0) {
        this.arm("countdown", cap * 1000, () => {
          if (this.idle) this.start(false);
        });
        return;
      }
      this.start(false);
      return;
    }
    if (this.compat.forcedDelayMode === "cap") {
      if (cap === 0) {
        this.start(true);
        return;
      }
      const deadline = this.pending.dueAt + cap * 1000;
      if (!this.timers.has("forced")) {
        this.note(`resync deferred: a call is up (forced at the latest in ${cap} s)`);
        this.arm("forced", Math.max(0, deadline - this.clock.now()), () => this.start(true));
      }
    } else {
      this.pendingWaitedForIdle = true;
      this.note("resync deferred: a call is up (countdown starts when the lines go idle)");
    }
  }

  private pendingWaitedForIdle = false;

  private becameIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
    if (this.pendingReboot !== undefined) {
      const reason = this.pendingReboot;
      this.pendingReboot = undefined;
      if (reason === PROFILE_REBOOT) this.boot("Provisioning", true);
      else this.boot(reason);
      return;
    }
    if (
      this.pending !== undefined &&
      this.inFlight === undefined &&
      !this.timers.has("countdown")
    ) {
      this.disarm("forced");
      this.startOrDefer();
    } else if (this.upgrader.wanted && this.inFlight === undefined) {
      this.upgrader.evaluate();
    }
  }

  private start(forced: boolean): void {
    const due = this.pending;
    if (due === undefined || this.inFlight !== undefined) return;
    this.pending = undefined;
    this.pendingWaitedForIdle = false;
    this.disarm("forced");
    this.disarm("countdown");
    const generation = this.generation;
    const work = this.run(due, forced, generation).then(
      (report) => {
        this.inFlight = undefined;
        for (const w of due.waiters) w(report);
        if (generation === this.generation) this.afterRun(report);
      },
      (error: unknown) => {
        this.inFlight = undefined;
        for (const w of due.waiters) w(undefined);
        this.note(`internal error during resync: ${String(error)}`, "error");
        if (this.powered && generation === this.generation) this.scheduleRetry();
      },
    );
    this.inFlight = work;
    this.clock.track?.(work);
  }

  private afterRun(report: ResyncReport | undefined): void {
    if (!this.powered) return;
    if (report?.ok) {
      const restart = report.changed.filter((n) => !this.appliesLive(n));
      if (restart.length > 0) {
        this.note(
          `restart needed for ${restart.slice(0, 5).join(", ")}${restart.length > 5 ? ", …" : ""}`,
        );
        this.rebootForProfile();
        return;
      }
    }
    if (this.pending !== undefined) this.startOrDefer();
    // §6.7, last step: the upgrade rule.
    else this.upgrader.afterResync(report?.ok === true);
  }

  /** §6.7: reboot when idle after a change that needs it; no Resync_On_Reset (C12). */
  private rebootForProfile(): void {
    if (this.idle) this.boot("Provisioning", true);
    else {
      this.pendingReboot = PROFILE_REBOOT;
      this.note("reboot (Provisioning) deferred until the lines are idle");
    }
  }

  private triggers(): TriggerState {
    return evaluateTriggers((n) => this.params.get(n), this.variables(), this.identity.family);
  }

  /** The run (§6.7). Resolves undefined when Provision_Enable is No or the gate is closed. */
  private async run(
    due: Due,
    forced: boolean,
    generation: number,
  ): Promise<ResyncReport | undefined> {
    const startedAt = this.clock.now();
    if (!this.bool("Provision_Enable")) {
      this.note(`resync (${due.cause}) not done: Provision_Enable is No`);
      return undefined;
    }
    if (
      due.cause !== "explicit" &&
      this.compat.triggerSemantics === "gate" &&
      gateClosed(this.triggers())
    ) {
      this.note(`resync (${due.cause}) skipped: no Resync_Trigger is true`);
      this.scheduleNextNormally(due.cause);
      return undefined;
    }
    this.currentPrvst = due.prvst;
    this.lastAttemptAt = startedAt;
    const rules: RuleToRun[] =
      due.rule !== undefined
        ? [{ name: "explicit", text: () => due.rule! }]
        : RULE_NAMES.map((name) => ({ name, text: () => this.ruleText(name) }));
    const rulesBefore = this.ruleValues();
    const rcRule = this.options.remoteCustomization?.profileRule;
    const fromRc =
      due.rule === undefined && rcRule !== undefined && this.params.get("Profile_Rule") === rcRule;
    const family = this.identity.family;
    const result = await runResyncSequence(
      {
        params: this.params,
        applied: this.appliedFiles,
        fetcher: this.fetcher,
        dhcp: this.options.dhcp,
        evaluate: {
          family,
          prefixFallback: this.compat.macroPrefixFallback,
          ...(this.transportProtocol() === undefined
            ? {}
            : { defaultScheme: this.transportProtocol()! }),
        },
        digests: this.compat.kdfDigests,
        userAgent: userAgent(this.identity, this.compat.uaIncludesMac),
        clientCertificate: this.identity.clientCertificate,
        targetIdentity: {
          mac: this.identity.mac,
          ...(this.options.installationSecret === undefined
            ? {}
            : { installationSecret: this.options.installationSecret }),
          ...(this.identity.clientCertificate === undefined
            ? {}
            : { privateKeyPem: this.identity.clientCertificate.privateKeyPem }),
        },
        trustedCas: this.trustedCas(),
        nameCheck: this.nameCheck(),
        variables: () => this.variables(),
        setLastRequest: (r) => {
          this.lastRequest = r;
        },
        syslog: (which) => this.syslog(which),
        note: (m, kind) => this.note(m, kind),
      },
      rules,
    );
    const changed = [...new Set([...result.assigned, ...result.changes.map((c) => c.name)])];
    this.changedSinceSync.clear();
    const current = generation === this.generation;
    if (result.changes.length > 0 || result.requests.some((r) => r.outcome === "ok")) {
      this.setState(
        afterProfileApplied(this.state, {
          setsNonDefaultProfileRule: this.profileRuleChangedToNonDefault(rulesBefore),
          targeted: result.targeted,
          keyRulesAfter: this.hasKeyRule(),
        }),
      );
    }
    this.indicator = result.ok
      ? "ok"
      : result.err === ERR.fileNotFound || result.err === ERR.corrupt
        ? "fileError"
        : "unreachable";
    if (result.ok) {
      this.setState(afterResyncSucceeded(this.state, result.usedKey));
      if (fromRc && result.firstRuleEntries !== undefined && this.options.remoteCustomization) {
        this.customizationStatus = customizationAfterRcFetch(
          family,
          this.options.remoteCustomization,
          result.firstRuleEntries,
        );
      }
      if (current) {
        this.retryIndex = 0;
        this.disarm("retry");
        this.armPeriodic();
      }
    } else if (current) {
      this.scheduleRetry();
    }
    if (current) this.rearmAfterChange();
    const report: ResyncReport = {
      cause: due.cause,
      prvst: due.prvst,
      dueAt: due.dueAt,
      startedAt,
      finishedAt: this.clock.now(),
      ok: result.ok,
      err: result.err,
      requests: result.requests,
      changed,
      forced,
    };
    this.emit("resync", report);
    return report;
  }

  /**
   * §6.9 (emulator reading): DHCP option 160 replaces a `Profile_Rule` still at its
   * factory value, when `DHCP_Option_To_Use` lists 160.
   */
  private ruleText(name: string): string {
    const text = this.params.get(name) ?? "";
    const url = this.options.dhcp?.option160?.trim();
    if (name !== "Profile_Rule" || url === undefined || url === "") return text;
    const order = (this.params.get("DHCP_Option_To_Use") ?? "").split(",").map((o) => o.trim());
    return order.includes("160") && this.params.isFactoryValue(name) ? url : text;
  }

  private upgraderHost(): UpgraderHost {
    return {
      params: this.params,
      clock: this.clock,
      random: this.random,
      compat: this.compat,
      dhcp: this.options.dhcp,
      family: this.identity.family,
      swVersion: () => this.identity.swVersion,
      powered: () => this.powered,
      generation: () => this.generation,
      idle: () => this.idle,
      working: () => this.inFlight !== undefined || this.pending !== undefined,
      whenFree: async () => {
        while (this.powered && (!this.idle || this.inFlight !== undefined)) {
          if (this.inFlight !== undefined) await this.inFlight;
          else await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        }
      },
      variables: (swVersion) => this.variables("upgrade", swVersion),
      attemptContext: (installedFrom, selectsAgain) => ({
        params: this.params,
        fetcher: this.fetcher,
        dhcp: this.options.dhcp,
        family: this.identity.family,
        productName: this.identity.productName,
        productSeries: this.identity.productSeries,
        userAgent: userAgent(this.identity, this.compat.uaIncludesMac),
        clientCertificate: this.identity.clientCertificate,
        trustedCas: this.trustedCas(),
        nameCheck: this.nameCheck(),
        setLastRequest: (r) => {
          this.upgrader.request = r;
        },
        syslog: (which) => this.syslog(which === "request" ? "upgradeRequest" : "upgradeFailure"),
        note: (m, kind) => this.note(m, kind),
        selectsAgain,
        installedFrom,
      }),
      setWork: (work) => {
        if (work === undefined) {
          this.inFlight = undefined;
          return;
        }
        const w = work.then(
          () => undefined,
          () => undefined,
        );
        this.inFlight = w;
        this.clock.track?.(w);
      },
      armRetry: (ms, fn) => this.arm("upgradeRetry", ms, fn),
      retryArmed: () => this.timers.has("upgradeRetry"),
      note: (m, kind) => this.note(m, kind),
      logFailure: () => this.syslog("upgradeFailure"),
      install: (version) => {
        this.id = { ...this.id, swVersion: version };
        this.boot("Upgrade", false, true);
      },
      resyncAfterAttempt: (prvst) => this.due("upgrade", undefined, undefined, prvst),
    };
  }

  private transportProtocol(): "tftp" | "http" | "https" | undefined {
    const t = (this.params.get("Transport_Protocol") ?? "").trim().toLowerCase();
    return t === "tftp" || t === "http" || t === "https" ? t : undefined;
  }

  private trustedCas(): readonly string[] {
    const own = this.options.trustedServerCas ?? [];
    if (this.identity.family !== "mpp") return own;
    // MPP also trusts the well-known public CAs (§8.3.1).
    return [...own, ...rootCertificates];
  }

  private nameCheck(): ServerNameCheck {
    if (this.identity.family !== "mpp") return "cn";
    return this.params.get("HTTPS_Name_Validate") === "No" ? "none" : "san";
  }

  private syslog(
    which:
      | "request"
      | "success"
      | "failure"
      | "upgradeRequest"
      | "upgradeSuccess"
      | "upgradeFailure",
  ): void {
    const mpp = this.identity.family === "mpp";
    const name = {
      request: mpp ? "Log_Request_Msg" : "Log_Resync_Request_Msg",
      success: mpp ? "Log_Success_Msg" : "Log_Resync_Success_Msg",
      failure: mpp ? "Log_Failure_Msg" : "Log_Resync_Failure_Msg",
      upgradeRequest: "Log_Upgrade_Request_Msg",
      upgradeSuccess: "Log_Upgrade_Success_Msg",
      upgradeFailure: "Log_Upgrade_Failure_Msg",
    }[which];
    const template = this.params.get(name) ?? "";
    if (template === "") return;
    const targets: { host: string; port: number }[] = [];
    for (const server of ["Syslog_Server", "Debug_Server"]) {
      const target = syslogTarget(this.params.get(server) ?? "");
      if (target === undefined) continue;
      if (this.options.syslogTransport !== undefined || UdpSyslog.reaches(target.host)) {
        targets.push(target);
      }
    }
    // Nobody would see the line (a fleet keeps no log and the servers are unreachable
    // names): building it would change nothing.
    if (targets.length === 0 && !this.log.wanted) return;
    const time = this.clock.now();
    const message = expandMacros(
      template,
      this.variables(which.startsWith("upgrade") ? "upgrade" : "resync"),
      { prefixFallback: this.compat.macroPrefixFallback },
    );
    this.log.add({ time, kind: "syslog", message });
    for (const target of targets) {
      this.syslogTransport(
        target.host,
        target.port,
        syslogLine(message, time, this.options.utcOffsetMinutes ?? 0),
      );
    }
  }

  private armPeriodic(): void {
    this.disarm("periodic");
    if (
      parseResyncAt(this.params.get("Resync_At__HHmm_") ?? "") !== undefined &&
      this.options.timeKnown !== false
    ) {
      return; // §6.2.3: a valid Resync_At disables Resync_Periodic
    }
    const schedule = scheduleFromParameter(this.params.get("Resync_Periodic") ?? "");
    if (schedule.kind === "disabled") return;
    const delay = schedule.delayFor(this.periodicIndex, this.random);
    this.periodicIndex++;
    this.arm("periodic", delay * 1000, () => this.due("periodic"));
  }

  private scheduleRetry(): void {
    this.disarm("periodic");
    const text = this.params.get("Resync_Error_Retry_Delay") ?? "";
    const schedule = scheduleFromParameter(text);
    let delay: number;
    if (schedule.kind === "disabled") {
      // C2: `0` means no automatic retry (adopted) or an immediate one.
      if (this.compat.zeroRetryMeans !== "immediate" || text.trim() !== "0") {
        this.note("no automatic retry (Resync_Error_Retry_Delay is 0)");
        return;
      }
      delay = 0;
    } else {
      delay = schedule.delayFor(this.retryIndex, this.random);
    }
    this.retryIndex++;
    this.arm("retry", delay * 1000, () => this.due("retry"));
  }

  /** MPP gate closed: the cause's own timer runs again, no index advances. */
  private scheduleNextNormally(cause: ResyncCause): void {
    if (cause === "retry") {
      this.retryIndex = Math.max(0, this.retryIndex - 1);
      this.scheduleRetry();
    } else if (cause === "periodic" || cause === "boot") {
      this.periodicIndex = Math.max(0, this.periodicIndex - (cause === "periodic" ? 1 : 0));
      this.armPeriodic();
    }
  }

  /** §6.2.3: the next daily window `[HH:mm, HH:mm + W]`, a random moment in it. */
  private armDaily(): void {
    const text = this.params.get("Resync_At__HHmm_") ?? "";
    const spread = this.num("Resync_At_Random_Delay");
    const key = `${text}|${spread}`;
    const at = parseResyncAt(text);
    if (at === undefined || this.options.timeKnown === false) {
      this.disarm("daily");
      this.dailyKey = "";
      return;
    }
    this.dailyKey = key;
    const now = this.clock.now();
    const fireAt = nextDailyResync(
      now,
      at,
      spread,
      this.options.utcOffsetMinutes ?? 0,
      this.random,
    );
    this.arm("daily", fireAt - now, () => {
      this.dailyKey = "";
      this.armDaily();
      this.due("at");
    });
  }

  /** SPA trigger semantics (C3): evaluate once per second while idle. */
  private armTriggerPoll(): void {
    const active =
      this.compat.triggerSemantics === "trigger" && anyTriggerWritten((n) => this.params.get(n));
    if (!active) {
      this.disarm("trigger");
      return;
    }
    if (this.timers.has("trigger")) return;
    this.arm("trigger", 1000, () => {
      this.armTriggerPoll();
      if (!this.idle || this.pending !== undefined || this.inFlight !== undefined) return;
      const { firing } = this.triggers();
      if (firing !== undefined) {
        this.note(`${firing} is true: resync`);
        this.due("trigger");
      }
    });
  }

  /** Parameters that drive timers may have changed: re-arm what depends on them. */
  private rearmAfterChange(): void {
    if (!this.powered) return;
    const key = `${this.params.get("Resync_At__HHmm_") ?? ""}|${this.num("Resync_At_Random_Delay")}`;
    if (key !== this.dailyKey) {
      this.armDaily();
      if (this.dailyKey !== "") this.disarm("periodic");
    }
    this.armTriggerPoll();
  }

  private ruleValues(): string[] {
    return RULE_NAMES.map((n) => this.params.get(n) ?? "");
  }

  private profileRuleChangedToNonDefault(before: readonly string[]): boolean {
    return RULE_NAMES.some((name, i) => {
      const now = this.params.get(name) ?? "";
      return now !== before[i] && !this.params.isFactoryValue(name);
    });
  }

  /** Some Profile_Rule* carries `--key` (SEC-PRV states, §2.4). */
  private hasKeyRule(): boolean {
    for (const name of RULE_NAMES) {
      const text = this.params.get(name) ?? "";
      if (!text.includes("--key")) continue;
      try {
        const expanded = expandMacrosTracked(text, this.variables()).text;
        if (parseProfileRule(expanded).alternatives.some((a) => a.options.key !== undefined))
          return true;
      } catch {
        // a rule that does not parse carries no usable key
      }
    }
    return false;
  }
}
