/**
 * Units of a fleet apply files of one template to alike tables; a unit whose table is the
 * one an earlier unit applied such a file to reuses that outcome for the entries they share
 * and applies only its own. Whatever the files, the result must be applying in full: the same
 * table, the same changes, ignored and refused entries, the same revision.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParameterStore } from "../../src/device/index.ts";
import { createCatalogue, type Profile, type ProfileEntry } from "../../src/profile/index.ts";

const names = [...new ParameterStore({ family: "spa" }).entries().keys()];
const pick = (i: number) => names[(i * 7919) % names.length]!;

const accessArb = fc.constantFrom(undefined, "na", "ro", "rw", undefined);
const valueArb = fc.oneof(
  fc.constantFrom(undefined, "", "Yes", "No", "3600", "30,60", "sip.example.com", "-1", "x y"),
  fc.string({ maxLength: 6 }),
);
const entryArb = fc.record({
  name: fc.oneof(fc.nat(300).map(pick), fc.constantFrom("No_Such_Parameter", "GPP_A")),
  value: valueArb,
  access: accessArb,
  preserveValue: fc.constantFrom(undefined, undefined, true),
});

function entry(e: {
  name: string;
  value: string | undefined;
  access: "na" | "ro" | "rw" | undefined;
  preserveValue: boolean | undefined;
}): ProfileEntry {
  return {
    name: e.name,
    value: e.value,
    access: e.access,
    ...(e.preserveValue === true ? { preserveValue: true } : {}),
  };
}

/** A store that shares nothing with other units (its own catalogue): applies in full. */
function alone(family: "spa" | "mpp"): ParameterStore {
  return new ParameterStore({ family, catalogue: createCatalogue(undefined, { family }) });
}

const referenceCatalogues = {
  spa: createCatalogue(undefined, { family: "spa" }),
  mpp: createCatalogue(undefined, { family: "mpp" }),
};

describe("ParameterStore: applying like an earlier unit", () => {
  it("gives what applying in full gives, for files sharing most entries", () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { minLength: 64, maxLength: 120 }),
        fc.array(fc.tuple(fc.nat(119), entryArb, fc.option(fc.nat(119))), { maxLength: 12 }),
        fc.constantFrom("spa" as const, "mpp" as const),
        fc.constantFrom(undefined, "xml" as const, "text" as const),
        fc.boolean(),
        (template, edits, family, format, edited) => {
          const entries = template.map(entry);
          const file: Profile = { ...(format === undefined ? {} : { format }), entries };
          const mine = entries.slice();
          for (const [at, e, from] of edits) {
            const i = at % mine.length;
            const j = from === null ? undefined : from % mine.length;
            // The same entry object twice (a file built by code may repeat one).
            if (j !== undefined && mine[j]!.name === mine[i]!.name) mine[i] = mine[j]!;
            // Same name, other statement (what a unit's own value looks like).
            else mine[i] = entry({ ...e, name: mine[i]!.name });
          }
          const other: Profile = { ...(format === undefined ? {} : { format }), entries: mine };
          const setup = (s: ParameterStore) => {
            s.set("Profile_Rule", "http://prov.example.com/$MA.xml");
            if (edited) s.set("Resync_Periodic", "120");
          };
          // An earlier unit applies the template's file; then this unit applies its own.
          const earlier = new ParameterStore({ family });
          setup(earlier);
          earlier.apply(file);
          const unit = new ParameterStore({ family });
          setup(unit);
          const got = unit.apply(other);

          const ref = new ParameterStore({ family, catalogue: referenceCatalogues[family] });
          setup(ref);
          const want = ref.apply(other);
          expect(got.changes).toEqual(want.changes);
          expect(got.ignored).toEqual(want.ignored);
          expect(got.rejected).toEqual(want.rejected);
          expect(unit.revision).toBe(ref.revision);
          expect(unit.entries()).toEqual(ref.entries());
          // And it goes on like a unit that applied in full.
          const again = unit.apply(file);
          const wantAgain = ref.apply(file);
          expect(again.changes).toEqual(wantAgain.changes);
          expect(unit.entries()).toEqual(ref.entries());
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a unit whose table differs applies its file in full", () => {
    const entries = Array.from({ length: 80 }, (_, i) => ({
      name: pick(i),
      value: `v${i}`,
      access: "rw" as const,
    }));
    const earlier = new ParameterStore({ family: "spa" });
    earlier.apply({ entries });
    const unit = new ParameterStore({ family: "spa" });
    unit.set(entries[0]!.name, "admin edit");
    const ref = alone("spa");
    ref.set(entries[0]!.name, "admin edit");
    expect(unit.apply({ entries }).changes).toEqual(ref.apply({ entries }).changes);
    expect(unit.entries()).toEqual(ref.entries());
  });
});
