/**
 * Report uploads refused before or beside the report flow, over real sockets:
 *
 * - an oversized body (declared, or streamed past the limit) gets 413 from the HTTP listener
 *   and still leaves one event row and a security log line (`body-too-large`);
 * - a report identified by path from a unit with no proven resync is refused (403,
 *   `report-source-mismatch`): nothing shows the sender is the unit;
 * - over TFTP a write request (WRQ) to a report path stores the report once its transfer
 *   completed, with the same identification and source rules as HTTP; any other name, and a
 *   report over the limit, gets a TFTP error and a security event.
 */

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProvisioNode } from "../../src/server/node.ts";
import { type MacAddress, parseMac } from "../../src/store/index.ts";
import { tftpGet, tftpPut } from "../../src/tftp/index.ts";
import { allEvents, capturedLogger, startTestNode, tempDir } from "./helpers.ts";
import { sendFrom } from "./sources.ts";

const RESYNCED = parseMac("000e08d1d1d1") as MacAddress;
const NEVER = parseMac("000e08d2d2d2") as MacAddress;
const OVER_TFTP = parseMac("000e08d3d3d3") as MacAddress;
const MAX_BODY = 4096;
const log = capturedLogger();
const logLines = log.lines;

let node: ProvisioNode;
let port: number;
let tftpPort: number;

const REPORT = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<flat-profile>\n<Station_Name ua="rw">desk</Station_Name>\n</flat-profile>\n',
);

async function send(
  method: string,
  path: string,
  body?: Buffer,
  options: { chunked?: boolean; localAddress?: string } = {},
): Promise<number> {
  const answer = await sendFrom(port, method, path, {
    body,
    ...(options.chunked === undefined ? {} : { chunked: options.chunked }),
    ...(options.localAddress === undefined ? {} : { from: options.localAddress }),
    headers: { "content-type": "application/xml" },
  });
  return answer.status;
}

beforeAll(async () => {
  node = await startTestNode(
    join(tempDir("report-refusals"), "data"),
    { tftpPort: "0" },
    { logger: log.logger },
    { PROVISIO_SHEDDING_ENABLED: "false", PROVISIO_MAX_BODY_BYTES: String(MAX_BODY) },
  );
  port = node.addresses.http!.port;
  tftpPort = node.addresses.tftp!.port;
  await node.store.tenants.update("default", { settings: { profilePaths: ["/profile/$MA.xml"] } });
  for (const mac of [RESYNCED, NEVER, OVER_TFTP]) await node.store.devices.create({ mac });
  await node.cache.settled();
  expect(await send("GET", `/profile/${RESYNCED}.xml`)).toBe(200);
  // The TFTP unit fetches its profile over TFTP (a completed transfer: its source is proven).
  await tftpGet(`/profile/${OVER_TFTP}.xml`, { host: "127.0.0.1", port: tftpPort });
  await node.writer.flush();
}, 120_000);

afterAll(async () => {
  await node?.close();
});

