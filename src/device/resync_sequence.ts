/**
 * One resync run, the loop of the normative procedure (§6.7): for each rule in order,
 * expand and evaluate it (the rules engine), perform the selected alternative's
 * assignments, fetch its URL, decode and apply the profile, and log the request and
 * result through the `Log_*` templates. The first failure stops the run (§4.1).
 * Scheduling what comes next is the device's business (device.ts).
 */
import { AES128GCM_CONTENT_ENCODING, isSpcContainer, type KdfDigest } from "../crypto/index.ts";
import type { AppliedChange } from "../profile/index.ts";
import {
  type Diagnostic,
  type EvaluateOptions,
  evaluateProfileRule,
  type LastRequest,
  type MacroVariables,
  requestTarget,
} from "../rules/index.ts";
import { type AppliedFiles, fileFingerprint } from "./applied_files.ts";
import type { DhcpOptions } from "./dhcp_options.ts";
import { defaultServer } from "./dhcp_options.ts";
import { ERR } from "./fetch_result.ts";
import type { ClientCertificate } from "./identity.ts";
import type { ParameterStore } from "./parameter_store.ts";
import type { TargetIdentity } from "./profile_decoder.ts";
import { addressesOf, type ProfileFetcher, type ServerNameCheck } from "./profile_fetcher.ts";
import { hostAllowed } from "./restricted_domains.ts";
import { decodeShared } from "./shared_decodes.ts";

/** One fetch the run made (or tried), for reports and tests. */
export interface RequestRecord {
  /** The rule parameter it came from, or `explicit`. */
  readonly rule: string;
  /** `scheme://host:port/target` as requested. */
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly outcome: "ok" | "not-found" | "failed" | "corrupt";
  readonly err: string;
  readonly detail?: string;
  /** Parameters whose value or access changed. */
  readonly changed: number;
  readonly encrypted: boolean;
}

export interface SequenceResult {
  readonly ok: boolean;
  /** `$ERR` of the failure, `""` on success. */
  readonly err: string;
  readonly requests: readonly RequestRecord[];
  readonly changes: readonly AppliedChange[];
  /** Parameters whose value an assignment expression changed (§4.4). */
  readonly assigned: readonly string[];
  /** A file was fetched with `--key` and applied. */
  readonly usedKey: boolean;
  /** Some applied file reached this unit only (HTTPS with its client certificate). */
  readonly targeted: boolean;
  /** Number of profile entries applied by the first rule (RC customization). */
  readonly firstRuleEntries: number | undefined;
}

export interface SequenceContext {
  readonly params: ParameterStore;
  /** The files this unit applied last, by rule (re-applying one may be skipped). */
  readonly applied: AppliedFiles;
  readonly fetcher: ProfileFetcher;
  readonly dhcp: DhcpOptions | undefined;
  readonly evaluate: EvaluateOptions;
  readonly digests: readonly KdfDigest[];
  readonly userAgent: string;
  readonly clientCertificate: ClientCertificate | undefined;
  /** What opens a Provisio SPC container targeted to this unit. */
  readonly targetIdentity?: TargetIdentity;
  readonly trustedCas: readonly string[];
  readonly nameCheck: ServerNameCheck;
  /** The device's macro variables as of now (timers, last request, current parameters). */
  variables(): MacroVariables;
  setLastRequest(request: LastRequest): void;
  /** Logs a `Log_*` template, macro-expanded; an empty template logs nothing (§6.8). */
  syslog(template: "request" | "success" | "failure"): void;
  note(message: string, kind?: "note" | "error"): void;
}

export interface RuleToRun {
  /** Parameter name (`Profile_Rule_B`) or `explicit`. */
  readonly name: string;
  /** Read when the rule's turn comes: an earlier file of the run may have changed it. */
  readonly text: () => string;
}

function describeDiagnostics(rule: string, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map(
    (d) => `${rule}: ${d.message}${d.column === undefined ? "" : ` (column ${d.column})`}`,
  );
}

