/**
 * What one tenant's settings may not share with another's, checked when a tenant is written:
 * - profile paths: a request target two tenants' patterns both match would let one tenant
 *   capture (auto-create, serve) the other's devices, so languages must not overlap;
 * - trusted client CAs: a different CA whose name, key identifier or key equals one another
 *   tenant trusts (or anything like the built-in device CA) could stand in for it when a chain
 *   is built; the identical certificate may be trusted by several tenants.
 * Refusals never say which tenant holds the other pattern or CA.
 */
import {
  compilePathPattern,
  findPathPatternOverlap,
  type MatchStats,
  type PathPattern,
} from "../rules/index.ts";
import { type CaIdentity, casCollide, isLookAlike, storedCaIdentities } from "./client_ca.ts";
import { storeError } from "./errors.ts";
import type { TenantSettings } from "./types.ts";

/** Work one tenant write may spend on overlap decisions before it refuses as too complex. */
export const MAX_OVERLAP_STEPS_PER_WRITE = 8_000_000;

function compiled(source: string): PathPattern | undefined {
  try {
    return compilePathPattern(source);
  } catch {
    // A pattern saved before it was validated and that cannot compile serves nothing.
    return undefined;
  }
}

/**
 * Throws `STORE_CONFLICT` when a profile path or trusted CA that `next` adds (compared with
 * `before`) collides with one of `others` or with a `reserved` CA.
 */
export function checkTenantIsolation(
  next: TenantSettings,
  before: TenantSettings | undefined,
  others: readonly TenantSettings[],
  reserved: readonly CaIdentity[],
): void {
  const oldPaths = new Set(before?.profilePaths ?? []);
  const added = next.profilePaths.filter((p) => !oldPaths.has(p));
  if (added.length > 0) {
    const theirs = others
      .flatMap((o) => o.profilePaths.map(compiled))
      .filter((p) => p !== undefined);
    const stats: MatchStats = { steps: 0 };
    for (const source of added) {
      const mine = compilePathPattern(source);
      const tooComplex = () =>
        storeError(
          "STORE_INVALID_SETTINGS",
          `tenant settings: profile path ${JSON.stringify(source)} is too complex to check against the profile paths in use; use fewer macros or more literal text`,
          { field: "profilePaths" },
        );
      for (const other of theirs) {
        if (stats.steps > MAX_OVERLAP_STEPS_PER_WRITE) throw tooComplex();
        const found = findPathPatternOverlap(mine, other, stats);
        // An "overlap" without a path both match means the pair's budget ran out: nothing was
        // found, so say the pattern is too complex rather than that another tenant holds it.
        if (found.overlap && found.witness === undefined) throw tooComplex();
        if (found.overlap) {
          throw storeError(
            "STORE_CONFLICT",
            `profile path ${JSON.stringify(source)} overlaps a profile path another tenant uses (some request path would match both); give this tenant's paths a prefix of their own, e.g. "/<tenant>/$MA.xml"`,
            { field: "profilePaths" },
          );
        }
      }
    }
  }

  // Compared as the server will trust them: the CA certificates read from each entry.
  const oldCas = new Set(
    storedCaIdentities(before?.trustedClientCas ?? []).map((c) => c.fingerprint),
  );
  const addedCas = storedCaIdentities(next.trustedClientCas).filter(
    (c) => !oldCas.has(c.fingerprint),
  );
  if (addedCas.length === 0) return;
  const theirs = others.flatMap((o) => storedCaIdentities(o.trustedClientCas));
  for (const mine of addedCas) {
    // The device CA is the installation's own: no tenant lists it or anything like it. Another
    // tenant's CA may be shared as the very same certificate (trust is decided per tenant, by
    // signature), never as a look-alike.
    const subject = JSON.stringify(mine.subject.replaceAll("\n", ", "));
    if (reserved.some((r) => casCollide(mine, r))) {
      throw storeError(
        "STORE_CONFLICT",
        `trusted client CA ${subject} is, or has the subject name, key identifier or public key of, the built-in device CA already trusted on this installation; leave it out`,
        { field: "trustedClientCas" },
      );
    }
    if (theirs.some((o) => isLookAlike(mine, o))) {
      throw storeError(
        "STORE_CONFLICT",
        `trusted client CA ${subject} has the subject name, key identifier or public key of a different CA already trusted on this installation; a tenant may trust the very same CA certificate as another tenant, never a look-alike of it`,
        { field: "trustedClientCas" },
      );
    }
  }
}
