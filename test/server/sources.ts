/**
 * Test clients that speak from a chosen loopback address (127.0.0.2, 127.0.0.3, …), so one
 * test can be an attacker and a legitimate device at once: HTTP with keep-alive, and raw
 * TFTP read requests over UDP.
 */
import { createSocket } from "node:dgram";
import { Agent, request } from "node:http";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A keep-alive HTTP client bound to `localAddress`. */
export function httpFrom(localAddress: string): {
  get(url: string, headers?: Record<string, string>): Promise<HttpAnswer>;
  close(): void;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress });
  return {
    get(url, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = request(url, { agent, headers, localAddress }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("latin1"),
            }),
          );
          res.on("error", reject);
        });
        req.on("error", reject);
        req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${url}`)));
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}

export interface SendOptions {
  /** The loopback address to send from (default 127.0.0.1). */
  readonly from?: string;
  readonly headers?: Record<string, string>;
  /** Sent with `content-type: application/xml` and its length, unless `chunked`. */
  readonly body?: string | Buffer;
  /** Streams the body in 1 KiB writes without a length: the listener finds out mid-body. */
  readonly chunked?: boolean;
}

export interface SentAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One HTTP request on a fresh connection from a chosen loopback address. */
export function sendFrom(
  port: number,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<SentAnswer> {
  const body =
    options.body === undefined || Buffer.isBuffer(options.body)
      ? options.body
      : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        localAddress: options.from ?? "127.0.0.1",
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/xml" }),
          ...(body === undefined || options.chunked === true
            ? {}
            : { "content-length": String(body.length) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.chunked === true && body !== undefined) {
      for (let i = 0; i < body.length; i += 1024) req.write(body.subarray(i, i + 1024));
      req.end();
    } else req.end(body);
  });
}

export type TftpAnswer =
  | { readonly kind: "data"; readonly block: number; readonly bytes: Buffer }
  | { readonly kind: "error"; readonly code: number; readonly message: string };

/**
 * Sends one RRQ from `localAddress` and returns the first answer (DATA or ERROR). A DATA
 * answer is not acknowledged: the transfer is abandoned with an ERROR packet.
 */
export function tftpFirstAnswer(
  localAddress: string,
  port: number,
  filename: string,
): Promise<TftpAnswer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no TFTP answer for ${filename}`));
    }, 10_000);
    let answered = false;
    socket.on("message", (msg, rinfo) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (msg.readUInt16BE(0) === 3) {
        // Abandon the transfer politely (ERROR 0), so it does not hold a server slot.
        socket.send(Buffer.from([0, 5, 0, 0, 0]), rinfo.port, rinfo.address);
      }
      const opcode = msg.readUInt16BE(0);
      if (opcode === 5) {
        // An ERROR packet: acknowledge nothing, just read it.
        const end = msg.indexOf(0, 4);
        resolve({
          kind: "error",
          code: msg.readUInt16BE(2),
          message: msg.subarray(4, end < 0 ? msg.length : end).toString("latin1"),
        });
      } else {
        resolve({ kind: "data", block: msg.readUInt16BE(2), bytes: msg.subarray(4) });
      }
      setImmediate(() => socket.close());
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.bind(0, localAddress, () => {
      const rrq = Buffer.concat([
        Buffer.from([0, 1]),
        Buffer.from(filename, "latin1"),
        Buffer.from([0]),
        Buffer.from("octet", "latin1"),
        Buffer.from([0]),
      ]);
      socket.send(rrq, port, "127.0.0.1");
    });
  });
}