describe("report refusals", () => {
  it("a report by path from a unit with no proven resync is refused; from the resynced unit's address it is stored", async () => {
    expect(await send("POST", `/report/${NEVER}.xml`, REPORT)).toBe(403);
    expect(await node.store.reports.latest(NEVER)).toBeNull();
    expect(
      await send("POST", `/report/${RESYNCED}.xml`, REPORT, { localAddress: "127.0.0.3" }),
    ).toBe(403);
    expect(await send("POST", `/report/${RESYNCED}.xml`, REPORT)).toBe(200);
    const mismatch = logLines.filter((l) => l.includes('"security":"report-source-mismatch"'));
    expect(mismatch.some((l) => l.includes(NEVER) && l.includes("no proven resync"))).toBe(true);
  });

  it("TFTP: a report upload is stored once its transfer completed; other names are refused", async () => {
    await tftpPut(`/report/delta/${OVER_TFTP}.xml`, REPORT, { host: "127.0.0.1", port: tftpPort });
    // The report is handed to the pipeline after the final ACK.
    let stored = await node.store.reports.latest(OVER_TFTP);
    while (stored === null) {
      await new Promise((r) => setTimeout(r, 50));
      stored = await node.store.reports.latest(OVER_TFTP);
    }
    expect(stored).toMatchObject({ kind: "delta", identifiedBy: "path" });
    expect(stored?.entries.map((e) => e.name)).toEqual(["Station_Name"]);

    // The refusals come from an address of their own: the security log's per-source budget
    // (5 lines a second) is not shared with the requests above.
    const from = { host: "127.0.0.1", port: tftpPort, localAddress: "127.0.0.7" };
    // Not a report path: Access violation, no file anywhere.
    await expect(tftpPut("/profile/evil.xml", REPORT, from)).rejects.toMatchObject({
      code: "TFTP_ACCESS_VIOLATION",
    });
    // A report over the limit: refused mid-transfer (no tsize) and up front (with tsize).
    const big = Buffer.alloc(MAX_BODY * 2, 0x41);
    await expect(tftpPut(`/report/${OVER_TFTP}.xml`, big, from)).rejects.toMatchObject({
      code: "TFTP_DISK_FULL",
    });
    await expect(
      tftpPut(`/report/big-${OVER_TFTP}.xml`, big, { ...from, tsize: true }),
    ).rejects.toMatchObject({ code: "TFTP_DISK_FULL" });
    // A unit that never resynced may not upload over TFTP either.
    await tftpPut(`/report/${NEVER}.xml`, REPORT, from);

    // Each refusal is recorded once the pipeline has seen it: wait for the four lines.
    const security = () =>
      logLines.filter((l) => l.includes('"security"') && l.includes('"transport":"tftp"'));
    while (security().length < 4) await new Promise((r) => setTimeout(r, 50));
    expect(security().filter((l) => l.includes('"upload-refused"'))).toHaveLength(1);
    expect(security().filter((l) => l.includes('"body-too-large"'))).toHaveLength(2);
    expect(
      security().filter((l) => l.includes("report-source-mismatch") && l.includes(NEVER)),
    ).toHaveLength(1);
    expect(await node.store.reports.latest(NEVER)).toBeNull();
  });

  it("an oversized report body gets 413 and leaves one event row and a security line", async () => {
    const path = `/report/${RESYNCED}.xml`;
    const chunkedPath = `/report/delta/${RESYNCED}.xml`;
    // From an address of its own: the security log's per-source budget is not shared with
    // the requests above.
    const localAddress = "127.0.0.5";
    expect(await send("PUT", path, Buffer.alloc(MAX_BODY + 1, 0x20), { localAddress })).toBe(413);
    expect(
      await send("POST", chunkedPath, Buffer.alloc(MAX_BODY * 3, 0x20), {
        chunked: true,
        localAddress,
      }),
    ).toBe(413);
    const security = logLines.filter((l) => l.includes('"security":"body-too-large"'));
    expect(security.some((l) => l.includes(`"path":"${path}"`))).toBe(true);
    expect(security.some((l) => l.includes(`"path":"${chunkedPath}"`))).toBe(true);
    // Refusals are aggregated per source, transport, status and reason: both are one row.
    const rows = (await allEvents(node)).filter((e) => e.statusCode === 413);
    expect(rows.filter((e) => e.transport === "http")).toEqual([
      expect.objectContaining({
        path,
        remoteAddress: localAddress,
        result: "bad-request",
        message: expect.stringMatching(/^2 × request body too large/),
      }),
    ]);
    // The two TFTP reports over the limit (previous test) likewise.
    expect(rows.filter((e) => e.transport === "tftp")).toEqual([
      expect.objectContaining({
        remoteAddress: "127.0.0.7",
        message: expect.stringMatching(/^2 × report too large/),
      }),
    ]);
  });
});
