/**
 * The HTTP transport adapter on bare `node:http` (the device plane has one job, and the
 * benchmark favours bare Node over a framework for it; see docs/deployment.md).
 *
 * HTTP/1.0 and 1.1, keep-alive, HEAD, `GET` / `POST` (the device's `--post`). Request target
 * and body sizes are bounded (414, 413); Node's parser answers malformed requests and
 * oversized header blocks itself (400, 431); `headersTimeout` and `requestTimeout` close slow
 * clients (408), the idle timeout silent ones. Connection counts are capped by the caller
 * (`connection_limit.ts`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { ClientCertificate } from "./client_certificate.ts";
import type { ServeLimits } from "./config.ts";
import type { LoadShedder } from "./load_shedding.ts";
import type {
  ResyncRequest,
  ResyncResponse,
  Transport,
  TransportRefusal,
} from "./resync_request.ts";

export interface ResyncHandler {
  /** The answer, at once when nothing needs awaiting (a warm resync), else a promise. */
  handle(request: ResyncRequest): ResyncResponse | Promise<ResyncResponse>;
}

export interface DeviceListenerOptions {
  readonly handler: ResyncHandler;
  readonly limits: ServeLimits;
  readonly logger: Logger;
  /** Overload admission: refused requests are answered 503 + Retry-After before any lookup. */
  readonly shedding?: LoadShedder;
}

const flatHeaders = new WeakMap<ResyncResponse, string[]>();

function headersOf(response: ResyncResponse): string[] {
  let flat = flatHeaders.get(response);
  if (flat === undefined) {
    flat = [];
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === "string") flat.push(name, value);
    }
    // A 304 has no body and must not claim one (RFC 9110 §8.6).
    if (response.status !== 304)
      flat.push("content-length", String(response.body?.byteLength ?? 0));
    flatHeaders.set(response, flat);
  }
  return flat;
}

function sendPlain(res: ServerResponse, status: number, text: string, close = false): void {
  const body = `${text}\n`;
  res.writeHead(status, [
    "content-type",
    "text/plain; charset=utf-8",
    "content-length",
    String(Buffer.byteLength(body)),
    ...(close ? ["connection", "close"] : []),
  ]);
  res.end(body);
}

function writeResponse(res: ServerResponse, response: ResyncResponse, head: boolean): void {
  if (res.destroyed) return;
  res.writeHead(response.status, headersOf(response));
  if (head || response.body === undefined) res.end();
  else res.end(response.body);
}

const TARGET_TOO_LONG: TransportRefusal = {
  status: 414,
  reason: "request target too long",
  security: "target-too-long",
};
const BODY_TOO_LARGE: TransportRefusal = {
  status: 413,
  reason: "request body too large",
  security: "body-too-large",
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A `request` listener turning HTTP requests into resync requests. `certificateOf` supplies
 * the TLS client certificate (HTTPS).
 */
export function createDeviceRequestListener(
  transport: Transport,
  options: DeviceListenerOptions,
  certificateOf?: (req: IncomingMessage) => ClientCertificate | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { handler, limits, logger } = options;
  const answerFailure = (
    res: ServerResponse,
    work: { done(): void } | undefined,
    error: unknown,
  ): void => {
    work?.done();
    logger.error({ err: error }, "device request failed");
    if (!res.headersSent) sendPlain(res, 500, "internal error");
  };
  // One function for every request (no closure made per request on the warm path).
  const dispatch = (
    req: IncomingMessage,
    res: ServerResponse,
    url: string,
    body: Buffer | undefined,
    // Set when this adapter refuses the request before reading it whole: the pipeline answers
    // and records the refusal like any other (event row, rate-limited security log).
    refused: ResyncRequest["refused"],
  ): void => {
    const method = req.method ?? "GET";
    const q = url.indexOf("?");
    const tooLong = refused?.status === 414;
    const headers = req.headers;
    const request: ResyncRequest = {
      transport,
      method,
      path: tooLong ? url.slice(0, 256) : q < 0 ? url : url.slice(0, q),
      query: tooLong || q < 0 ? "" : url.slice(q + 1),
      remoteAddress: req.socket.remoteAddress ?? "",
      userAgent: single(headers["user-agent"]),
      host: single(headers.host),
      clientCert: certificateOf?.(req),
      ifNoneMatch: single(headers["if-none-match"]),
      ifModifiedSince: single(headers["if-modified-since"]),
      body,
      contentEncoding: single(headers["content-encoding"]),
      range: single(headers.range),
      refused,
    };
    // In flight for load shedding while this process works on it (not while the client
    // sends its body or reads the answer: slow clients cost no CPU).
    const work = options.shedding?.begin();
    // A handler that throws instead of rejecting must still release its slot and get a 500,
    // not escape the listener (an uncaught exception in the device plane).
    let answer: ResyncResponse | Promise<ResyncResponse>;
    try {
      answer = handler.handle(request);
    } catch (error) {
      answerFailure(res, work, error);
      return;
    }
    if (answer instanceof Promise) {
      answer.then(
        (response) => {
          work?.done();
          writeResponse(res, response, method === "HEAD");
        },
        (error: unknown) => answerFailure(res, work, error),
      );
      return;
    }
    work?.done();
    writeResponse(res, answer, method === "HEAD");
  };
  return (req, res) => {
    if (options.shedding?.refuse(transport, res) === true) return;
    const url = req.url ?? "/";
    if (url.length > limits.maxUrlBytes) {
      dispatch(req, res, url, undefined, TARGET_TOO_LONG);
      req.resume();
      return;
    }
    const length = req.headers["content-length"];
    const hasBody =
      length !== undefined ? length !== "0" : req.headers["transfer-encoding"] !== undefined;
    if (length !== undefined && !(Number(length) <= limits.maxBodyBytes)) {
      // The connection is not closed at once: closing with the client's body unread resets it,
      // and the client sees a broken pipe instead of the 413. What it still sends is read and
      // dropped (no CPU to speak of); the request timeout bounds how long, as nginx's
      // lingering close does.
      dispatch(req, res, url, undefined, BODY_TOO_LARGE);
      req.resume();
      return;
    }
    if (!hasBody) {
      dispatch(req, res, url, undefined, undefined);
      return;
    }
    // A `--post` body or a report upload: read it within the limit.
    let received = 0;
    let refused = false;
    let failed = false;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limits.maxBodyBytes) chunks.push(chunk);
      if (received > limits.maxBodyBytes && !refused && !failed) {
        // Kept open and drained like the case above: this listener goes on reading.
        chunks.length = 0;
        refused = true;
        dispatch(req, res, url, undefined, BODY_TOO_LARGE);
      }
    });
    req.on("end", () => {
      if (!refused && !failed) dispatch(req, res, url, Buffer.concat(chunks), undefined);
    });
    req.on("error", () => {
      failed = true;
    });
  };
}

