/**
 * The start-up warning for tenants that serve profiles in clear to anyone: no client
 * certificate required and no encryption.
 */

import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { expect, it } from "vitest";
import { startTestNode, tempDir } from "./helpers.ts";

it("warns at start-up for each tenant serving clear profiles without certificates, only those", async () => {
  const dataDir = join(tempDir("clear-warning"), "data");
  const first = await startTestNode(dataDir);
  await first.store.tenants.create({
    slug: "locked",
    name: "Locked",
    settings: { profilePaths: ["/locked/$MA.xml"], requireClientCert: true },
  });
  await first.store.tenants.create({
    slug: "sealed",
    name: "Sealed",
    settings: { profilePaths: ["/sealed/$MA.xml"], encryption: "aes" },
  });
  await first.store.tenants.create({
    slug: "open-sp",
    name: "Open",
    settings: { profilePaths: ["/open/$MA.xml"] },
  });
  await first.close();

  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  const node = await startTestNode(dataDir, {}, { logger: pino({ level: "info" }, sink) });
  await node.close();
  const warned = lines
    .filter((l) => l.security === "clear-profiles")
    .map((l) => l.tenant)
    .sort();
  expect(warned).toEqual(["default", "open-sp"]);
});
