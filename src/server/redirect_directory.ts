/**
 * What the redirect flow reads on the hot path: registered units and redirect profiles,
 * cached in memory (unknown MACs too) and dropped by the change feed (entity `redirect`),
 * so a transfer or release stops the previous owner's redirect at once on every server.
 */
import type {
  ChangeNotice,
  CustomizationStatus,
  MacAddress,
  RedirectProfile,
  RedirectUnit,
  Store,
} from "../store/index.ts";
import { BoundedMap } from "./profile_cache.ts";

export class RedirectDirectory {
  readonly #store: Pick<Store, "redirects">;
  readonly #units: BoundedMap<MacAddress, RedirectUnit | null>;
  readonly #profiles = new Map<string, RedirectProfile | null>();
  /** Bumped by every notice: a load that straddles one is not cached. */
  #generation = 0;
  /** Whether any unit is registered at all (a provider's server without any asks nothing). */
  #any: Promise<boolean> | undefined;
  /** No unit registered, as counted since the last notice. */
  #none = false;

  constructor(store: Pick<Store, "redirects">, maxUnits = 100_000) {
    this.#store = store;
    this.#units = new BoundedMap(maxUnits);
  }

  invalidate(notice: ChangeNotice): void {
    if (notice.entity !== "redirect" && notice.entity !== "all" && notice.entity !== "tenant") {
      return;
    }
    this.#generation++;
    this.#any = undefined;
    this.#none = false;
    if (notice.keys === null || notice.entity !== "redirect") {
      this.#units.clear();
      this.#profiles.clear();
      return;
    }
    for (const key of notice.keys) {
      if (key.startsWith("profile:")) this.#profiles.delete(key.slice(8));
      else this.#units.delete(key as MacAddress);
    }
  }

  async unit(mac: MacAddress): Promise<RedirectUnit | null> {
    const hit = this.#units.get(mac);
    if (hit !== undefined) return hit;
    if (!(await this.#anyUnits())) return null;
    const generation = this.#generation;
    const unit = await this.#store.redirects.find(mac);
    if (generation === this.#generation) this.#units.set(mac, unit);
    return unit;
  }

  /** The unit when known without a read (held, or none registered at all), else undefined. */
  cachedUnit(mac: MacAddress): RedirectUnit | null | undefined {
    const hit = this.#units.get(mac);
    if (hit !== undefined) return hit;
    return this.#none ? null : undefined;
  }

  /**
   * The unit as the store holds it now, bypassing the cache: for a status decision another
   * process may have just changed (the change feed reaches this one a moment later).
   */
  async fresh(mac: MacAddress): Promise<RedirectUnit | null> {
    const generation = this.#generation;
    const unit = await this.#store.redirects.find(mac);
    if (generation === this.#generation) this.#units.set(mac, unit);
    return unit;
  }

  #anyUnits(): Promise<boolean> {
    if (this.#any === undefined) {
      const generation = this.#generation;
      const any = this.#store.redirects.list({ limit: 1 }).then((units) => units.length > 0);
      this.#any = any;
      // A count that straddles a change, or fails, is asked again next time.
      any.then(
        (some) => {
          if (generation === this.#generation) this.#none = !some;
          else if (this.#any === any) this.#any = undefined;
        },
        () => {
          if (this.#any === any) this.#any = undefined;
        },
      );
    }
    return this.#any;
  }

  async profile(id: string): Promise<RedirectProfile | null> {
    const hit = this.#profiles.get(id);
    if (hit !== undefined) return hit;
    const generation = this.#generation;
    const profile = await this.#store.redirects.profileById(id);
    if (generation === this.#generation) this.#profiles.set(id, profile);
    return profile;
  }

  /** Records a status this process just wrote (the feed confirms it shortly after). */
  noteStatus(mac: MacAddress, status: CustomizationStatus, now: number): void {
    const unit = this.#units.get(mac);
    if (unit) this.#units.set(mac, { ...unit, status, statusAt: new Date(now) });
  }
}
