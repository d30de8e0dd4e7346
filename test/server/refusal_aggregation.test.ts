/**
 * Refusals are aggregated per source as connections are counted: the addresses of one IPv6
 * /64 are one source, so a client owning a /64 cannot make a row (and a table key) per
 * address, nor push other sources into the "(other sources)" row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOT_FOUND_REASON, refuse } from "../../src/server/resync_outcome.ts";
import { ResyncRecorder } from "../../src/server/resync_recorder.ts";
import type { ResyncRequest } from "../../src/server/resync_request.ts";
import { StatusWriter } from "../../src/server/status_writer.ts";
import type { Store } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";

const sqlite = dialects().find((d) => d.name === "sqlite")!;
let fresh: Fresh;
let store: Store;
let writer: StatusWriter;

beforeAll(async () => {
  fresh = await sqlite.fresh();
  store = await fresh.open();
  writer = new StatusWriter({
    sink: { write: (batch) => store.devices.recordActivity(batch) },
    intervalMs: 60_000,
  });
});

afterAll(async () => {
  await writer.close();
  await fresh?.dispose();
});

const req = (remoteAddress: string, path: string): ResyncRequest => ({
  transport: "http",
  method: "GET",
  path,
  query: "",
  remoteAddress,
});

describe("refusal aggregation per source", () => {
  it("sums up an IPv6 /64 in one row, keeping room for other sources", async () => {
    const r = new ResyncRecorder({
      writer,
      repeatEventWindowMs: 0,
      repeatStatusWindowMs: 0,
      maxRefusalKeys: 10,
    });
    for (let i = 1; i <= 500; i++) {
      r.record(
        req(`2001:db8:7:9::${i.toString(16)}`, `/p/${i}.xml`),
        undefined,
        refuse(404, NOT_FOUND_REASON),
        0,
        1000,
      );
    }
    r.record(req("192.0.2.10", "/p/x.xml"), undefined, refuse(404, NOT_FOUND_REASON), 0, 1000);
    expect(r.pendingRefusals).toBe(2);
    r.flush(0, true);
    await writer.flush();
    const events = await store.events.list({ limit: 1000 });
    expect(events.map((e) => [e.remoteAddress, e.message]).sort()).toEqual([
      ["192.0.2.10", NOT_FOUND_REASON],
      ["2001:db8:7:9::/64", `500 × ${NOT_FOUND_REASON} (aggregated over 60 s)`],
    ]);
  });
});
