/**
 * Credentials for a 401/407 challenge (§4.5.4, §8.2.4): Basic (RFC 7617) or Digest
 * (RFC 2617, MD5, qop=auth or none).
 */
import { createHash, randomBytes } from "node:crypto";

export interface Challenge {
  readonly scheme: "basic" | "digest";
  readonly params: ReadonlyMap<string, string>;
}

/** Parses the first usable challenge of a WWW-Authenticate / Proxy-Authenticate header. */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const value of values) {
    const m = /^\s*(Basic|Digest)\b(.*)$/i.exec(value);
    if (m === null) continue;
    const params = new Map<string, string>();
    const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
    for (const p of m[2]!.matchAll(re)) {
      params.set(p[1]!.toLowerCase(), p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3]!);
    }
    return { scheme: m[1]!.toLowerCase() as "basic" | "digest", params };
  }
  return undefined;
}

const md5 = (text: string): string => createHash("md5").update(text).digest("hex");

/** The Authorization header value answering `challenge`; `nc` counts uses of the nonce. */
export function authorization(
  challenge: Challenge,
  user: string,
  password: string,
  method: string,
  uri: string,
  nc: number,
): string {
  if (challenge.scheme === "basic") {
    return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  }
  const realm = challenge.params.get("realm") ?? "";
  const nonce = challenge.params.get("nonce") ?? "";
  const opaque = challenge.params.get("opaque");
  const qops = (challenge.params.get("qop") ?? "").split(",").map((q) => q.trim());
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const parts = [
    `username="${user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    'algorithm="MD5"',
  ];
  if (qops.includes("auth")) {
    const ncText = nc.toString(16).padStart(8, "0");
    const cnonce = randomBytes(8).toString("hex");
    parts.push(
      `response="${md5(`${ha1}:${nonce}:${ncText}:${cnonce}:auth:${ha2}`)}"`,
      "qop=auth",
      `nc=${ncText}`,
      `cnonce="${cnonce}"`,
    );
  } else {
    parts.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
  }
  if (opaque !== undefined) parts.push(`opaque="${opaque}"`);
  return `Digest ${parts.join(", ")}`;
}
