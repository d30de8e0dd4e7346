/**
 * Client-certificate policy: which certificates are trusted, by which tenant, and which
 * tenants require one.
 *
 * 1. `screen`: a presented certificate must verify — by signatures, `certificate_chain.ts` —
 *    to a CA some tenant trusts (built-in CAs plus every tenant's `trustedClientCas`);
 *    otherwise 403 before anything else.
 * 2. `authorize`: once the device is known, its certificate must verify to a CA **its own
 *    tenant** trusts (built-in CAs plus that tenant's `trustedClientCas`), matched by the
 *    CA's key. A copy of another tenant's CA in the presented chain, or a CA that merely
 *    shares its name and key identifier, verifies nothing.
 * 3. `requireClientCert`: the tenant serves only devices identified by their own certificate.
 *    When every tenant the path may belong to requires one and none is presented,
 *    `requiredBeforeLookup` refuses before the device is looked up (no registered/unknown
 *    oracle); the pipeline answers `authorize`'s refusals as for an unknown device.
 *
 * OpenSSL's verdict (against the union of CAs, first match by name) is not used for trust:
 * with two CAs of the same name in the union it may pick the wrong one, refusing genuine
 * devices. The TLS handshake has already proved the client holds the leaf's key.
 *
 * Verdicts are remembered by the presented chain (SHA-256 over its DER certificates) for the
 * current trust set: a device connecting again — each resync of a device is a new TLS
 * connection — costs a hash and a map lookup, not a signature walk. A change of tenants
 * (a new trust set) forgets them all; a verdict is also checked again once a certificate on
 * its path expires, and a refusal after a minute (a certificate not yet valid becomes valid).
 * Trusted CAs are deduplicated by fingerprint (several tenants often trust the same CA).
 * A resumed TLS session presents the leaf alone (OpenSSL does not keep the rest of the chain
 * in a session): intermediates seen in chains that verified are remembered (bounded) for
 * resumed sessions only; on a full handshake a device must present its own.
 * They are only candidates — every signature is still verified up to the tenant's anchors.
 */
import { createHash, type X509Certificate } from "node:crypto";
import type { Logger } from "pino";
import type { Tenant } from "../store/index.ts";
import {
  type ChainVerdict,
  parseCertificates,
  uniqueCertificates,
  verifyChain,
} from "./certificate_chain.ts";
import type { ClientCertificate } from "./client_certificate.ts";
import type { IdentifiedBy } from "./device_identity.ts";
import { type Outcome, refuse } from "./resync_outcome.ts";

const REQUIRED_REASON = "this provider requires a device client certificate (HTTPS)";

export interface ClientCertPolicyOptions {
  /** PEM client CAs every tenant trusts (the node's device CA). */
  readonly builtInCas: readonly string[];
  /** The current tenants (a new map object whenever they change). */
  readonly tenants: () => ReadonlyMap<string, Tenant>;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Presented chains whose verdicts are remembered (least recently stored dropped first). */
const MAX_REMEMBERED_CHAINS = 50_000;
/** Intermediate CAs remembered for resumed sessions (which carry the leaf only). */
const MAX_INTERMEDIATES = 1_000;
/** A refusal is checked again after this long. */
const REFUSAL_RECHECK_MS = 60_000;

interface Timed {
  readonly verdict: ChainVerdict;
  readonly recheckAt: number;
}

/** What is known about one presented chain under the current trust set. */
interface Known {
  union?: Timed;
  readonly byTenant: WeakMap<Tenant, Timed>;
}

/** Per certificate object (one per TLS connection). */
interface Verdicts {
  readonly key: string;
  /** Parsed on the first verification this connection needs. */
  chain?: readonly X509Certificate[];
  /** `screen`'s answer: the certificate marked verified (which shares this entry). */
  screened?: { readonly cert: ClientCertificate };
}

/** `screen`'s answer for a request without a certificate (nearly all): one object for all. */
const NO_CERT: { readonly cert: undefined } = Object.freeze({ cert: undefined });

/** SHA-256 over the presented DER certificates (the leaf's fingerprint for a lone leaf). */
function chainKey(cert: ClientCertificate): string {
  // A resumed session's leaf may verify through remembered intermediates; a full
  // handshake's lone leaf may not: two entries.
  if (cert.chain.length <= 1)
    return cert.resumed === true ? `r${cert.fingerprint}` : cert.fingerprint;
  const hash = createHash("sha256");
  for (const der of cert.chain) hash.update(der);
  return hash.digest("hex");
}

export class ClientCertPolicy {
  readonly #builtIn: readonly X509Certificate[];
  readonly #tenants: () => ReadonlyMap<string, Tenant>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #tenantAnchors = new WeakMap<Tenant, readonly X509Certificate[]>();
  #union: { key: object; anchors: readonly X509Certificate[] } | undefined;
  readonly #verdicts = new WeakMap<ClientCertificate, Verdicts>();
  /** Verdicts by presented chain, for the trust set `#knownFor`. */
  readonly #known = new Map<string, Known>();
  #knownFor: object | undefined;
  /** Intermediate CAs seen in chains that verified, by fingerprint. */
  readonly #intermediates = new Map<string, X509Certificate>();

