/**
 * Profile download over HTTP and HTTPS (§8.2, §8.3): GET, or POST with `--post`;
 * exactly the headers §8.2.2 lists; status handling per §8.2.4 (301/302 followed, 301
 * remembered, 401/407 answered at most twice, 404 class B, other statuses class C);
 * HTTPS trusts only the configured CAs and checks the server name the family's way.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { DEFAULT_PORTS, parseRuleUrl, requestTarget, type Scheme } from "../rules/index.ts";
import type { TftpClock } from "../tftp/index.ts";
import { ERR, type FetchResult } from "./fetch_result.ts";
import { authorization, parseChallenge } from "./http_auth.ts";
import type { FetchRequest, ServerNameCheck } from "./profile_fetcher.ts";

export interface HttpFetchOptions {
  readonly clock: TftpClock;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly resolve: (host: string) => Promise<string[]>;
  /** 301 memory (§8.2.4): original URL → new location, kept for the device's lifetime. */
  readonly moved: Map<string, string>;
  /** Source address of the connections (a fleet spreads its units over loopback addresses). */
  readonly localAddress?: string;
}

/** Redirect hop limit (§8.2.4, emulator choice). */
export const MAX_REDIRECTS = 5;
/** 401/407 retries with credentials (§8.2.4). */
export const MAX_AUTH_RETRIES = 2;

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
  readonly clientAuthenticated: boolean;
}

interface AuthHeader {
  readonly name: "Authorization" | "Proxy-Authorization";
  readonly value: string;
}

class TransportFailure {
  constructor(readonly detail: string) {}
}

/** §8.3.1: SPA matches the CN (text before an optional `/`), MPP the SAN. */
function nameChecker(
  check: ServerNameCheck,
): (host: string, cert: PeerCertificate) => globalThis.Error | undefined {
  if (check === "none") return () => undefined;
  if (check === "san") return (host, cert) => checkServerIdentity(host, cert);
  return (host, cert) => {
    const cnRaw = cert.subject?.CN;
    const cn = (Array.isArray(cnRaw) ? cnRaw[0] : cnRaw)?.split("/")[0]?.toLowerCase();
    if (cn !== undefined && cn === host.toLowerCase()) return undefined;
    // A certificate whose SAN names the host is accepted too (modern certificates).
    return checkServerIdentity(host, cert);
  };
}

function urlKey(scheme: Scheme, host: string, port: number, target: string): string {
  return `${scheme}://${host}:${port}${target}`;
}

function once(
  req: FetchRequest,
  address: string,
  auth: AuthHeader | undefined,
  o: HttpFetchOptions,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string> = {
      Host: req.port === DEFAULT_PORTS[req.scheme] ? req.host : `${req.host}:${req.port}`,
      "User-Agent": req.userAgent,
      Connection: "close",
    };
    let body: Buffer | undefined;
    if (req.method === "POST") {
      const raw = req.body ?? "";
      body = typeof raw === "string" ? Buffer.from(raw, "latin1") : raw;
      headers["Content-Length"] = String(body.length);
      // §4.5.2: undocumented; form encoding when the body looks like one.
      headers["Content-Type"] =
        req.contentType ??
        (typeof raw === "string" && raw.includes("=")
          ? "application/x-www-form-urlencoded"
          : "text/plain");
      if (req.contentEncoding !== undefined) headers["Content-Encoding"] = req.contentEncoding;
    }
    if (auth !== undefined) headers[auth.name] = auth.value;
    const https = req.scheme === "https";
    const cert = req.clientCertificate;
    const common = {
      host: address,
      port: req.port,
      path: req.target,
      method: req.method,
      headers,
      agent: false as const,
      setHost: false,
      ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
    };
    const checkName = nameChecker(req.nameCheck);
    const r = https
      ? httpsRequest({
          ...common,
          ca: [...req.trustedCas],
          rejectUnauthorized: true,
          ...(isIP(req.host) === 0 ? { servername: req.host } : {}),
          checkServerIdentity: (_name: string, peer: PeerCertificate) => checkName(req.host, peer),
          ...(cert === undefined ? {} : { cert: cert.certificatePem, key: cert.privateKeyPem }),
        })
      : httpRequest(common);
    let done = false;
    const timer = o.clock.setTimeout(() => {
      r.destroy();
      finish(new TransportFailure(`no answer within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
    const finish = (result: Answer | TransportFailure): void => {
      if (done) return;
      done = true;
      o.clock.clearTimeout(timer);
      if (result instanceof TransportFailure) reject(result);
      else resolve(result);
    };
    r.on("error", (e) => finish(new TransportFailure(e.message)));
    r.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxBytes) {
          r.destroy();
          finish(new TransportFailure(`answer larger than ${o.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (e) => finish(new TransportFailure(e.message)));
      res.on("end", () =>
        finish({
          status: res.statusCode ?? 0,
          headers: res.headers,
          // One chunk is the whole body (most answers): no copy.
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
          clientAuthenticated: https && cert !== undefined,
        }),
      );
    });
    r.end(body);
  });
}

