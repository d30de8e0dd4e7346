/**
 * Properties of the device search's text inputs: a MAC fragment written in any notation finds
 * the digits it stands for; a cursor round-trips; and any text in `q` or `cursor` answers 200 or
 * a 400 with a message through HTTP on both dialects — never a 500.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, parseMacFragment } from "../../src/admin/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import { DEVICE_SORT_KEYS, type DeviceSortKey, parseMac } from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { startApi, type TestApi } from "./helpers.ts";

const hex = fc.constantFrom(..."0123456789abcdefABCDEF".split(""));
const mac = fc.array(hex, { minLength: 12, maxLength: 12 }).map((d) => d.join(""));

/** A slice of a MAC written as people paste it: separated per octet or per Cisco group. */
const written = fc
  .record({
    mac,
    from: fc.nat(11),
    length: fc.integer({ min: 1, max: 12 }),
    separator: fc.constantFrom("", ":", "-", "."),
  })
  .map(({ mac, from, length, separator }) => {
    const start = Math.min(from, 12 - 1);
    const end = Math.min(12, start + length);
    const group = separator === "." ? 4 : 2;
    let text = "";
    for (let i = start; i < end; i++) {
      if (separator !== "" && i > start && i % group === 0) text += separator;
      text += mac[i];
    }
    return { mac: mac.toLowerCase(), digits: mac.slice(start, end).toLowerCase(), text };
  });

describe("MAC fragments and cursors", () => {
  it("reads a MAC slice in any notation as the digits it stands for", () => {
    fc.assert(
      fc.property(written, ({ mac, digits, text }) => {
        const parsed = parseMacFragment(text);
        expect(parsed).toBe(digits);
        expect(mac).toContain(parsed);
      }),
      { numRuns: 2_000 },
    );
  });

  it("never throws on any text, and answers only hex digits", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const parsed = parseMacFragment(text);
        if (parsed !== undefined) expect(parsed).toMatch(/^[0-9a-f]{1,12}$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("round-trips every position, and refuses any other text with API_VALIDATION", () => {
    const position = fc.record({
      sort: fc.constantFrom(...DEVICE_SORT_KEYS),
      descending: fc.boolean(),
      mac: mac.map((m) => parseMac(m)),
      at: fc.option(fc.nat(), { nil: null }),
      text: fc.option(fc.string({ maxLength: 32 }), { nil: null }),
    });
    fc.assert(
      fc.property(position, ({ sort, descending, mac, at, text }) => {
        const value =
          sort === "mac"
            ? mac
            : sort === "last_seen"
              ? at
              : sort === "state"
                ? (text ?? "x")
                : text;
        const cursor = encodeCursor({ value, mac }, sort, descending);
        expect(decodeCursor(cursor, sort, descending)).toEqual({ value, mac });
        const other: DeviceSortKey = sort === "mac" ? "state" : "mac";
        expect(() => decodeCursor(cursor, other, descending)).toThrow(/another order/);
      }),
      { numRuns: 1_000 },
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 80 })),
        fc.constantFrom(...DEVICE_SORT_KEYS),
        (text, sort) => {
          try {
            decodeCursor(text, sort, false);
          } catch (error) {
            expect(isProvisioError(error) && error.code === "API_VALIDATION").toBe(true);
            expect((error as Error).message).toMatch(/^cursor: /);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

for (const dialect of dialects()) {
  describe(`search inputs through HTTP on ${dialect.name}`, () => {
    let fresh: Fresh;
    let api: TestApi;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startApi({ store: fresh.options });
      await api.store.devices.bulkUpsert(
        Array.from({ length: 20 }, (_, i) => ({
          mac: parseMac(`0e0f10${i.toString(16).padStart(6, "0")}`),
          serial: `S${i}`,
          label: `desk ${i} %_\\`,
        })),
      );
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("answers 200 or 400 with a message for any q, cursor and sort", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 40 }),
          fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 60 }))),
          fc.constantFrom("mac", "last_seen", "model", "state"),
          async (q, cursor, sort) => {
            const params = new URLSearchParams({ q, sort, limit: "5" });
            if (cursor !== null) params.set("cursor", cursor);
            const res = await api.request("GET", `/api/v1/devices?${params}`);
            expect([200, 400], res.text).toContain(res.status);
            if (res.status === 400) {
              expect(res.body.error.code).toBe("API_VALIDATION");
              expect(res.body.error.message.length).toBeGreaterThan(5);
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
}
