/**
 * The pipeline keeps what a request path came to (its target check, its route matches,
 * whether every matched tenant requires a client certificate) for the next request with the
 * same path: a repeat must be answered as the first request was, in every spelling of the
 * path, and a change of the tenants' settings or paths must be seen by the next request.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

const MAC = parseMac("000e08aa0001");
/** The same path, its digits percent-encoded. */
const ENCODED = `/profile/${[...MAC].map((c) => (c >= "0" && c <= "9" ? `%3${c}` : c)).join("")}.xml`;
let node: ProvisioNode;
let http: string;

beforeAll(async () => {
  node = await startTestNode(join(tempDir("matched-path"), "data"));
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  await node.store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  await node.store.devices.create({ mac: MAC });
  await node.cache.settled();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

const status = async (path: string): Promise<number> => (await curl([`${http}${path}`])).status;

/** Asks until the answer is `expected` (the change feed reloads the tenants in the background). */
async function until(path: string, expected: number): Promise<void> {
  while ((await status(path)) !== expected) await new Promise((r) => setTimeout(r, 50));
}

it("answers a path seen before as the first time, in every spelling", async () => {
  for (let round = 0; round < 3; round++) {
    expect(await status(`/profile/${MAC}.xml`)).toBe(200);
    expect(await status(ENCODED)).toBe(200);
    expect(await status(`/profile/${MAC}.xml?x=1`)).toBe(200);
    expect(await status(`/profile/${MAC}.cfg`)).toBe(404);
    expect(await status(`/profile/%2e%2e/${MAC}.xml`)).toBe(400);
  }
});

it("sees a tenant requiring client certificates, and its paths changing", {
  timeout: 120_000,
}, async () => {
  expect(await status(`/profile/${MAC}.xml`)).toBe(200);
  await node.store.tenants.update("default", { settings: { requireClientCert: true } });
  await until(`/profile/${MAC}.xml`, 403);
  expect(await status(ENCODED)).toBe(403);
  await node.store.tenants.update("default", { settings: { requireClientCert: false } });
  await until(`/profile/${MAC}.xml`, 200);
  expect(await status(ENCODED)).toBe(200);

  await node.store.tenants.update("default", { settings: { profilePaths: ["/cfg/$MA.xml"] } });
  await until(`/profile/${MAC}.xml`, 404);
  expect(await status(ENCODED)).toBe(404);
  expect(await status(`/cfg/${MAC}.xml`)).toBe(200);
});