/** The node:http options every device-facing listener shares. */
export function serverOptions(limits: ServeLimits): {
  maxHeaderSize: number;
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
  noDelay: boolean;
} {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    requestTimeout: limits.requestTimeoutMs,
    // Also the deadline of a connection that never sends a byte.
    headersTimeout,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often expired header and request deadlines are enforced; Node's 30 s default
    // would let a silent connection outlive its deadline several times over.
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    noDelay: true,
  };
}

/**
 * A connection with no traffic either way for `idleTimeoutMs` is closed (Node destroys it
 * when nobody listens for `timeout`): slow readers, stalled bodies.
 */
export function closeIdleSockets(server: Server, limits: ServeLimits): void {
  server.setTimeout(limits.idleTimeoutMs);
}

/**
 * `CONNECT` (and an `Upgrade` nobody listens for) never reach the `request` listener: without
 * these handlers Node drops the connection without an answer. A device plane proxies nothing.
 */
export function refuseTunnels(server: Server): void {
  const refuse = (_req: IncomingMessage, socket: Duplex): void => {
    const body = "method not allowed\n";
    socket.on("error", () => {});
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    );
  };
  server.on("connect", refuse);
}

/** What Node's HTTP parser refuses, by its error code: the refusal, and Node's own answer. */
const PARSER_REFUSALS: Readonly<Record<string, TransportRefusal & { answer: string }>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: "request header fields too large",
    security: "headers-too-large",
    answer: "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: "request not received in time",
    security: "request-timeout",
    answer: "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
  },
};
const MALFORMED: TransportRefusal & { answer: string } = {
  status: 400,
  reason: "malformed request",
  security: "malformed-request",
  answer: "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
};

/**
 * What Node's HTTP parser refuses before any request reaches the listener (a malformed
 * request, a header block over the limit, a request not received in time) is answered as
 * Node answers it — the same bytes — and recorded by the pipeline like any other refusal:
 * an event row (aggregated per source), the rate-limited security log, the source's miss
 * budget. A connection error (a reset) is no request and is only closed.
 */
export function recordParserRefusals(
  server: Server | import("node:https").Server,
  transport: Transport,
  handler: ResyncHandler,
): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? "";
    const refusal = PARSER_REFUSALS[code] ?? (code.startsWith("HPE_") ? MALFORMED : undefined);
    // Answered and recorded when nothing was written on the connection yet, as Node answers:
    // an error after an answer (the rest of a body refused with 413, still arriving) is the
    // end of a connection already refused, not another request.
    if (refusal !== undefined && socket.writable && (socket as Socket).bytesWritten === 0) {
      const { answer, ...refused } = refusal;
      socket.write(answer);
      const remoteAddress = (socket as Socket).remoteAddress ?? "";
      try {
        const recorded = handler.handle({
          transport,
          method: "",
          path: "",
          query: "",
          remoteAddress,
          refused,
        });
        if (recorded instanceof Promise) recorded.catch(() => {});
      } catch {
        // Answered already; recording it is best effort.
      }
    }
    socket.destroy();
  });
}

/**
 * A client that half-closes after its request (`printf 'GET …' | nc`) still gets the answer:
 * Node's default aborts the request on the client's FIN, so an answer that waits one turn of
 * the event loop (a batched record read) was dropped. The server ends the connection once it
 * has answered; the idle and header timeouts still bound it.
 */
export function answerHalfClosed(server: Server | import("node:https").Server): void {
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
}

export function createHttpServer(options: DeviceListenerOptions): Server {
  const server = createServer(
    serverOptions(options.limits),
    createDeviceRequestListener("http", options),
  );
  refuseTunnels(server);
  recordParserRefusals(server, "http", options.handler);
  closeIdleSockets(server, options.limits);
  answerHalfClosed(server);
  return server;
}
