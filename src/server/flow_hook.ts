/**
 * A device flow that is not "a tenant's profile path" (the redirect service, retail
 * activation, …) hooks into the resync pipeline here: a new flow adds a file that implements
 * {@link FlowHook} and is passed in `PipelineOptions.hooks`, not a branch inside the pipeline.
 */
import type { Device, Tenant } from "../store/index.ts";
import type { ClientCertificate } from "./client_certificate.ts";
import type { IdentifiedBy } from "./device_identity.ts";
import type { EffectiveParameter, ProfileFinishing } from "./profile_renderer.ts";
import type { Outcome } from "./resync_outcome.ts";
import type { ResyncRequest } from "./resync_request.ts";
import type { UserAgentIdentity } from "./user_agent.ts";

/** What a hook sees of a request that passed the target checks and the certificate screen. */
export interface FlowRequest {
  readonly request: ResyncRequest;
  /** The decoded, checked path. */
  readonly path: string;
  readonly ua: UserAgentIdentity | undefined;
  /** The screened client certificate (HTTPS), if any. */
  readonly cert: ClientCertificate | undefined;
  readonly now: number;
}

export interface FlowHook {
  /**
   * The path as logs, events and the security log may show it, for paths that carry a
   * secret (an activation code); undefined = not this hook's path. Called for every request,
   * also throttled ones: keep it a cheap string test.
   */
  loggedPath?(path: string): string | undefined;
  /**
   * Called before the tenants' profile paths are matched: an outcome ends the request,
   * undefined leaves it to the next hook and then to the profile paths.
   */
  route?(
    request: FlowRequest,
  ): Promise<Outcome | ProfileHandBack | undefined> | Outcome | ProfileHandBack | undefined;
  /**
   * A known device asks for its own profile on its tenant's path and passed every check
   * (identity, certificate policy, not disabled): an outcome answers instead of the profile
   * (a refusal), a hand-back serves the profile finished the flow's way (secure
   * provisioning's bootstrap); undefined serves the profile. `by`: how the device was
   * identified.
   */
  ownProfile?(
    device: Device,
    tenant: Tenant,
    request: FlowRequest,
    by: IdentifiedBy,
  ): Promise<Outcome | ProfileHandBack | undefined> | Outcome | ProfileHandBack | undefined;
  /**
   * A device's own profile was answered (200 or 304), on its tenant's path or handed back by a
   * flow (the secure location). Runs after the answer is decided;
   * must not throw, and must not make the request wait (write in the background).
   */
  served?(device: Device, request: FlowRequest): void;
  /**
   * Parameters this flow adds to a device's own profile after every layer (the firmware
   * upgrade rule); undefined: none. Called on the request path: memory only.
   */
  amend?(device: Device, request: FlowRequest): ProfileAmendment | undefined;
}

/**
 * A change to a device's rendered parameters. `key` names the change exactly: the rendered
 * profile is cached per key, so the same key must always mean the same change.
 */
export interface ProfileAmendment {
  readonly key: string;
  apply(parameters: readonly EffectiveParameter[]): EffectiveParameter[];
}

/**
 * A device's own profile that a flow found on a path of its own (secure provisioning's
 * location) or answers in a form of its own (its bootstrap): handed back to the pipeline,
 * which renders it, applies every flow's `amend`, then the flow's `finish` (before any
 * encryption), answers it as any profile (cached, ETag / Last-Modified, 304) and runs every
 * flow's `served`. The flow has checked the request; it answers nothing itself.
 */
export interface ProfileHandBack {
  readonly serve: {
    readonly device: Device;
    readonly tenant: Tenant;
    readonly finish: ProfileFinish;
  };
}

/** The flow's part of a handed-back profile, after every amendment. */
export interface ProfileFinish extends ProfileFinishing {
  /**
   * Names the finish exactly (its keys, its pair, its rule): answers are cached per device,
   * amendment and this key, so the same key must always mean the same bytes.
   */
  readonly key: string;
  /**
   * When what the finish adds last changed (a pair's creation): the answer is at least this
   * new, so a unit asking If-Modified-Since after a rotation gets the new pair even when the
   * cached answer was dropped meanwhile (the records' times did not move).
   */
  readonly changedAt?: number | undefined;
}

export function isHandBack(answer: Outcome | ProfileHandBack): answer is ProfileHandBack {
  return "serve" in answer;
}
