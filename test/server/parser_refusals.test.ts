/**
 * What Node's HTTP parser refuses before any request reaches the pipeline — a malformed
 * request, a header block over the limit, a request not received in time — is answered with
 * Node's own bytes and recorded like every other refusal: an event row per source and status
 * (aggregated), a line in the security log. A connection reset is no request: nothing is
 * recorded. Through real sockets on a running node, over HTTP and HTTPS.
 */
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { allEvents, capturedLogger, startTestNode, tempDir } from "./helpers.ts";

let node: ProvisioNode;
const log = capturedLogger();
const logLines = log.lines;

/** Sends raw bytes from `from`, then says what came back before the server closed. */
function exchange(
  transport: "http" | "https",
  from: string,
  bytes: string,
  options: { reset?: boolean } = {},
): Promise<string> {
  const port = node.addresses[transport]!.port;
  return new Promise((resolve, reject) => {
    const tcp = tcpConnect({ host: "127.0.0.1", port, localAddress: from });
    const socket =
      transport === "http" ? tcp : tlsConnect({ socket: tcp, rejectUnauthorized: false });
    let answer = "";
    socket.on(transport === "http" ? "connect" : "secureConnect", () => {
      if (bytes !== "") socket.write(bytes);
      if (options.reset === true) setTimeout(() => socket.resetAndDestroy(), 50);
    });
    socket.on("data", (d: Buffer) => {
      answer += d.toString("latin1");
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", (e) => (options.reset === true ? resolve(answer) : reject(e)));
  });
}

beforeAll(async () => {
  node = await startTestNode(
    join(tempDir("parser-refusals"), "data"),
    { tftpPort: "0" },
    { logger: log.logger },
    {
      PROVISIO_SHEDDING_ENABLED: "false",
      PROVISIO_MAX_HEADER_BYTES: "4096",
      PROVISIO_HEADERS_TIMEOUT_MS: "1000",
      PROVISIO_REQUEST_TIMEOUT_MS: "1000",
    },
  );
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("refusals by Node's HTTP parser", () => {
  it("are answered with Node's own bytes, recorded as aggregated event rows and security lines", async () => {
    // Each kind from an address of its own (the security log's budget is per source).
    const malformed = await exchange("http", "127.0.0.21", "NOT HTTP AT ALL\r\n\r\n");
    expect(malformed).toBe("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    expect(await exchange("https", "127.0.0.21", "GET / HTTP/1.1\r\nHost\r\n\r\n")).toBe(
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
    );
    const big = `GET /profile/x.xml HTTP/1.1\r\nHost: a\r\nX-Big: ${"y".repeat(8000)}\r\n\r\n`;
    expect(await exchange("http", "127.0.0.22", big)).toBe(
      "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
    );
    // Half a request line, then silence: the headers deadline.
    expect(await exchange("http", "127.0.0.23", "GET /profile/")).toBe(
      "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
    );
    // A client that resets its connection sent no request: nothing to record.
    await exchange("http", "127.0.0.24", "GET /pro", { reset: true });

    const rows = (await allEvents(node)).filter((e) => e.remoteAddress?.startsWith("127.0.0.2"));
    const summary = rows
      .map((e) => `${e.transport} ${e.remoteAddress} ${e.statusCode} ${e.result} ${e.message}`)
      .sort();
    expect(summary).toEqual([
      expect.stringMatching(/^http 127\.0\.0\.21 400 bad-request (1 × )?malformed request/),
      expect.stringMatching(/^http 127\.0\.0\.22 431 bad-request (1 × )?request header fields/),
      expect.stringMatching(/^http 127\.0\.0\.23 408 bad-request (1 × )?request not received/),
      expect.stringMatching(/^https 127\.0\.0\.21 400 bad-request (1 × )?malformed request/),
    ]);
    const security = (reason: string) =>
      logLines.filter((l) => l.includes(`"security":"${reason}"`));
    expect(security("malformed-request")).toHaveLength(2);
    expect(security("headers-too-large")).toHaveLength(1);
    expect(security("request-timeout")).toHaveLength(1);
  });
});
