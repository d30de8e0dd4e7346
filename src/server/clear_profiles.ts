/**
 * The warning for tenants that serve profiles in clear to whoever asks: no client
 * certificate required and no encryption by default. Anyone who can reach the port and knows
 * (or guesses) a MAC gets that device's profile, SIP credentials included.
 *
 * Given at start-up for every such tenant, and again whenever a tenant's settings change
 * into that state (a new tenant, `requireClientCert` turned off, encryption removed) — a
 * change made while the server runs must not go unnoticed until the next restart.
 */
import type { Logger } from "pino";
import type { Tenant } from "../store/index.ts";

export function servesClearProfiles(tenant: Tenant): boolean {
  const { requireClientCert, encryption } = tenant.settings;
  return !requireClientCert && (encryption === undefined || encryption === "none");
}

export class ClearProfileWarning {
  readonly #logger: Logger;
  /** Ids of the tenants serving clear profiles at the last check; undefined before the first. */
  #clear: Set<string> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Warns about each tenant that serves clear profiles now and did not at the last check. */
  check(tenants: Iterable<Tenant>): void {
    const first = this.#clear === undefined;
    const before = this.#clear ?? new Set<string>();
    const now = new Set<string>();
    for (const tenant of tenants) {
      if (!servesClearProfiles(tenant)) {
        if (before.has(tenant.id)) {
          this.#logger.info(
            { security: "clear-profiles-ended", tenant: tenant.slug },
            `tenant ${tenant.slug} no longer serves profiles in clear without client certificates`,
          );
        }
        continue;
      }
      now.add(tenant.id);
      if (before.has(tenant.id)) continue;
      this.#logger.warn(
        { security: "clear-profiles", tenant: tenant.slug },
        `security: tenant ${tenant.slug} ${first ? "serves" : "now serves"} profiles in clear ` +
          "without client certificates; anyone who knows a device's MAC can fetch its profile " +
          "(see docs/security.md)",
      );
    }
    this.#clear = now;
  }
}
