/**
 * A LAN bootstrap (trust on first use) sends a unit its key in clear, and says so in the
 * log — with the unit's MAC, never with the key or the directory it was sent (secrets are
 * never logged). Real sockets: curl over plain HTTP to an MPP phone's own profile path.
 */
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const MAC = parseMac("00562b0d0a71");

let node: ProvisioNode;
let text = "";

beforeAll(async () => {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  const logger = createLogger({ logLevel: "debug" }, stream);
  node = await startTestNode(join(tempDir("lan-bootstrap"), "data"), {}, { logger });
  await node.store.models.upsert({ pn: "CP-8851-3PCC", psn: "8851", family: "mpp", lines: 10 });
  await node.store.devices.create({ mac: MAC, modelPn: "CP-8851-3PCC" });
  await node.store.tenants.update("default", {
    settings: { secureProvisioning: "lan-bootstrap" },
  });
  await node.cache.settled();
});

afterAll(async () => {
  await node?.close();
});

describe("LAN bootstrap logging", () => {
  it("logs that a key went out in clear, with the MAC, but not the key or directory", async () => {
    const http = `http://127.0.0.1:${node.addresses.http!.port}`;
    const res = await curl(["-o", "-", `${http}/profile/${MAC}.xml`]);
    expect(res.status).toBe(200);
    const keys = await node.store.deviceKeys.get(MAC);
    expect(keys).not.toBeNull();
    const key = keys!.current.key.reveal();
    const directory = keys!.current.directory;
    // The unit was sent its pair: the test is about a key that really went out.
    expect(res.body).toContain(key);
    expect(res.body).toContain(directory);
    await new Promise((r) => setImmediate(r));
    const warning = text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.security === "secure-lan-bootstrap" && l.mac === MAC);
    expect(warning).toBeDefined();
    expect(text).not.toContain(key);
    expect(text).not.toContain(directory);
  });
});