export async function runResyncSequence(
  ctx: SequenceContext,
  rules: readonly RuleToRun[],
): Promise<SequenceResult> {
  const requests: RequestRecord[] = [];
  const changes: AppliedChange[] = [];
  const assigned: string[] = [];
  let usedKey = false;
  let targeted = false;
  let firstRuleEntries: number | undefined;
  const result = (ok: boolean, err: string): SequenceResult => ({
    ok,
    err,
    requests,
    changes,
    assigned,
    usedKey,
    targeted,
    firstRuleEntries,
  });

  for (const [index, rule] of rules.entries()) {
    const action = evaluateProfileRule(rule.text(), ctx.variables(), ctx.evaluate);
    for (const line of describeDiagnostics(rule.name, action.diagnostics)) {
      ctx.note(line, action.kind === "skip" && action.reason === "syntax-error" ? "error" : "note");
    }
    if (action.kind === "skip") {
      if (action.reason === "syntax-error")
        ctx.note(`${rule.name} skipped: it does not parse`, "error");
      continue;
    }
    for (const a of action.assignments) {
      if (!ctx.params.has(a.name)) {
        ctx.note(`${rule.name}: no parameter ${a.name}; assignment ignored`);
        continue;
      }
      const before = ctx.params.get(a.name);
      if (!ctx.params.set(a.name, a.value)) {
        ctx.note(`${rule.name}: ${a.name} refuses ${JSON.stringify(a.value)}; assignment ignored`);
      } else if (before !== a.value) {
        assigned.push(a.name);
      }
    }
    if (action.kind === "assign-only") continue;

    const { url } = action;
    let host: string;
    let port = url.port;
    if (url.server.kind === "host") host = url.server.host;
    else {
      const dflt = defaultServer(ctx.dhcp, ctx.params.get("DHCP_Option_To_Use") ?? "66");
      if (dflt === undefined) {
        // §6.9: the fetch fails at once — still one request line and one failure line (§6.8).
        const last = {
          scheme: url.scheme,
          server: "",
          serverIp: "",
          port,
          path: requestTarget(url),
        };
        ctx.setLastRequest({ ...last, error: "" });
        ctx.syslog("request");
        ctx.setLastRequest({ ...last, error: ERR.noServer });
        ctx.note(`${rule.name}: the URL names no server and DHCP gave none`, "error");
        ctx.syslog("failure");
        requests.push({
          rule: rule.name,
          url: `${url.scheme}://:${port}${requestTarget(url)}`,
          method: action.method,
          outcome: "failed",
          err: ERR.noServer,
          detail: "the URL names no server and DHCP gave none",
          changed: 0,
          encrypted: false,
        });
        return result(false, ERR.noServer);
      }
      host = dflt.host;
      port = dflt.port ?? port;
    }
    const target = requestTarget(url);
    const where = `${url.scheme}://${host}:${port}${target}`;
    const record = (outcome: RequestRecord["outcome"], err: string, detail?: string, changed = 0) =>
      requests.push({
        rule: rule.name,
        url: where,
        method: action.method,
        outcome,
        err,
        ...(detail === undefined ? {} : { detail }),
        changed,
        encrypted: action.key !== undefined,
      });
    const fail = (
      err: string,
      detail: string,
      outcome: RequestRecord["outcome"] = "failed",
    ): SequenceResult => {
      ctx.setLastRequest({ ...lastOf(), error: err });
      ctx.note(`${rule.name}: ${detail}`, "error");
      ctx.syslog("failure");
      record(outcome, err, detail);
      return result(false, err);
    };
    let serverIp = "";
    const lastOf = (): LastRequest => ({
      scheme: url.scheme,
      server: host,
      serverIp,
      port,
      path: target,
    });

    if (!hostAllowed(host, ctx.params.get("Restricted_Access_Domains") ?? "")) {
      return fail(ERR.restricted, `${host} is outside Restricted_Access_Domains`);
    }
    const addresses = await addressesOf(ctx.fetcher, host);
    serverIp = addresses[0] ?? "";
    // §6.7: the request line precedes the fetch, name resolution included (§6.8).
    ctx.setLastRequest({ ...lastOf(), error: "" });
    ctx.syslog("request");
    if (addresses.length === 0) return fail(ERR.dns, `cannot resolve ${host}`);
    const fetched = await ctx.fetcher.fetch({
      scheme: url.scheme,
      host,
      addresses,
      port,
      target,
      method: action.method,
      ...(action.post === undefined ? {} : { body: action.post.body }),
      ...(action.uid === undefined ? {} : { uid: action.uid }),
      ...(action.pwd === undefined ? {} : { pwd: action.pwd }),
      userAgent: ctx.userAgent,
      ...(ctx.clientCertificate === undefined ? {} : { clientCertificate: ctx.clientCertificate }),
      trustedCas: ctx.trustedCas,
      nameCheck: ctx.nameCheck,
    });
    serverIp = fetched.serverIp || serverIp;
    if (fetched.kind === "not-found" && ctx.params.get("Resync_Fails_On_FNF") === "No") {
      // §6.5: with Resync_Fails_On_FNF = No a missing file is a successful, empty resync.
      ctx.setLastRequest({ ...lastOf(), error: fetched.err });
      ctx.syslog("success");
      record("not-found", fetched.err, fetched.detail);
      if (index === 0) firstRuleEntries = 0;
      continue;
    }
    if (fetched.kind !== "ok") return fail(fetched.err, fetched.detail, fetched.kind);

    const aliasMap = action.alias === undefined ? undefined : ctx.params.get(action.alias);
    const decodeOptions = {
      ...(action.key === undefined ? {} : { key: action.key }),
      ...(aliasMap === undefined ? {} : { aliasMap }),
      digests: ctx.digests,
      // MPP: an aes128gcm body is keyed by the phone's IKM (a --key wins, §3.6.6).
      ...(ctx.evaluate.family === "mpp" && fetched.contentEncoding === AES128GCM_CONTENT_ENCODING
        ? { aes128gcmIkm: ctx.params.get("IKM_HTTP_Encrypt_Content") ?? "" }
        : {}),
      // Only containers decode per unit; plain files stay shared between units.
      ...(ctx.targetIdentity !== undefined && isSpcContainer(fetched.body)
        ? { identity: ctx.targetIdentity }
        : {}),
    };
    const fingerprint = fileFingerprint(fetched.body, decodeOptions);
    // The same file onto the table it produced changes nothing (applied_files.ts says why):
    // what applying it said is said again, without decoding and applying it.
    let file = ctx.applied.replay(rule.name, fingerprint, ctx.params.revision);
    let changedCount = 0;
    if (file === undefined) {
      const decoded = decodeShared(fingerprint, fetched.body, decodeOptions);
      if (!decoded.ok) return fail(ERR.corrupt, `${where}: ${decoded.detail}`, "corrupt");
      if (decoded.targeted) targeted = true;
      const applied = ctx.params.apply(decoded.profile);
      changes.push(...applied.changes);
      file = {
        fingerprint,
        revision: ctx.params.revision,
        entries: decoded.profile.entries.length,
        notes: decoded.notes,
        rejected: applied.rejected,
        preservesValues: decoded.profile.entries.some((e) => e.preserveValue === true),
        changedNothing: applied.changes.length === 0,
      };
      ctx.applied.remember(rule.name, file);
      changedCount = applied.changes.length;
    }
    for (const n of file.notes) ctx.note(`${where}: ${n}`);
    for (const r of file.rejected) {
      ctx.note(`${where}: ${r.name} refuses ${JSON.stringify(r.value)}; previous value kept`);
    }
    if (action.key !== undefined) usedKey = true;
    if (fetched.clientAuthenticated) targeted = true;
    if (index === 0) firstRuleEntries = file.entries;
    ctx.setLastRequest({ ...lastOf(), error: "" });
    ctx.syslog("success");
    record("ok", "", undefined, changedCount);
  }
  return result(true, "");
}