  constructor(options: ClientCertPolicyOptions) {
    this.#builtIn = uniqueCertificates(parseCertificates(options.builtInCas));
    this.#tenants = options.tenants;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A presented certificate that verifies to no trusted CA ends the request (403); one that
   * does comes back marked verified. No certificate: nothing to decide.
   */
  screen(
    cert: ClientCertificate | undefined,
  ): { readonly cert: ClientCertificate | undefined } | Outcome {
    if (cert === undefined) return NO_CERT;
    const verdict = this.#unionVerdict(cert);
    if (!verdict.ok) {
      return refuse(403, `client certificate not trusted (${verdict.reason})`, {
        security: "certificate-untrusted",
      });
    }
    if (cert.verified) return { cert };
    const entry = this.#entry(cert);
    if (entry.screened === undefined) {
      const verified: ClientCertificate = { ...cert, verified: true, verifyError: undefined };
      this.#verdicts.set(verified, entry);
      entry.screened = { cert: verified };
    }
    return entry.screened;
  }

  /**
   * True for a certificate with a device identity that verifies to a trusted CA: such a
   * request names the one device whose key the client holds, so it cannot be a guess.
   */
  isDeviceCertificate(cert: ClientCertificate | undefined): boolean {
    return cert !== undefined && !cert.identity.generic && this.#unionVerdict(cert).ok;
  }

  /**
   * Before any device lookup: when every tenant whose pattern matched requires a device
   * certificate and the request carries none (a generic one included), the answer is the
   * same for every MAC — looking the device up first would tell registered from unknown.
   */
  requiredBeforeLookup(
    tenants: readonly (Tenant | undefined)[],
    cert: ClientCertificate | undefined,
  ): Outcome | undefined {
    if (tenants.length === 0) return undefined;
    if (!tenants.every((t) => t?.settings.requireClientCert === true)) return undefined;
    if (this.isDeviceCertificate(cert)) return undefined;
    return refuse(403, REQUIRED_REASON, { security: "certificate-required" });
  }

  /** True for a device certificate (not a generic one) that verifies to a CA `tenant` trusts. */
  certifies(tenant: Tenant, cert: ClientCertificate | undefined): boolean {
    return (
      cert !== undefined && this.isDeviceCertificate(cert) && this.#tenantVerdict(cert, tenant).ok
    );
  }

  /** The device's tenant's view: its own CAs, and whether it requires a certificate. */
  authorize(
    tenant: Tenant,
    cert: ClientCertificate | undefined,
    by: IdentifiedBy,
    extra: Omit<Outcome, "response">,
  ): Outcome | undefined {
    if (cert !== undefined && !this.#tenantVerdict(cert, tenant).ok) {
      return refuse(403, "client certificate not issued by a CA this tenant trusts", {
        ...extra,
        security: "certificate-untrusted",
      });
    }
    const ownCert = cert !== undefined && !cert.identity.generic && by === "certificate";
    if (tenant.settings.requireClientCert && !ownCert) {
      return refuse(403, REQUIRED_REASON, {
        ...extra,
        security: "certificate-required",
      });
    }
    return undefined;
  }

  #entry(cert: ClientCertificate): Verdicts {
    let entry = this.#verdicts.get(cert);
    if (entry === undefined) {
      entry = { key: chainKey(cert) };
      this.#verdicts.set(cert, entry);
    }
    return entry;
  }

