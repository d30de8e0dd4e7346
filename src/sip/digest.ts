/**
 * HTTP Digest as SIP uses it (RFC 2617, RFC 3261 §22, RFC 8760 for SHA-256 and
 * SHA-512/256): parse a `WWW-Authenticate` / `Proxy-Authenticate` challenge, pick the
 * strongest one offered, compute the `Authorization` value. The password only ever enters a
 * hash; nothing here logs.
 */
import { createHash, randomBytes } from "node:crypto";
import { sipError } from "./errors.ts";

export const DIGEST_ALGORITHMS = [
  "MD5",
  "MD5-sess",
  "SHA-256",
  "SHA-256-sess",
  "SHA-512-256",
  "SHA-512-256-sess",
] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: DigestAlgorithm;
  /** The qop values offered (`auth`, `auth-int`); empty = RFC 2069 compatibility. */
  readonly qop: readonly string[];
  readonly stale: boolean;
}

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
}

const MAX_CHALLENGE_LENGTH = 4_096;

/**
 * Parses one Digest challenge. Throws `SIP_DIGEST_MALFORMED` for another scheme, a missing
 * realm or nonce, or an algorithm outside RFC 8760's list.
 */
export function parseDigestChallenge(value: string): DigestChallenge {
  if (value.length > MAX_CHALLENGE_LENGTH) {
    throw sipError("SIP_DIGEST_MALFORMED", "digest challenge is too long");
  }
  const m = /^\s*Digest\s+([\s\S]*)$/i.exec(value);
  if (m === null) throw sipError("SIP_DIGEST_MALFORMED", "challenge is not a Digest challenge");
  const params = parseParams(m[1]!);
  const realm = params.get("realm");
  const nonce = params.get("nonce");
  if (realm === undefined || nonce === undefined || nonce === "") {
    throw sipError("SIP_DIGEST_MALFORMED", "digest challenge lacks a realm or a nonce");
  }
  const named = params.get("algorithm") ?? "MD5";
  const algorithm = DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === named.toLowerCase());
  if (algorithm === undefined) {
    throw sipError("SIP_DIGEST_MALFORMED", "digest challenge names an unsupported algorithm", {
      algorithm: named.slice(0, 40),
    });
  }
  const qop = (params.get("qop") ?? "")
    .split(",")
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q !== "");
  return {
    realm,
    nonce,
    opaque: params.get("opaque"),
    algorithm,
    qop,
    stale: (params.get("stale") ?? "").toLowerCase() === "true",
  };
}

/** `name=value` / `name="quoted \" value"` pairs, comma separated. */
function parseParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  const skip = () => {
    while (i < n && /[\s,]/.test(text[i]!)) i++;
  };
  skip();
  while (i < n) {
    const nameStart = i;
    while (i < n && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    while (i < n && /\s/.test(text[i]!)) i++;
    if (name === "" || text[i] !== "=") {
      throw sipError("SIP_DIGEST_MALFORMED", "digest challenge parameter is malformed");
    }
    i++;
    while (i < n && /\s/.test(text[i]!)) i++;
    let value = "";
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === "\\" && i + 1 < n) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) throw sipError("SIP_DIGEST_MALFORMED", "digest challenge has an open quote");
    } else {
      const start = i;
      while (i < n && !/[\s,]/.test(text[i]!)) i++;
      value = text.slice(start, i);
    }
    // The first occurrence wins: a repeated parameter cannot override what was read.
    if (!out.has(name)) out.set(name, value);
    skip();
  }
  return out;
}

const STRENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  "SHA-512-256": 6,
  "SHA-512-256-sess": 5,
  "SHA-256": 4,
  "SHA-256-sess": 3,
  MD5: 2,
  "MD5-sess": 1,
};

/**
 * The challenge to answer among several headers (RFC 8760 §2.4: the strongest supported);
 * malformed or unsupported ones are skipped. Undefined when none is usable.
 */
export function chooseChallenge(values: readonly string[]): DigestChallenge | undefined {
  let best: DigestChallenge | undefined;
  for (const v of values) {
    let c: DigestChallenge;
    try {
      c = parseDigestChallenge(v);
    } catch {
      continue;
    }
    // Only qop=auth (or none) is answered: a NOTIFY without a body gains nothing from auth-int.
    if (c.qop.length > 0 && !c.qop.includes("auth")) continue;
    if (best === undefined || STRENGTH[c.algorithm] > STRENGTH[best.algorithm]) best = c;
  }
  return best;
}

function hashOf(algorithm: DigestAlgorithm): (text: string) => string {
  const name = algorithm.startsWith("SHA-512-256")
    ? "sha512-256"
    : algorithm.startsWith("SHA-256")
      ? "sha256"
      : "md5";
  return (text) => createHash(name).update(text, "utf8").digest("hex");
}

export interface DigestInput {
  readonly challenge: DigestChallenge;
  readonly credentials: DigestCredentials;
  readonly method: string;
  readonly uri: string;
  /** Fixed in tests; random otherwise. */
  readonly cnonce?: string;
  /** Nonce count, 1 for the first use of a nonce. */
  readonly nc?: number;
}

/** The `response` value (RFC 2617 §3.2.2, RFC 7616 §3.4.1 for the SHA variants). */
export function digestResponse(input: DigestInput & { readonly cnonce: string }): string {
  const { challenge, credentials, method, uri, cnonce } = input;
  const h = hashOf(challenge.algorithm);
  const nc = ncText(input.nc ?? 1);
  let ha1 = h(`${credentials.username}:${challenge.realm}:${credentials.password}`);
  if (challenge.algorithm.endsWith("-sess")) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  return challenge.qop.length === 0
    ? h(`${ha1}:${challenge.nonce}:${ha2}`)
    : h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
}

function ncText(nc: number): string {
  return nc.toString(16).padStart(8, "0");
}

function quoted(value: string, what: string): string {
  if (/[\0-\x1f\x7f]/.test(value)) {
    throw sipError("SIP_VALUE_INVALID", `the digest ${what} holds a control character`);
  }
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The `Authorization` / `Proxy-Authorization` header value answering the challenge. */
export function digestAuthorization(input: DigestInput): string {
  const cnonce = input.cnonce ?? randomBytes(12).toString("hex");
  const { challenge } = input;
  if (/[\0-\x1f\x7f]/.test(input.credentials.password)) {
    throw sipError("SIP_VALUE_INVALID", "the digest password holds a control character");
  }
  const response = digestResponse({ ...input, cnonce });
  const parts = [
    `username=${quoted(input.credentials.username, "user name")}`,
    `realm=${quoted(challenge.realm, "realm")}`,
    `nonce=${quoted(challenge.nonce, "nonce")}`,
    `uri=${quoted(input.uri, "URI")}`,
    `response="${response}"`,
    `algorithm=${challenge.algorithm}`,
  ];
  if (challenge.qop.length > 0) {
    parts.push(`cnonce=${quoted(cnonce, "cnonce")}`, "qop=auth", `nc=${ncText(input.nc ?? 1)}`);
  }
  if (challenge.opaque !== undefined) parts.push(`opaque=${quoted(challenge.opaque, "opaque")}`);
  return `Digest ${parts.join(", ")}`;
}
