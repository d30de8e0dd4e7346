/**
 * The `provisio serve` TFTP limits: read from the configuration (YAML / environment) and
 * applied by the TFTP listener. Real UDP on 127.0.0.1.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loadServeConfig, type ResyncHandler, startTftpListener } from "../../src/server/index.ts";
import { encodeError, encodeRequest, Opcode, parsePacket } from "../../src/tftp/index.ts";
import { rawSocket } from "./helpers.ts";

const PROFILE = Buffer.from("<flat-profile>\n</flat-profile>\n".repeat(40));

/** The profile for every name (the pipeline is not under test here). */
const handler: ResyncHandler = {
  handle: async () => ({ status: 200, headers: {}, body: PROFILE, result: "ok" }),
};

describe("serve: TFTP limits", () => {
  it("defaults, and values from the environment, reach the TFTP server", async () => {
    const defaults = loadServeConfig({ env: {}, cwd: "/nonexistent" }).tftpLimits;
    expect(defaults).toEqual({
      maxTransfers: 512,
      maxTransfersPerClient: 64,
      maxUnverifiedPerClient: 16,
      reservedForKnownSources: 128,
      maxTimeout: 10,
      maxTransferMs: 900_000,
      unverifiedMs: 5000,
      protectedPerClient: 4,
      minBlksize: 512,
    });
    expect(() =>
      loadServeConfig({ env: { PROVISIO_TFTP_MAX_TIMEOUT: "256" }, cwd: "/nonexistent" }),
    ).toThrow(/PROVISIO_TFTP_MAX_TIMEOUT/);
    expect(() =>
      loadServeConfig({ env: { PROVISIO_TFTP_MIN_BLKSIZE: "513" }, cwd: "/nonexistent" }),
    ).toThrow(/PROVISIO_TFTP_MIN_BLKSIZE/);
    const config = loadServeConfig({
      env: {
        PROVISIO_TFTP_MAX_TIMEOUT: "3",
        PROVISIO_TFTP_MAX_UNVERIFIED_PER_CLIENT: "1",
        // Below the default floor of 512: granted only because configured.
        PROVISIO_TFTP_MIN_BLKSIZE: "256",
      },
      cwd: "/nonexistent",
    });
    const { server, address } = await startTftpListener({
      handler,
      port: 0,
      host: "127.0.0.1",
      limits: config.tftpLimits,
      logger: pino({ level: "silent" }),
    });
    const a = await rawSocket();
    const b = await rawSocket();
    try {
      a.socket.send(
        encodeRequest(Opcode.RRQ, "spa.cfg", "octet", [
          ["blksize", "256"],
          ["timeout", "5"],
        ]),
        address.port,
        "127.0.0.1",
      );
      const oack = (await a.next())!;
      const p = parsePacket(oack.msg);
      expect(p.op === Opcode.OACK && [...p.options]).toEqual([["blksize", "256"]]);
      // One unacknowledged transfer per address: the second is not answered.
      const refused = new Promise<string>((resolve) =>
        server.once("rejected", (r) => resolve(r.reason)),
      );
      b.socket.send(encodeRequest(Opcode.RRQ, "spa.cfg", "octet"), address.port, "127.0.0.1");
      expect(await refused).toBe("Too many unacknowledged transfers from this address");
      a.socket.send(encodeError(0, "done"), oack.rinfo.port, "127.0.0.1");
    } finally {
      a.close();
      b.close();
      await server.close();
    }
  });
});