/** Tries each address until one answers at the HTTP level. */
async function exchange(
  req: FetchRequest,
  auth: AuthHeader | undefined,
  o: HttpFetchOptions,
): Promise<{ answer: Answer; address: string } | { failure: string; address: string }> {
  let lastFailure = "no address to try";
  let lastAddress = "";
  for (const address of req.addresses) {
    try {
      return { answer: await once(req, address, auth, o), address };
    } catch (e) {
      if (!(e instanceof TransportFailure)) throw e;
      lastFailure = `${e.detail} (${address}:${req.port})`;
      lastAddress = address;
    }
  }
  return { failure: lastFailure, address: lastAddress };
}

/** Where a Location header points, relative to the request it answers. */
async function redirected(
  req: FetchRequest,
  location: string,
  o: HttpFetchOptions,
): Promise<FetchRequest | string> {
  let scheme = req.scheme;
  let host = req.host;
  let port = req.port;
  let target = location;
  const abs = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(location);
  if (abs !== null) {
    try {
      const u = parseRuleUrl(location);
      if (u.scheme === undefined || u.scheme === "tftp" || u.host === undefined) {
        return `redirect to ${location} is not http(s)`;
      }
      scheme = u.scheme;
      host = u.host;
      port = u.port ?? DEFAULT_PORTS[u.scheme];
      target = requestTarget(u);
    } catch {
      return `redirect to an invalid location ${JSON.stringify(location.slice(0, 200))}`;
    }
  } else if (!location.startsWith("/")) {
    return `redirect to a relative location ${JSON.stringify(location.slice(0, 200))}`;
  }
  let addresses = req.addresses;
  if (host !== req.host) {
    try {
      addresses = await o.resolve(host);
    } catch {
      return `cannot resolve ${host}`;
    }
  }
  return { ...req, scheme, host, port, target, addresses };
}

export async function httpFetch(initial: FetchRequest, o: HttpFetchOptions): Promise<FetchResult> {
  const errText = initial.method === "POST" ? ERR.httpPost : ERR.httpGet;
  let req = initial;
  const key = urlKey(req.scheme, req.host, req.port, req.target);
  const movedTo = o.moved.get(key);
  if (movedTo !== undefined) {
    const next = await redirected(req, movedTo, o);
    if (typeof next !== "string") req = next;
  }
  let hops = 0;
  let authTries = 0;
  let auth: AuthHeader | undefined;
  let lastAddress = req.addresses[0] ?? "";
  for (;;) {
    const r = await exchange(req, auth, o);
    lastAddress = r.address;
    if ("failure" in r) {
      return { kind: "failed", err: errText, serverIp: r.address, detail: r.failure };
    }
    const { answer } = r;
    const where = `${req.scheme}://${req.host}:${req.port}${req.target}`;
    if (
      answer.status === 200 ||
      (req.upload === true && answer.status >= 200 && answer.status < 300)
    ) {
      const encoding = answer.headers["content-encoding"]?.trim().toLowerCase();
      return {
        kind: "ok",
        body: answer.body,
        serverIp: r.address,
        clientAuthenticated: answer.clientAuthenticated,
        ...(encoding === undefined || encoding === "" ? {} : { contentEncoding: encoding }),
      };
    }
    if (answer.status === 404) {
      return {
        kind: "not-found",
        err: ERR.fileNotFound,
        serverIp: r.address,
        detail: `404 from ${where}`,
      };
    }
    if (answer.status === 301 || answer.status === 302) {
      const location = answer.headers.location;
      if (location === undefined || hops >= MAX_REDIRECTS) {
        return {
          kind: "failed",
          err: errText,
          serverIp: r.address,
          detail:
            location === undefined
              ? `${answer.status} without Location from ${where}`
              : `more than ${MAX_REDIRECTS} redirects`,
        };
      }
      hops++;
      const next = await redirected(req, location, o);
      if (typeof next === "string") {
        return { kind: "failed", err: errText, serverIp: r.address, detail: next };
      }
      if (answer.status === 301) o.moved.set(key, location);
      req = next;
      authTries = 0;
      auth = undefined;
      continue;
    }
    if (answer.status === 401 || answer.status === 407) {
      const challenge = parseChallenge(
        answer.headers[answer.status === 401 ? "www-authenticate" : "proxy-authenticate"],
      );
      if (req.uid === undefined || challenge === undefined || authTries >= MAX_AUTH_RETRIES) {
        return {
          kind: "failed",
          err: errText,
          serverIp: r.address,
          detail:
            req.uid === undefined
              ? `${answer.status} from ${where} and no credentials configured`
              : `${answer.status} from ${where}: credentials refused`,
        };
      }
      authTries++;
      auth = {
        name: answer.status === 401 ? "Authorization" : "Proxy-Authorization",
        value: authorization(challenge, req.uid, req.pwd ?? "", req.method, req.target, authTries),
      };
      continue;
    }
    return {
      kind: "failed",
      err: errText,
      serverIp: lastAddress,
      detail: `HTTP ${answer.status} from ${where}`,
    };
  }
}
