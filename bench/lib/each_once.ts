/**
 * Every path once, over `connections` keep-alive connections on raw sockets: the cold pass of
 * the device-plane benchmarks (each device's first fetch). Unlike `wrk -d`, it ends when the
 * last answer arrives, so req/s is requests over the real elapsed time, whatever the rate (a
 * `wrk` pass sized in seconds caps the figure at paths / seconds). The client is a socket, a
 * request line and a Content-Length scan: a few µs of CPU an answer.
 */
import { connect } from "node:net";

export interface EachOnceResult {
  readonly requests: number;
  /** Answers other than 200. */
  readonly non200: number;
  readonly seconds: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const HEAD_END = Buffer.from("\r\n\r\n");

export async function eachOnce(
  port: number,
  paths: readonly string[],
  connections: number,
): Promise<EachOnceResult> {
  let next = 0;
  let non200 = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const ask = (): void => {
        if (next >= paths.length) {
          socket.end();
          resolve();
          return;
        }
        sentAt = performance.now();
        socket.write(`GET ${paths[next++]} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      };
      socket.once("connect", ask);
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const end = buffer.indexOf(HEAD_END);
          if (end < 0) return;
          const head = buffer.subarray(0, end).toString("latin1");
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffer.length < end + 4 + length) return;
          if (!head.startsWith("HTTP/1.1 200")) non200++;
          latencies.push(performance.now() - sentAt);
          buffer = buffer.subarray(end + 4 + length);
          ask();
        }
      });
    });
  await Promise.all(Array.from({ length: Math.min(connections, paths.length) }, one));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 1000) / 1000;
  return {
    requests: latencies.length,
    non200,
    seconds,
    reqPerSec: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
