/**
 * The admin listener binds `admin.host` (default loopback), not the device-facing host:
 * over real sockets, with 127.0.0.2 standing in for a device-network address.
 */

import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadServeConfig } from "../../src/server/config.ts";
import type { ProvisioNode } from "../../src/server/node.ts";
import { parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "../server/helpers.ts";

/** GET `path` on host:port; the status, or the socket error's code (ECONNREFUSED …). */
function probe(host: string, port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, timeout: 5_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** A MAC no other test uses. */
const DEVICE = parseMac(`02a7${randomBytes(4).toString("hex")}`);
const dirs: string[] = [];
const nodes: ProvisioNode[] = [];
afterAll(async () => {
  for (const node of nodes) await node.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(flags: Record<string, string>): Promise<ProvisioNode> {
  const data = tempDir("admin-host");
  dirs.push(data);
  const node = await startTestNode(data, { host: "127.0.0.2", ...flags });
  nodes.push(node);
  return node;
}

describe("admin.host", () => {
  it("defaults to loopback: devices on 127.0.0.2, the admin API only on 127.0.0.1", async () => {
    const node = await start({});
    const admin = node.addresses.admin!;
    const http = node.addresses.http!;
    expect(admin.address).toBe("127.0.0.1");
    expect(http.address).toBe("127.0.0.2");
    expect(await probe("127.0.0.1", admin.port, "/healthz")).toBe(200);
    // Not this node's admin listener. (Refused, unless another test's listener happens to have
    // the same port number on 127.0.0.2: ports are free per address. Such a listener is no
    // admin listener: those of other tests are on 127.0.0.1.)
    expect(await probe("127.0.0.2", admin.port, "/healthz")).not.toBe(200);
    // The device-facing listener serves this node's device on its own address, not on
    // loopback (where another test's listener could only answer that it has no such device).
    await node.store.devices.create({ mac: DEVICE });
    await node.cache.settled();
    expect(await probe("127.0.0.2", http.port, `/profile/${DEVICE}.xml`)).toBe(200);
    expect(await probe("127.0.0.1", http.port, `/profile/${DEVICE}.xml`)).not.toBe(200);
  });

  it("binds the admin listener where --admin-host says", async () => {
    const node = await start({ adminHost: "127.0.0.2" });
    const admin = node.addresses.admin!;
    expect(admin.address).toBe("127.0.0.2");
    expect(await probe("127.0.0.2", admin.port, "/healthz")).toBe(200);
    // Not this node's admin listener (refused, unless another test's listener happens to hold
    // the same port number on 127.0.0.1 and answers otherwise).
    expect(await probe("127.0.0.1", admin.port, "/healthz")).not.toBe(200);
  });

  it("is read from the YAML file (admin.host) and PROVISIO_ADMIN_HOST, the environment winning", () => {
    const dir = tempDir("admin-host-yaml");
    dirs.push(dir);
    writeFileSync(join(dir, "provisio.yaml"), "host: 0.0.0.0\nadmin:\n  host: 10.1.2.3\n");
    expect(loadServeConfig({ env: {}, cwd: dir }).adminHost).toBe("10.1.2.3");
    const env = { PROVISIO_ADMIN_HOST: "192.0.2.7" };
    expect(loadServeConfig({ env, cwd: dir }).adminHost).toBe("192.0.2.7");
    expect(loadServeConfig({ env, cwd: dir, flags: { adminHost: "::1" } }).adminHost).toBe("::1");
    const empty = tempDir("admin-host-none");
    dirs.push(empty);
    expect(loadServeConfig({ env: {}, cwd: empty }).adminHost).toBe("127.0.0.1");
  });
});
