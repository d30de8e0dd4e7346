/**
 * A tenant edit that leaves the trusted client CAs as they were keeps the HTTPS listener's
 * TLS context, so devices' sessions still resume (no node-wide wave of full handshakes).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { startTestNode, tempDir } from "./helpers.ts";
import { makeCa } from "./openssl_pki.ts";

let node: ProvisioNode;

beforeAll(async () => {
  node = await startTestNode(join(tempDir("trust-update"), "data"));
}, 120_000);

afterAll(async () => {
  await node?.close();
});

function handshake(session?: Buffer): Promise<{ reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    const socket: TLSSocket = connect({
      host: "127.0.0.1",
      port: node.addresses.https!.port,
      rejectUnauthorized: false,
      maxVersion: "TLSv1.2",
      ...(session === undefined ? {} : { session }),
    });
    socket.on("session", (s: Buffer) => {
      ticket = s;
    });
    socket.once("error", reject);
    socket.once("secureConnect", () => {
      const reused = socket.isSessionReused();
      const current = socket.getSession();
      socket.end();
      socket.once("close", () => resolve({ reused, session: ticket ?? current }));
    });
  });
}

it("keeps TLS sessions resumable across a tenant edit that does not touch client CAs", async () => {
  const first = await handshake();
  expect(first.session).toBeDefined();
  expect((await handshake(first.session)).reused).toBe(true);
  await node.store.tenants.update("default", { name: "Renamed SP" });
  await node.cache.settled();
  expect(node.cache.tenant("default")?.name).toBe("Renamed SP");
  expect((await handshake(first.session)).reused).toBe(true);
});

it("keeps TLS sessions resumable when the client CAs change (same ticket keys, same session cache)", async () => {
  const dir = tempDir("trust-update-ca");
  makeCa(dir, "extra", "/CN=Extra Device CA");
  const first = await handshake();
  expect((await handshake(first.session)).reused).toBe(true);
  await node.store.tenants.update("default", {
    settings: { trustedClientCas: [readFileSync(join(dir, "extra.crt"), "utf8")] },
  });
  await node.cache.settled();
  expect((await handshake(first.session)).reused).toBe(true);
});
