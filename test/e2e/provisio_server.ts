/**
 * The real `provisio serve` node for the emulator's end-to-end tests: every listener on
 * loopback (HTTP, HTTPS, TFTP), one tenant whose per-device profile lives at
 * `/profile/$MA.xml`, and a generic factory file `spa962.cfg` in the files root that
 * points a factory unit at it (what a provider puts behind DHCP option 66).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { startTestNode, tempDir } from "../server/helpers.ts";

export interface E2eServer {
  readonly node: ProvisioNode;
  readonly dir: string;
  readonly http: string;
  readonly https: string;
  readonly tftpPort: number;
  /** The server certificate (PEM): what the units trust for HTTPS. */
  readonly serverCa: string;
  addDevices(macs: readonly string[], model?: string, serial?: string): Promise<void>;
  /** Writes a static file into the server's files root. */
  writeFile(name: string, text: string): void;
  close(): Promise<void>;
}

export async function startE2eServer(
  tenantLayer: readonly {
    readonly name: string;
    readonly value: string;
    readonly access: "na" | "ro" | "rw" | null;
  }[] = [],
  /** Environment of the node's configuration (e.g. `PROVISIO_SHEDDING_ENABLED`). */
  env: Readonly<Record<string, string>> = {},
): Promise<E2eServer> {
  const dir = tempDir("e2e");
  const node = await startTestNode(join(dir, "data"), { tftpPort: "0" }, {}, env);
  const http = `http://127.0.0.1:${node.addresses.http!.port}`;
  const https = `https://127.0.0.1:${node.addresses.https!.port}`;
  const { store } = node;
  await store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  await store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  await store.layers.set({ scope: "tenant", tenantId: "default" }, [
    { name: "Resync_Periodic", value: "3600", access: "na" },
    ...tenantLayer,
  ]);
  await node.cache.settled();
  const filesDir = node.config.filesDir;
  mkdirSync(filesDir, { recursive: true });
  return {
    node,
    dir,
    http,
    https,
    tftpPort: node.addresses.tftp!.port,
    serverCa: readFileSync(node.boot.paths.serverCert, "utf8"),
    async addDevices(macs, model = "SPA962", serial) {
      await store.devices.bulkUpsert(
        macs.map((m) => ({
          mac: parseMac(m) as MacAddress,
          modelPn: model,
          ...(serial === undefined ? {} : { serial }),
        })),
      );
      await node.cache.settled();
    },
    writeFile(name, text) {
      writeFileSync(join(filesDir, name), text);
    },
    close: () => node.close(),
  };
}
