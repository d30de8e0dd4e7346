/**
 * The first `count` devices' profiles (`/profile/<mac>.xml`, `macOf` order), each once over 16
 * keep-alive connections, every answer checked for 200; `each` gets each body. How the
 * device-plane benchmarks warm a server (or read what it serves) before measuring.
 */
import { Agent, request } from "node:http";
import { macOf } from "./server_process.ts";

export async function fetchProfiles(
  port: number,
  count: number,
  each?: (mac: string, body: Buffer) => void,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let next = 0;
  const one = (mac: string): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: `/profile/${mac}.xml`, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new RangeError(`${mac}: ${res.statusCode}`)),
        );
      })
        .on("error", reject)
        .end();
    });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const mac = macOf(next++);
        each?.(mac, await one(mac));
      }
    }),
  );
  agent.destroy();
}