  #parsed(cert: ClientCertificate): readonly X509Certificate[] {
    const entry = this.#entry(cert);
    entry.chain ??= parseCertificates(cert.chain);
    return entry.chain;
  }

  /** What is known about `cert`'s chain under the current trust set (forgotten on a change). */
  #knownOf(cert: ClientCertificate): Known {
    const tenants = this.#tenants();
    if (this.#knownFor !== tenants) {
      this.#known.clear();
      this.#knownFor = tenants;
    }
    const key = this.#entry(cert).key;
    let known = this.#known.get(key);
    if (known === undefined) {
      if (this.#known.size >= MAX_REMEMBERED_CHAINS) {
        const oldest = this.#known.keys().next();
        if (oldest.done !== true) this.#known.delete(oldest.value);
      }
      known = { byTenant: new WeakMap() };
      this.#known.set(key, known);
    }
    return known;
  }

  #timed(cert: ClientCertificate, anchors: readonly X509Certificate[], now: number): Timed {
    const chain = this.#parsed(cert);
    let verdict = verifyChain(chain, anchors, now);
    if (verdict.ok) {
      for (const ca of chain.slice(1)) this.#rememberIntermediate(ca);
    } else if (cert.resumed === true && chain.length === 1 && this.#intermediates.size > 0) {
      // A resumed TLS session keeps the leaf only: the intermediates it was verified with on
      // its full handshake come from those remembered then.
      verdict = verifyChain([...chain, ...this.#intermediates.values()], anchors, now);
    }
    return { verdict, recheckAt: verdict.ok ? verdict.validUntil : now + REFUSAL_RECHECK_MS };
  }

  /** Only CA certificates of a chain that verified; bounded, oldest dropped first. */
  #rememberIntermediate(ca: X509Certificate): void {
    const fingerprint = ca.fingerprint256;
    if (this.#intermediates.has(fingerprint)) return;
    if (this.#intermediates.size >= MAX_INTERMEDIATES) {
      const oldest = this.#intermediates.keys().next();
      if (oldest.done !== true) this.#intermediates.delete(oldest.value);
    }
    this.#intermediates.set(fingerprint, ca);
  }

  #unionVerdict(cert: ClientCertificate): ChainVerdict {
    const known = this.#knownOf(cert);
    const now = this.#now();
    if (known.union === undefined || now > known.union.recheckAt) {
      known.union = this.#timed(cert, this.#unionAnchors().anchors, now);
    }
    return known.union.verdict;
  }

  #tenantVerdict(cert: ClientCertificate, tenant: Tenant): ChainVerdict {
    const known = this.#knownOf(cert);
    const now = this.#now();
    let timed = known.byTenant.get(tenant);
    if (timed === undefined || now > timed.recheckAt) {
      timed = this.#timed(cert, this.#anchorsOf(tenant), now);
      known.byTenant.set(tenant, timed);
    }
    return timed.verdict;
  }

  #unionAnchors(): { key: object; anchors: readonly X509Certificate[] } {
    const tenants = this.#tenants();
    if (this.#union?.key !== tenants) {
      const all = [...this.#builtIn];
      for (const tenant of tenants.values()) all.push(...this.#anchorsOf(tenant));
      this.#union = { key: tenants, anchors: uniqueCertificates(all) };
    }
    return this.#union;
  }

  #anchorsOf(tenant: Tenant): readonly X509Certificate[] {
    let anchors = this.#tenantAnchors.get(tenant);
    if (anchors === undefined) {
      anchors = uniqueCertificates([
        ...this.#builtIn,
        ...parseCertificates(tenant.settings.trustedClientCas, (index, problems) =>
          this.#logger.warn(
            { tenant: tenant.id, entry: index + 1, problems },
            "trusted client CA entry: only its well-formed CA certificates are trusted",
          ),
        ),
      ]);
      this.#tenantAnchors.set(tenant, anchors);
    }
    return anchors;
  }
}
