/**
 * Rule URLs (spec §4.6): `[scheme://][server[:port]]/path[?query]`.
 *
 * Two stages, so the syntax tree records what was written and the defaults are applied in
 * one visible place:
 *   - `parseRuleUrl` → `RuleUrlSyntax` (scheme/server/port may be absent);
 *   - `resolveRuleUrl` → `RuleUrl` (scheme defaults to tftp or a configured default such as
 *     `Transport_Protocol`; port to 69/80/443; an absent server is the explicit
 *     `{ kind: "default" }` — the DHCP-supplied server — never a made-up host string).
 * No percent-decoding: the device sends the path and query as written. A leading `/` makes
 * the whole token a path, so the 8831 guide's typo `/tftp://prov…` is a path on the
 * default server (§4.6 parsing notes).
 */
import { ruleSyntaxError } from "./errors.ts";

export type Scheme = "tftp" | "http" | "https";

export const DEFAULT_PORTS: Readonly<Record<Scheme, number>> = { tftp: 69, http: 80, https: 443 };

export interface RuleUrlSyntax {
  readonly scheme: Scheme | undefined;
  /** Host name or IPv4 literal as written; undefined when omitted (`/x.cfg`, `tftp:///x`). */
  readonly host: string | undefined;
  readonly port: number | undefined;
  /** Absolute path, starts with `/`, without the query. */
  readonly path: string;
  /** Text after the first `?`; `""` for a bare trailing `?` (which is sent); undefined if no `?`. */
  readonly query: string | undefined;
}

/** The server a request goes to: a named host, or the one learned from DHCP (§6.9). */
export type RuleServer =
  | { readonly kind: "host"; readonly host: string }
  | { readonly kind: "default" };

export interface RuleUrl {
  readonly scheme: Scheme;
  readonly server: RuleServer;
  readonly port: number;
  readonly path: string;
  readonly query: string | undefined;
}

export interface ResolveUrlOptions {
  /** Scheme for URLs written without one; default `tftp` (§4.6, §6.1 `Transport_Protocol`). */
  readonly defaultScheme?: Scheme;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const HOST = /^[A-Za-z0-9_.-]+$/;
const PORT = /^\d{1,5}$/;

export function parseScheme(text: string): Scheme | undefined {
  const s = text.toLowerCase();
  return s === "tftp" || s === "http" || s === "https" ? s : undefined;
}

/** Parses `source.slice(start, end)` as a rule URL; errors point into `source`. */
export function parseRuleUrlAt(source: string, start: number, end: number): RuleUrlSyntax {
  const text = source.slice(start, end);
  if (text.length === 0) throw ruleSyntaxError(source, start, "missing URL");
  let scheme: Scheme | undefined;
  let i = 0;
  if (text.charCodeAt(0) !== 47 /* / */) {
    const m = SCHEME.exec(text);
    if (m !== null) {
      scheme = parseScheme(m[1]!);
      if (scheme === undefined) {
        throw ruleSyntaxError(source, start, `unsupported scheme "${m[1]}" (tftp, http, https)`);
      }
      i = m[0].length;
    }
  }
  let host: string | undefined;
  let port: number | undefined;
  if (i < text.length && text.charCodeAt(i) !== 47) {
    const slash = text.indexOf("/", i);
    const authorityEnd = slash < 0 ? text.length : slash;
    const authority = text.slice(i, authorityEnd);
    const q = authority.indexOf("?");
    if (slash < 0 || q >= 0) {
      throw ruleSyntaxError(
        source,
        start + authorityEnd,
        "the URL needs an absolute file path (`/…`)",
      );
    }
    if (authority.includes("@")) {
      throw ruleSyntaxError(
        source,
        start + i,
        "credentials in the URL are not supported; use [--uid … --pwd …]",
      );
    }
    const colon = authority.lastIndexOf(":");
    host = colon < 0 ? authority : authority.slice(0, colon);
    if (!HOST.test(host)) throw ruleSyntaxError(source, start + i, `invalid server name "${host}"`);
    if (colon >= 0) {
      const p = authority.slice(colon + 1);
      const n = Number(p);
      if (!PORT.test(p) || n < 1 || n > 65535) {
        throw ruleSyntaxError(source, start + i + colon + 1, `invalid port "${p}"`);
      }
      port = n;
    }
    i = authorityEnd;
  }
  if (i >= text.length) {
    throw ruleSyntaxError(source, start + i, "the URL needs an absolute file path (`/…`)");
  }
  const rest = text.slice(i);
  const qm = rest.indexOf("?");
  return {
    scheme,
    host,
    port,
    path: qm < 0 ? rest : rest.slice(0, qm),
    query: qm < 0 ? undefined : rest.slice(qm + 1),
  };
}

export function parseRuleUrl(text: string): RuleUrlSyntax {
  return parseRuleUrlAt(text, 0, text.length);
}

export function resolveRuleUrl(url: RuleUrlSyntax, options: ResolveUrlOptions = {}): RuleUrl {
  const scheme = url.scheme ?? options.defaultScheme ?? "tftp";
  return {
    scheme,
    server: url.host === undefined ? { kind: "default" } : { kind: "host", host: url.host },
    port: url.port ?? DEFAULT_PORTS[scheme],
    path: url.path,
    query: url.query,
  };
}

/** Path plus `?query` exactly as it goes on the wire (`/lost-reg?` keeps its `?`). */
export function requestTarget(url: {
  readonly path: string;
  readonly query: string | undefined;
}): string {
  return url.query === undefined ? url.path : `${url.path}?${url.query}`;
}

/**
 * Canonical text of a resolved URL, e.g. `http://p.tel.com:80/x?y`. The default server is
 * rendered as `defaultServer` when given, else as an empty host (`tftp://:69/curr.cfg`).
 * Used for display and for the Upgrade_Rule once-only memory (§7.3).
 */
export function formatRuleUrl(url: RuleUrl, defaultServer?: string): string {
  const host = url.server.kind === "host" ? url.server.host : (defaultServer ?? "");
  return `${url.scheme}://${host}:${url.port}${requestTarget(url)}`;
}
