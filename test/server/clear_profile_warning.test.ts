/**
 * The clear-profile warning (a tenant serving profiles in clear without client certificates)
 * is given at start-up and again when a tenant's settings change into that state while the
 * server runs; a tenant that stops serving clear profiles gets an info line.
 */
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { expect, it } from "vitest";
import { startTestNode, tempDir } from "./helpers.ts";

it("warns when a running server sees a tenant's settings change to clear profiles", {
  timeout: 120_000,
}, async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  const seen = (security: string, tenant: string) =>
    lines.filter((l) => l.security === security && l.tenant === tenant);
  /** Waits for a log line the change feed leads to (no timing is asserted). */
  const waitFor = async (security: string, tenant: string, count: number) => {
    while (seen(security, tenant).length < count) await new Promise((r) => setTimeout(r, 50));
  };

  const dataDir = join(tempDir("clear-change"), "data");
  const node = await startTestNode(dataDir, {}, { logger: pino({ level: "info" }, sink) });
  try {
    expect(seen("clear-profiles", "default")).toHaveLength(1);
    const locked = await node.store.tenants.create({
      slug: "locked",
      name: "Locked",
      settings: { profilePaths: ["/locked/$MA.xml"], requireClientCert: true },
    });
    // A tenant created in clear is warned about as soon as the server sees it.
    await node.store.tenants.create({
      slug: "open",
      name: "Open",
      settings: { profilePaths: ["/open/$MA.xml"] },
    });
    await waitFor("clear-profiles", "open", 1);

    await node.store.tenants.update(locked.id, {
      settings: { requireClientCert: false },
    });
    await waitFor("clear-profiles", "locked", 1);
    expect(String(seen("clear-profiles", "locked")[0]!.msg)).toContain(
      "tenant locked now serves profiles in clear",
    );

    await node.store.tenants.update(locked.id, {
      settings: { requireClientCert: true },
    });
    await waitFor("clear-profiles-ended", "locked", 1);
    // One warning per change into the state, not one per reload.
    expect(seen("clear-profiles", "locked")).toHaveLength(1);
    expect(seen("clear-profiles", "default")).toHaveLength(1);
    expect(seen("clear-profiles", "open")).toHaveLength(1);
  } finally {
    await node.close();
  }
});
