/**
 * Firmware images belong to a tenant, over real sockets (HTTP and TFTP) on both dialects:
 * another tenant may register a name a tenant already uses (no squatting, no "exists already"
 * oracle); a unit gets its own tenant's image under that name; another tenant's unit, or a
 * requester that names no unit, asking for a tenant's image gets exactly the answer a name
 * nobody registered gets — also over TFTP, where a miss falls back to the files root.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeFirmware, setUpgradePolicy, uploadFirmware } from "../../src/admin/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { type E2eServer, startE2eServer } from "../e2e/provisio_server.ts";
import { PG_URL } from "../store/dialects.ts";
import { curl, issueCert, tempDir } from "./helpers.ts";
import { httpFrom, tftpFirstAnswer } from "./sources.ts";

const UNIT_A = "000e08fa0001";
const UNIT_B = "000e08fb0001";

async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const DIALECTS = [
  { name: "sqlite", schema: undefined },
  { name: "postgres", schema: `t_fw_${randomUUID().replaceAll("-", "").slice(0, 12)}` },
] as const;

for (const dialect of DIALECTS) {
  describe(`firmware images per tenant (${dialect.name})`, () => {
    let server: E2eServer;
    let tenantB: string;

    async function upload(tenantId: string, fileName: string, text: string, models = ["SPA962"]) {
      const bytes = Buffer.from(text);
      return uploadFirmware(
        server.node.store,
        server.node.config.filesDir,
        {
          tenantId,
          version: "7.5.5",
          models,
          fileName,
          sha256: createHash("sha256").update(bytes).digest("hex"),
          bytes,
        },
        "test",
      );
    }

    /** What an HTTP GET of the path answers, as the client sees it. */
    async function get(path: string, mac?: string) {
      const r = await curl([
        ...(mac === undefined ? [] : ["-A", `Cisco/SPA962-7.4.8 (${mac})`]),
        `${server.http}${path}`,
      ]);
      return { status: r.status, body: r.body, type: r.headers["content-type"] };
    }

    const tftp = (name: string) => tftpFirstAnswer("127.0.0.1", server.tftpPort, name);

    /** curl's arguments for HTTPS with a certificate of the node's device CA naming `mac`. */
    async function tlsAs(mac: string): Promise<string[]> {
      const own = await issueCert(server.node.config.dataDir, tempDir("fw-certs"), mac, { mac });
      return ["--cacert", server.node.boot.paths.serverCert, "--cert", own.cert, "--key", own.key];
    }

    const settle = async () => {
      await server.node.cache.settled();
      await new Promise((r) => setTimeout(r, 300));
    };

    beforeAll(async () => {
      const env: Record<string, string> =
        dialect.schema === undefined
          ? {}
          : { PROVISIO_DATABASE_URL: PG_URL, PROVISIO_DATABASE_SCHEMA: dialect.schema };
      server = await startE2eServer([], env);
      const { store } = server.node;
      const b = await store.tenants.create({
        slug: "bravo",
        name: "Bravo",
        settings: { profilePaths: ["/bravo/$MA.xml"] },
      });
      tenantB = b.id;
      await server.addDevices([UNIT_A]);
      await store.devices.create({ mac: parseMac(UNIT_B), tenantId: b.id, modelPn: "SPA962" });
      await upload("default", "alpha-only.bin", "image of tenant A, alpha-only");
      await settle();
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      if (dialect.schema !== undefined) {
        await pgAdmin(`drop schema if exists ${dialect.schema} cascade`);
      }
    });

    it("another tenant registers a name a tenant uses; the first tenant's image is untouched", async () => {
      const a = await upload("default", "shared.bin", "image of tenant A, shared");
      const b = await upload(tenantB, "shared.bin", "image of tenant B, shared");
      expect(b.tenantId).toBe(tenantB);
      expect(b.fileName).toBe("shared.bin");
      const listed = await server.node.store.firmware.listImages({ tenantId: "default" });
      expect(listed.find((i) => i.fileName === "shared.bin")).toEqual(a);
      await settle();
      const fetched = await get(`/firmware/shared.bin?mac=${UNIT_A}`, UNIT_A);
      expect(fetched).toMatchObject({ status: 200, body: "image of tenant A, shared" });
      // The same name twice in one tenant is still refused.
      await expect(upload(tenantB, "shared.bin", "again")).rejects.toMatchObject({
        code: "STORE_CONFLICT",
      });
    });

    it("each tenant's unit gets its own tenant's image under a shared name (HTTP and TFTP)", async () => {
      await upload("default", "both.bin", "image of tenant A, both");
      await upload(tenantB, "both.bin", "image of tenant B, both");
      await settle();
      expect(await get(`/firmware/both.bin?mac=${UNIT_A}`, UNIT_A)).toMatchObject({
        status: 200,
        body: "image of tenant A, both",
      });
      expect(await get(`/firmware/both.bin?mac=${UNIT_B}`, UNIT_B)).toMatchObject({
        status: 200,
        body: "image of tenant B, both",
      });
      // The URL the upgrade rule carries: the unit's MAC in the query, no User-Agent (TFTP).
      const overTftp = await tftp(`/firmware/both.bin?mac=${UNIT_B}`);
      expect(overTftp.kind).toBe("data");
      if (overTftp.kind === "data") {
        expect(overTftp.bytes.toString()).toBe("image of tenant B, both");
      }
      // Stored under the tenant's folder of the files directory.
      const filesDir = server.node.config.filesDir;
      expect(readFileSync(join(filesDir, "firmware", tenantB, "both.bin"), "utf8")).toBe(
        "image of tenant B, both",
      );
    });

    it("another tenant's unit, or nobody in particular, gets the answer of a name nobody has", async () => {
      const none = await get(`/firmware/nobody-has-this.bin?mac=${UNIT_B}`, UNIT_B);
      expect(none.status).toBe(404);
      // Tenant B's unit asking for A's image.
      expect(await get(`/firmware/alpha-only.bin?mac=${UNIT_B}`, UNIT_B)).toEqual(none);
      // No unit named at all.
      expect(await get("/firmware/alpha-only.bin")).toEqual(
        await get("/firmware/nobody-has-this.bin"),
      );
      expect(await get("/firmware/alpha-only.bin")).toEqual(none);
      // Over TFTP: the same error as for a name nobody registered — no fall-back to the file.
      const tftpNone = await tftp(`/firmware/nobody-has-this.bin?mac=${UNIT_B}`);
      expect(tftpNone.kind).toBe("error");
      expect(await tftp(`/firmware/alpha-only.bin?mac=${UNIT_B}`)).toEqual(tftpNone);
      expect(await tftp("/firmware/alpha-only.bin")).toEqual(await tftp("/firmware/nobody.bin"));
      expect(await tftp("firmware/alpha-only.bin")).toEqual(await tftp("firmware/nobody.bin"));
      // Nor by the folder the files directory keeps it in.
      expect(await tftp("/firmware/default/alpha-only.bin")).toEqual(
        await tftp("/firmware/default/nobody.bin"),
      );
      expect(await get("/firmware/default/alpha-only.bin")).toEqual(
        await get("/firmware/default/nobody.bin"),
      );
      // A's own unit still gets it.
      expect(await get(`/firmware/alpha-only.bin?mac=${UNIT_A}`, UNIT_A)).toMatchObject({
        status: 200,
        body: "image of tenant A, alpha-only",
      });
    });

    it("a tenant that requires client certificates serves firmware, as profiles, to a unit's own certificate only", async () => {
      const { store } = server.node;
      const secure = await store.tenants.create({
        slug: "charlie",
        name: "Charlie",
        settings: { profilePaths: ["/charlie/$MA.xml"], requireClientCert: true },
      });
      const mac = "000e08fc0001";
      await store.devices.create({ mac: parseMac(mac), tenantId: secure.id, modelPn: "SPA962" });
      await upload(secure.id, "secure.bin", "image of tenant C");
      await settle();
      // Named by the URL and the User-Agent, without a certificate: as for a name nobody has.
      expect(await get(`/firmware/secure.bin?mac=${mac}`, mac)).toEqual(
        await get(`/firmware/nobody.bin?mac=${mac}`, mac),
      );
      expect(await tftp(`/firmware/secure.bin?mac=${mac}`)).toEqual(
        await tftp(`/firmware/nobody.bin?mac=${mac}`),
      );
      const tls = await tlsAs(mac);
      const r = await curl([...tls, `${server.https}/firmware/secure.bin?mac=${mac}`]);
      expect(r.status).toBe(200);
      expect(r.body).toBe("image of tenant C");
      // Another unit's certificate naming this unit: refused, as an unknown name.
      const theirs = await tlsAs(UNIT_A);
      const stolen = await curl([...theirs, `${server.https}/firmware/secure.bin?mac=${mac}`]);
      const none = await curl([...theirs, `${server.https}/firmware/nobody.bin?mac=${mac}`]);
      expect({ status: stolen.status, body: stolen.body }).toEqual({
        status: none.status,
        body: none.body,
      });
      expect(stolen.status).toBe(404);
    });

    it("in a tenant that requires client certificates, an SPA ATA gets its image over HTTP and TFTP from the address of its certificate-proven resync, and nobody else does", async () => {
      const { store } = server.node;
      const settings = (slug: string) => ({
        profilePaths: [`/${slug}/$MA.xml`],
        requireClientCert: true,
      });
      const delta = await store.tenants.create({
        slug: "delta",
        name: "D",
        settings: settings("delta"),
      });
      const echo = await store.tenants.create({
        slug: "echo",
        name: "E",
        settings: settings("echo"),
      });
      const ata = "000e08fd0001";
      const idle = "000e08fd0002";
      const foreign = "000e08fe0001";
      for (const [mac, tenantId] of [
        [ata, delta.id],
        [idle, delta.id],
        [foreign, echo.id],
      ]) {
        await store.devices.create({
          mac: parseMac(mac!),
          tenantId: tenantId!,
          modelPn: "SPA2102",
        });
      }
      await upload(delta.id, "ata.bin", "image of tenant D", ["SPA2102"]);
      await setUpgradePolicy(
        store,
        { tenantId: delta.id, name: "ata", target: "7.5.5", scheme: "https" },
        "test",
      );
      await settle();
      /** A resync over HTTPS with the unit's own certificate, from `from`: its Upgrade_Rule. */
      const resync = async (mac: string, slug: string, from: string) => {
        const r = await curl([
          ...["--interface", from, ...(await tlsAs(mac))],
          ...["-A", `Cisco/SPA2102-7.4.8 (${mac})`, `${server.https}/${slug}/${mac}.xml`],
        ]);
        expect(r.status).toBe(200);
        return /<Upgrade_Rule ua="na">([^<]*)<\/Upgrade_Rule>/.exec(r.body)?.[1];
      };
      // The https policy gives the ATA, which cannot download over HTTPS, an http URL.
      expect(await resync(ata, "delta", "127.0.0.2")).toBe(
        `($SWVER lt 7.5.5)? ${server.http}/firmware/ata.bin?mac=$MA`,
      );
      const fetchFrom = async (from: string, path: string) => {
        const client = httpFrom(from);
        try {
          const r = await client.get(`${server.http}${path}`);
          return { status: r.status, body: r.body };
        } finally {
          client.close();
        }
      };
      const tftpFrom = (from: string, name: string) => tftpFirstAnswer(from, server.tftpPort, name);
      // From the address of its proven resync: the image, over HTTP and TFTP.
      expect(await fetchFrom("127.0.0.2", `/firmware/ata.bin?mac=${ata}`)).toEqual({
        status: 200,
        body: "image of tenant D",
      });
      const overTftp = await tftpFrom("127.0.0.2", `/firmware/ata.bin?mac=${ata}`);
      expect(overTftp.kind === "data" ? overTftp.bytes.toString() : overTftp).toBe(
        "image of tenant D",
      );
      // From another address: the answer of a name nobody has.
      const none = await fetchFrom("127.0.0.3", `/firmware/nobody.bin?mac=${ata}`);
      expect(none.status).toBe(404);
      expect(await fetchFrom("127.0.0.3", `/firmware/ata.bin?mac=${ata}`)).toEqual(none);
      expect(await tftpFrom("127.0.0.3", `/firmware/ata.bin?mac=${ata}`)).toEqual(
        await tftpFrom("127.0.0.3", `/firmware/nobody.bin?mac=${ata}`),
      );
      // A unit of the tenant with no proven resync, from the ATA's own address.
      expect(await fetchFrom("127.0.0.2", `/firmware/ata.bin?mac=${idle}`)).toEqual(
        await fetchFrom("127.0.0.2", `/firmware/nobody.bin?mac=${idle}`),
      );
      expect(await tftpFrom("127.0.0.2", `/firmware/ata.bin?mac=${idle}`)).toEqual(
        await tftpFrom("127.0.0.2", `/firmware/nobody.bin?mac=${idle}`),
      );
      // Another node served the profile (this one has no memory of it): the stored status
      // of an HTTPS profile from that address, recent, proves it; an HTTP one or an old one
      // does not.
      const [viaStatus, overHttp, stale] = ["000e08fd0003", "000e08fd0004", "000e08fd0005"];
      const statuses: [string, string, number][] = [
        [viaStatus, "https", 0],
        [overHttp, "http", 0],
        [stale, "https", 11 * 60_000],
      ];
      for (const [mac] of statuses) {
        await store.devices.create({ mac: parseMac(mac), tenantId: delta.id, modelPn: "SPA2102" });
      }
      await store.devices.recordStatusBatch(
        statuses.map(([mac, transport, age]) => ({
          mac: parseMac(mac),
          at: new Date(Date.now() - age),
          remoteAddress: "127.0.0.5",
          userAgent: null,
          firmware: null,
          result: "ok",
          transport,
        })),
      );
      await settle();
      expect(await fetchFrom("127.0.0.5", `/firmware/ata.bin?mac=${viaStatus}`)).toEqual({
        status: 200,
        body: "image of tenant D",
      });
      for (const mac of [overHttp, stale]) {
        expect(await fetchFrom("127.0.0.5", `/firmware/ata.bin?mac=${mac}`)).toEqual(
          await fetchFrom("127.0.0.5", `/firmware/nobody.bin?mac=${mac}`),
        );
      }
      // Another tenant's unit, with a proven resync of its own from its address.
      await resync(foreign, "echo", "127.0.0.4");
      expect(await fetchFrom("127.0.0.4", `/firmware/ata.bin?mac=${foreign}`)).toEqual(none);
      expect(await tftpFrom("127.0.0.4", `/firmware/ata.bin?mac=${foreign}`)).toEqual(
        await tftpFrom("127.0.0.4", `/firmware/nobody.bin?mac=${foreign}`),
      );
    });

    it("a file left where names were installation-wide is moved to its tenant's folder and served", async () => {
      const { store } = server.node;
      const filesDir = server.node.config.filesDir;
      const bytes = Buffer.from("image registered before names were per tenant");
      mkdirSync(join(filesDir, "firmware"), { recursive: true });
      writeFileSync(join(filesDir, "firmware", "legacy.bin"), bytes);
      await store.firmware.addImage({
        tenantId: "default",
        version: "7.5.5",
        models: ["SPA962"],
        fileName: "legacy.bin",
        sha256: createHash("sha256").update(bytes).digest("hex"),
        bytes: bytes.length,
      });
      await settle();
      // Not to tenant B's unit, nor over TFTP's files root.
      expect(await get(`/firmware/legacy.bin?mac=${UNIT_B}`, UNIT_B)).toEqual(
        await get(`/firmware/nobody.bin?mac=${UNIT_B}`, UNIT_B),
      );
      expect(await tftp("/firmware/legacy.bin")).toEqual(await tftp("/firmware/nobody.bin"));
      expect(await get(`/firmware/legacy.bin?mac=${UNIT_A}`, UNIT_A)).toMatchObject({
        status: 200,
        body: bytes.toString(),
      });
      expect(readFileSync(join(filesDir, "firmware", "default", "legacy.bin"))).toEqual(bytes);
      expect(existsSync(join(filesDir, "firmware", "legacy.bin"))).toBe(false);
      // Removing an image whose file no node moved yet removes the file at the old place.
      const older = Buffer.from("another image from before");
      writeFileSync(join(filesDir, "firmware", "older.bin"), older);
      const registered = await store.firmware.addImage({
        tenantId: "default",
        version: "7.5.5",
        models: ["SPA962"],
        fileName: "older.bin",
        sha256: createHash("sha256").update(older).digest("hex"),
        bytes: older.length,
      });
      await removeFirmware(store, filesDir, registered.id, "test");
      expect(existsSync(join(filesDir, "firmware", "older.bin"))).toBe(false);
    });
  });
}
