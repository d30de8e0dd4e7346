import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import type { DeviceInput, Store } from "../../src/store/store.ts";
import { dialects, type Fresh, macFor } from "./dialects.ts";

/** The fields the property varies: undefined = keep, null = clear, text = set. */
const FIELDS = ["serial", "label", "modelPn"] as const;
type Field = (typeof FIELDS)[number];
type Model = Map<string, Record<Field | "state", string | null>>;

const fieldValue = fc.option(fc.option(fc.constantFrom("a", "b", "c"), { nil: null }), {
  nil: undefined,
});
const op = fc.record({
  device: fc.integer({ min: 0, max: 4 }),
  serial: fieldValue,
  label: fieldValue,
  modelPn: fieldValue,
  state: fc.option(fc.constantFrom("factory", "staged", "provisioned"), { nil: undefined }),
});

for (const dialect of dialects()) {
  describe(`bulkUpsert against a model (${dialect.name})`, () => {
    let db: Fresh;
    let store: Store;
    let run = 0;
    beforeAll(async () => {
      db = await dialect.fresh();
      store = await db.open();
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("any sequence of partial upserts, in any batch size, ends where merging field by field ends", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 4 }),
          async (ops, batchSize) => {
            run += 1;
            const base = run * 16;
            const model: Model = new Map();
            const inputs: DeviceInput[] = ops.map((o) => {
              const mac = macFor(base + o.device);
              const row = model.get(mac) ?? {
                serial: null,
                label: null,
                modelPn: null,
                state: "factory",
              };
              const input: Record<string, unknown> = { mac: parseMac(mac) };
              for (const field of FIELDS) {
                if (o[field] !== undefined) {
                  row[field] = o[field];
                  input[field] = o[field];
                }
              }
              if (o.state !== undefined) {
                row.state = o.state;
                input.state = o.state;
              }
              model.set(mac, row);
              return input as unknown as DeviceInput;
            });
            await store.devices.bulkUpsert(inputs, { batchSize });
            const stored = await store.devices.list({
              after: parseMac(macFor(base - 1)),
              limit: 5,
            });
            const actual = new Map(
              stored
                .filter((d) => d.mac < macFor(base + 16))
                .map((d) => [
                  d.mac as string,
                  { serial: d.serial, label: d.label, modelPn: d.modelPn, state: d.state },
                ]),
            );
            expect(actual).toEqual(model);
          },
        ),
        { numRuns: 30 },
      );
      expect((await store.check()).ok).toBe(true);
    }, 120_000);
  });
}
