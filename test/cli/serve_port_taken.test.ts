/**
 * `provisio serve` with one of its ports already taken by another program: it says which
 * listener could not bind and why, exits 1, and does not call it a bug in Provisio — for
 * the admin listener and TFTP as for HTTP.
 */
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

const data = join(tempDir("port-taken"), "data");
let tcp: Server;
let udp: Socket;
let tcpPort = 0;
let udpPort = 0;

beforeAll(async () => {
  tcp = createServer();
  await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
  tcpPort = (tcp.address() as { port: number }).port;
  udp = createSocket("udp4");
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  udpPort = udp.address().port;
});

afterAll(async () => {
  await new Promise((r) => tcp.close(r));
  udp.close();
});

const ports = { http: "0", https: "0", admin: "0", tftp: "0" };

async function serveWith(taken: Partial<typeof ports>) {
  const p = { ...ports, ...taken };
  return provisio(
    [
      "serve",
      "--data",
      data,
      "--host",
      "127.0.0.1",
      "--http-port",
      p.http,
      "--https-port",
      p.https,
      "--admin-port",
      p.admin,
      "--tftp-port",
      p.tftp,
    ],
    { env: { PROVISIO_WORKERS: "1" } },
  );
}

describe("serve on a port another program holds", () => {
  it.each([
    ["HTTP", () => ({ http: String(tcpPort) })],
    ["admin", () => ({ admin: String(tcpPort) })],
    ["TFTP", () => ({ tftp: String(udpPort) })],
  ] as const)(
    "names the %s listener and exits 1",
    async (what, taken) => {
      const r = await serveWith(taken());
      const port = what === "TFTP" ? udpPort : tcpPort;
      expect(r.stderr).toContain(`${what}: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(r.stderr).toContain("SERVER_LISTEN_FAILED");
      expect(r.stderr).not.toContain("bug in Provisio");
      expect(r.code).toBe(1);
    },
    120_000,
  );
});
