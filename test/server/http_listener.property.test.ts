/**
 * Socket-level fuzz of the device-facing HTTP listener: random methods, request targets,
 * versions, headers and bodies written with raw `node:net` sockets to a real node (port 0,
 * temp SQLite data dir). Every answer is well-formed HTTP with a 2xx/3xx/4xx status — never a
 * 5xx, never a hang — and the server still serves a valid request afterwards.
 */
import { connect } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "./helpers.ts";

const A = parseMac("000e08aabb01");
let node: ProvisioNode;
let port: number;

beforeAll(async () => {
  // The fuzz is a scanner by design (thousands of misses from one address): miss throttling
  // off here; test/server/miss_throttle.test.ts covers it.
  node = await startTestNode(
    join(tempDir("http-fuzz"), "data"),
    {},
    {},
    {
      PROVISIO_MISSES_PER_MINUTE: "0",
    },
  );
  port = node.addresses.http!.port;
  await node.store.models.upsert({ pn: "SPA504G", psn: "504", family: "spa", lines: 4 });
  await node.store.tenants.update("default", {
    settings: { profilePaths: ["/profile/$MA.xml", "/$MA.xml", "/spa$PSN.cfg", "/p/$SN.cfg"] },
  });
  await node.store.devices.create({ mac: A, modelPn: "SPA504G", serial: "CCQ1234" });
  await node.store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
  ]);
  await node.cache.settled();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

interface Exchange {
  readonly bytes: Buffer;
  readonly closed: boolean;
}

/** Writes `request`, half-closes, and collects everything until the server closes (or 5 s). */
function exchange(request: Buffer, halfClose = true): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: "127.0.0.1" });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed: false });
    }, 5_000);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it refused (e.g. after 413 with unread body).
      if (error.code === "ECONNRESET" || error.code === "EPIPE") return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), closed: true });
    });
    socket.write(request, () => {
      if (halfClose) socket.end();
    });
  });
}

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,10}$/);
const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("GET", "GET", "GET", "HEAD", "POST") },
  {
    weight: 3,
    arbitrary: fc.constantFrom("PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT"),
  },
  { weight: 1, arbitrary: fc.constantFrom("get", "G ET", "", "GET\u0000", "\u00e9") },
  { weight: 1, arbitrary: token },
);
const targetPiece = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      "/",
      "//",
      "..",
      ".",
      "%2e%2e",
      "%252e",
      "%",
      "%zz",
      "%00",
      "%C3%A9",
      "\\",
      "profile",
      `${A}.xml`,
      "000E08AABB01.xml",
      "000e08ffffff.xml",
      "spa504.cfg",
      "CCQ1234.cfg",
      "p",
      "?",
      "?mac=1",
      "#",
      "*",
      "http://x",
    ),
  },
  { weight: 3, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,6}$/) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 6 }) },
);
const target = fc.oneof(
  { weight: 4, arbitrary: fc.array(targetPiece, { maxLength: 8 }).map((p) => `/${p.join("")}`) },
  { weight: 1, arbitrary: fc.array(targetPiece, { maxLength: 8 }).map((p) => p.join("")) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `/profile/${A}.xml`,
      `/${A}.xml`,
      "/spa504.cfg",
      "/p/CCQ1234.cfg",
      "/profile/000e08ffffff.xml",
      "*",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 12_000 }).map((n) => `/profile/${"a".repeat(n)}.xml`),
  },
);
const version = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("HTTP/1.1", "HTTP/1.0") },
  { weight: 1, arbitrary: fc.constantFrom("HTTP/2.0", "HTTP/0.9", "HTTP/1.", "http/1.1", "", "X") },
);
const headerValue = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      "Cisco/SPA504G-7.5.5 (000E08AABB01)(CCQ1234)",
      "Linksys/SPA504G-7.5.5 (CCQ1234)",
      "Cisco/SPA504G-7.5.5 (000E08FFFFFF)",
      '"abc"',
      "*",
      'W/"x", "y"',
      "Thu, 01 Jan 1970 00:00:00 GMT",
      "Sun, 06 Nov 2094 08:49:37 GMT",
      "not a date",
      "chunked",
      "gzip, chunked",
      "0",
      "-1",
      "abc",
      "99999999999999999999",
    ),
  },
  { weight: 4, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,40}$/) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 10 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => "v".repeat(n)) },
);
const headerName = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom(
      "User-Agent",
      "If-None-Match",
      "If-Modified-Since",
      "Host",
      "Content-Type",
      "Content-Length",
      "Transfer-Encoding",
      "Expect",
      "Connection",
      "Upgrade",
      "X-Forwarded-For",
    ),
  },
  { weight: 2, arbitrary: token },
  { weight: 1, arbitrary: fc.constantFrom("", " X", "X Y", "X\u0000") },
);
const body = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 200 * 1024, max: 300 * 1024 }).map((n) => Buffer.alloc(n, 120)),
  },
);
const request = fc.record({
  method,
  target,
  version,
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
  body,
  bodyFraming: fc.constantFrom("length", "chunked", "none", "lie"),
  eol: fc.oneof(
    { weight: 12, arbitrary: fc.constant("\r\n") },
    { weight: 1, arbitrary: fc.constant("\n") },
  ),
});

type RawRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function build(r: RawRequest): Buffer {
  const lines = [`${r.method} ${r.target}${r.version === "" ? "" : ` ${r.version}`}`];
  lines.push(`Host: 127.0.0.1:${port}`);
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
  const parts: Buffer[] = [];
  if (r.body !== undefined) {
    if (r.bodyFraming === "length") lines.push(`Content-Length: ${r.body.length}`);
    if (r.bodyFraming === "lie") lines.push(`Content-Length: ${r.body.length + 5}`);
    if (r.bodyFraming === "chunked") lines.push("Transfer-Encoding: chunked");
  }
  lines.push("Connection: close");
  parts.push(Buffer.from(`${lines.join(r.eol)}${r.eol}${r.eol}`, "latin1"));
  if (r.body !== undefined) {
    if (r.bodyFraming === "chunked") {
      parts.push(
        Buffer.from(`${r.body.length.toString(16)}\r\n`),
        r.body,
        Buffer.from("\r\n0\r\n\r\n"),
      );
    } else {
      parts.push(r.body);
    }
  }
  return Buffer.concat(parts);
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*\r\n/;

async function validFetch(): Promise<void> {
  const res = await exchange(
    Buffer.from(`GET /profile/${A}.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
  );
  const text = res.bytes.toString("latin1");
  expect(text).toMatch(/^HTTP\/1\.1 200 /);
  expect(text).toContain('<Resync_Periodic ua="na">3600</Resync_Periodic>');
}

describe("device HTTP listener (socket fuzz)", () => {
  it("answers every random request with a well-formed 2xx/3xx/4xx, never a 5xx or a hang", async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const wire = build(r);
        const res = await exchange(wire);
        expect(res.closed, "the connection was left hanging").toBe(true);
        const text = res.bytes.toString("latin1");
        if (text === "") {
          // Only a request the client never finished (a body shorter than announced, or a
          // half-sent chunk) may be closed without an answer.
          expect(r.bodyFraming === "lie" || r.body !== undefined).toBe(true);
          return;
        }
        const m = STATUS_LINE.exec(text);
        expect(m, `not an HTTP response: ${JSON.stringify(text.slice(0, 80))}`).not.toBeNull();
        const status = Number(m![1]);
        const key = status * 10 + (/content-type/i.test(text) ? 1 : 0);
        seen.set(key, (seen.get(key) ?? 0) + 1);
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
        // Every further response on the connection (pipelined bodies) is no 5xx either.
        for (const more of text.matchAll(/\r\n\r\nHTTP\/1\.[01] (\d{3}) /g)) {
          expect(Number(more[1])).toBeLessThan(500);
        }
      }),
      { numRuns: 600 },
    );

    // The fuzz reached the pipeline, not only Node's parser.
    // (key: status × 10, + 1 when the pipeline answered — Node's own parser errors have no body)
    expect([...seen.keys()]).toEqual(expect.arrayContaining([2001, 4001, 4041, 4051, 4000]));
    await validFetch();
  });

  it("the pipeline itself answers 10,000 random transport-neutral requests without a 5xx", async () => {
    const transport = fc.constantFrom("http", "https", "tftp") as fc.Arbitrary<
      "http" | "https" | "tftp"
    >;
    await fc.assert(
      fc.asyncProperty(
        transport,
        method,
        target,
        fc.option(fc.string({ unit: "binary", maxLength: 30 }), { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        fc.option(headerValue, { nil: undefined }),
        async (t, m, path, query, userAgent, ifNoneMatch, ifModifiedSince) => {
          const q = path.indexOf("?");
          const response = await node.pipeline.handle({
            transport: t,
            method: m,
            path: q < 0 ? path : path.slice(0, q),
            query: query ?? (q < 0 ? "" : path.slice(q + 1)),
            remoteAddress: "127.0.0.1",
            userAgent,
            ifNoneMatch,
            ifModifiedSince,
          });
          expect(response.status, `${m} ${path}: ${response.reason}`).toBeLessThan(500);
          expect(response.status).toBeGreaterThanOrEqual(200);
          if (response.status === 200) {
            expect(Buffer.from(response.body!).toString()).toContain("<flat-profile>");
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("keeps serving on a keep-alive connection after garbage on other connections", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (garbage) => {
        const res = await exchange(Buffer.from(garbage));
        const text = res.bytes.toString("latin1");
        if (text !== "") expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
      }),
      { numRuns: 300 },
    );
    await validFetch();
  });
});
