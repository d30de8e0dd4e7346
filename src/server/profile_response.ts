/**
 * Rendered profiles and their ready-made answers: rendered once per version of everything a
 * profile is made of (the config cache invalidates by generation), then served from memory
 * with ETag / Last-Modified, and 304 to a device that has the current version.
 */
import type { Device, Tenant } from "../store/index.ts";
import type { ProfileAmendment, ProfileFinish } from "./flow_hook.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { ConfigCache } from "./profile_cache.ts";
import { type ProfileRenderer, type RenderedProfile, renderInputOf } from "./profile_renderer.ts";
import type { ResyncHeaders, ResyncRequest, ResyncResponse } from "./resync_request.ts";

/** A rendered profile with its ready-made responses. */
export interface CachedProfile {
  readonly rendered: RenderedProfile;
  readonly lastModifiedMs: number;
  readonly ok: ResyncResponse;
  readonly notModified: ResyncResponse;
  /** The amendment (flow_hook.ts) it was rendered with, if any. */
  readonly amendKey?: string | undefined;
  /** The finish (flow_hook.ts: secure provisioning, a content encoding) it was rendered with. */
  readonly finishKey?: string | undefined;
}

export class ProfileResponses {
  readonly #cache: ConfigCache<CachedProfile>;
  readonly #renderer: ProfileRenderer;
  readonly #metrics: ServerMetrics;

  constructor(options: {
    cache: ConfigCache<CachedProfile>;
    renderer: ProfileRenderer;
    metrics: ServerMetrics;
  }) {
    this.#cache = options.cache;
    this.#renderer = options.renderer;
    this.#metrics = options.metrics;
  }

  /** The answer to this request: the profile, or 304 when the device has it already. */
  answer(request: ResyncRequest, profile: CachedProfile): ResyncResponse {
    const inm = request.ifNoneMatch;
    if (inm !== undefined) {
      return etagMatches(inm, profile.rendered.etag) ? profile.notModified : profile.ok;
    }
    const ims = request.ifModifiedSince;
    if (ims !== undefined) {
      const since = Date.parse(ims);
      if (!Number.isNaN(since) && profile.lastModifiedMs <= since) return profile.notModified;
    }
    return profile.ok;
  }

  /** The device's current rendered profile for this amendment and finish, if cached. */
  cached(
    device: Device,
    amendment: ProfileAmendment | undefined,
    finish: ProfileFinish | undefined,
  ): CachedProfile | undefined {
    const cached = this.#cache.profile(device.mac);
    if (cached === undefined || cached.amendKey !== amendment?.key) return undefined;
    if (cached.finishKey !== finish?.key) return undefined;
    this.#metrics.cacheLookup(true);
    return cached;
  }

  /**
   * The device's rendered profile, from the cache or rendered now (and cached). One entry per
   * device: a unit fetches one variant (one path, one pair) at a time, and a variant differs
   * from the cached one by its amendment or finish key.
   */
  async get(
    device: Device,
    tenant: Tenant,
    amendment?: ProfileAmendment,
    finish?: ProfileFinish,
  ): Promise<CachedProfile> {
    const cache = this.#cache;
    const cached = cache.profile(device.mac);
    const hit =
      cached?.amendKey === amendment?.key && cached?.finishKey === finish?.key ? cached : undefined;
    this.#metrics.cacheLookup(hit !== undefined);
    if (hit !== undefined) return hit;

    // Snapshot the versions first: a change landing while we load makes this entry stale.
    const deps = cache.dependencies(device);
    const input = await renderInputOf(cache, device, tenant);
    const { model, group, account, layers } = input;
    const previous = cache.previousProfile(device.mac);
    const rendered = this.#renderer.render(
      input,
      previous?.rendered,
      amendment === undefined ? undefined : (p) => amendment.apply(p),
      finish,
    );
    if (
      previous !== undefined &&
      previous.rendered === rendered &&
      previous.amendKey === amendment?.key &&
      previous.finishKey === finish?.key
    ) {
      cache.storeProfile(device.mac, deps, previous);
      return previous;
    }
    let lastModifiedMs = Math.max(
      device.updatedAt.getTime(),
      tenant.updatedAt.getTime(),
      model?.updatedAt.getTime() ?? 0,
      group?.updatedAt.getTime() ?? 0,
      account?.updatedAt.getTime() ?? 0,
      ...layers.map((l) => l.updatedAt.getTime()),
    );
    // An amended profile changes with what the amendment depends on (a unit's next firmware
    // hop), which no record's time shows: it is as new as its rendering, so a unit asking
    // If-Modified-Since gets the new rule.
    if (amendment !== undefined) lastModifiedMs = Math.max(lastModifiedMs, Date.now());
    lastModifiedMs = Math.floor(lastModifiedMs / 1000) * 1000;
    // What the finish added last (a pair) counts from the next whole second: an answer from
    // before it, in the same second, must not look as new (Last-Modified has second resolution).
    if (finish?.changedAt !== undefined) {
      lastModifiedMs = Math.max(lastModifiedMs, Math.ceil(finish.changedAt / 1000) * 1000);
    }
    // Other content than the answer it replaces is newer than that answer, also within its
    // second (Last-Modified has second resolution): else a unit asking If-Modified-Since with
    // the previous answer's date would get 304 and keep the old content.
    if (previous !== undefined && previous.rendered.etag !== rendered.etag) {
      lastModifiedMs = Math.max(lastModifiedMs, previous.lastModifiedMs + 1000);
    }
    const lastModified = new Date(lastModifiedMs).toUTCString();
    const headers: ResyncHeaders = {
      "content-type": rendered.contentType,
      ...(rendered.contentEncoding === undefined
        ? {}
        : { "content-encoding": rendered.contentEncoding }),
      etag: rendered.etag,
      "last-modified": lastModified,
      "cache-control": "no-cache",
    };
    const entry: CachedProfile = {
      rendered,
      lastModifiedMs,
      ok: { status: 200, headers, body: rendered.body, result: "ok" },
      notModified: {
        status: 304,
        headers: {
          etag: rendered.etag,
          "last-modified": lastModified,
          "cache-control": "no-cache",
        },
        body: undefined,
        result: "not-modified",
      },
      ...(amendment === undefined ? {} : { amendKey: amendment.key }),
      ...(finish === undefined ? {} : { finishKey: finish.key }),
    };
    cache.storeProfile(device.mac, deps, entry);
    return entry;
  }
}

/** `If-None-Match` against a strong ETag (weak comparison, as RFC 9110 prescribes for GET). */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  for (const part of header.split(",")) {
    let tag = part.trim();
    if (tag.startsWith("W/")) tag = tag.slice(2);
    if (tag === etag) return true;
  }
  return false;
}
