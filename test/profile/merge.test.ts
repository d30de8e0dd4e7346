import { describe, expect, it } from "vitest";
import {
  applyProfile,
  catalogueAccept,
  catalogueFactory,
  catalogueLayer,
  concatProfiles,
  createCatalogue,
  defaultCatalogue,
  duplicateNames,
  factoryState,
  lastOccurrences,
  mergedToProfile,
  mergeLayers,
  type ParameterState,
  parseTextProfile,
  parseXmlProfile,
  profileFromValues,
  serializeXmlProfile,
} from "../../src/profile/index.ts";

const spa = createCatalogue(undefined, { family: "spa", indexCounts: { line: 2, user: 2 } });
const factory = catalogueFactory(spa);

function device(
  overrides: Record<string, Partial<ParameterState>> = {},
): Map<string, ParameterState> {
  const state = factoryState(spa);
  for (const [name, o] of Object.entries(overrides)) state.set(name, { ...state.get(name)!, ...o });
  return state;
}

function xml(body: string) {
  return parseXmlProfile(`<flat-profile>${body}</flat-profile>`);
}

describe("device-side apply (§3.2.5, §3.2.6, C5–C7)", () => {
  it("§12.4 exercise 1 and 12: two files in one resync, later files win, others untouched", () => {
    let state = device();
    state = applyProfile(state, xml("<GPP_A>12345678</GPP_A>"), { factory }).state;
    state = applyProfile(state, xml("<GPP_B>ABCD</GPP_B><GPP_A>x</GPP_A>"), { factory }).state;
    expect(state.get("GPP_A")?.value).toBe("x");
    expect(state.get("GPP_B")?.value).toBe("ABCD");
    expect(state.get("Profile_Rule")?.value).toBe("/spa$PSN.cfg");
  });

  it("§3.2.5 a parameter not mentioned keeps value and access", () => {
    const before = device({ GPP_C: { value: "keep", access: "rw" } });
    const { state } = applyProfile(before, xml('<GPP_A ua="ro">1</GPP_A>'), { factory });
    expect(state.get("GPP_C")).toEqual({ value: "keep", access: "rw" });
  });

  it("§3.2.5 the last occurrence wins within one file", () => {
    const { state, changes } = applyProfile(device(), xml("<GPP_A>1</GPP_A><GPP_A>2</GPP_A>"), {
      factory,
    });
    expect(state.get("GPP_A")?.value).toBe("2");
    expect(changes.map((c) => c.after.value)).toEqual(["1", "2"]);
  });

  it("§3.2.5 unknown names are ignored and reported", () => {
    const { state, ignored } = applyProfile(device(), xml("<No_Such_Thing>1</No_Such_Thing>"), {
      factory,
    });
    expect(state.has("No_Such_Thing")).toBe(false);
    expect(ignored.map((e) => e.name)).toEqual(["No_Such_Thing"]);
  });

  it("§3.2.5 invalid values keep the previous value when a validator is given", () => {
    const { state, rejected } = applyProfile(
      device(),
      xml('<Resync_On_Reset ua="rw">maybe</Resync_On_Reset>'),
      {
        factory,
        accept: catalogueAccept(spa),
      },
    );
    expect(state.get("Resync_On_Reset")).toEqual({ value: "Yes", access: "rw" });
    expect(rejected.map((e) => e.name)).toEqual(["Resync_On_Reset"]);
  });

  it("§3.2.6 <GPP_A></GPP_A> empties; emptyXmlValue=default restores the factory value instead", () => {
    const before = device({ Profile_Rule: { value: "http://x" } });
    const empty = xml("<Profile_Rule></Profile_Rule>");
    expect(applyProfile(before, empty, { factory }).state.get("Profile_Rule")?.value).toBe("");
    expect(
      applyProfile(before, empty, { factory, emptyXmlValue: "default" }).state.get("Profile_Rule")
        ?.value,
    ).toBe("/spa$PSN.cfg");
  });

  it('§3.2.6 plain text Param "" ; is always the empty string (emptyXmlValue does not apply)', () => {
    const before = device({ Profile_Rule: { value: "http://x" } });
    const { state } = applyProfile(before, parseTextProfile('Profile_Rule "";'), {
      factory,
      emptyXmlValue: "default",
    });
    expect(state.get("Profile_Rule")?.value).toBe("");
  });

  it('C7 <X/> with no attributes empties; <X ua="rw"/> keeps the value and changes access', () => {
    const before = device({
      GPP_A: { value: "a" },
      Speed_Dial_2_1_: { value: "5551234", access: "na" },
    });
    const { state } = applyProfile(before, xml('<GPP_A/><Speed_Dial_2_1_ ua="rw"/>'), { factory });
    expect(state.get("GPP_A")?.value).toBe("");
    expect(state.get("Speed_Dial_2_1_")).toEqual({ value: "5551234", access: "rw" });
  });

  it("C5 absent ua: SPA resets to factory access, MPP retains", () => {
    const before = device({ GPP_A: { access: "rw" } });
    const profile = xml("<GPP_A>1</GPP_A>");
    expect(applyProfile(before, profile, { factory }).state.get("GPP_A")).toEqual({
      value: "1",
      access: "na",
    });
    expect(
      applyProfile(before, profile, { factory, uaAbsent: "retain" }).state.get("GPP_A"),
    ).toEqual({
      value: "1",
      access: "rw",
    });
  });

  it("§3.2.3 an invalid ua is ignored: access kept even under uaAbsent=factoryDefault", () => {
    const before = device({ GPP_A: { access: "rw" } });
    const { state } = applyProfile(before, xml('<GPP_A ua="RW">1</GPP_A>'), { factory });
    expect(state.get("GPP_A")).toEqual({ value: "1", access: "rw" });
  });

  it("§3.3.2 text: no tag hides, ! rw, ? ro, Name ; keeps the value, * keeps access (§3.3.4)", () => {
    const before = device({
      GPP_A: { value: "a", access: "rw" },
      GPP_B: { value: "b", access: "na" },
      GPP_C: { value: "c", access: "na" },
      GPP_D: { value: "d", access: "ro" },
    });
    const { state } = applyProfile(
      before,
      parseTextProfile('GPP_A "1"; GPP_B ! ; GPP_C ? "3"; GPP_D * "4";'),
      {
        factory,
      },
    );
    expect(state.get("GPP_A")).toEqual({ value: "1", access: "na" });
    expect(state.get("GPP_B")).toEqual({ value: "b", access: "rw" });
    expect(state.get("GPP_C")).toEqual({ value: "3", access: "ro" });
    expect(state.get("GPP_D")).toEqual({ value: "4", access: "ro" });
  });

  it("§3.2.3 preserve-value keeps an existing value, sets it when empty", () => {
    const mpp = createCatalogue(undefined, { family: "mpp" });
    const state0 = factoryState(mpp);
    const profile = xml('<Station_Name ua="rw" preserve-value="y">Travel Agent 1</Station_Name>');
    const first = applyProfile(state0, profile, {
      factory: catalogueFactory(mpp),
      uaAbsent: "retain",
    }).state;
    expect(first.get("Station_Name")?.value).toBe("Travel Agent 1");
    const edited = new Map(first).set("Station_Name", { value: "Desk 7", access: "rw" });
    expect(applyProfile(edited, profile).state.get("Station_Name")?.value).toBe("Desk 7");
  });

  it("does not modify the input table and reports only real changes", () => {
    const before = device();
    const snapshot = new Map(before);
    const { changes } = applyProfile(
      before,
      xml('<GPP_A ua="na"></GPP_A><GPP_B ua="rw">x</GPP_B>'),
      { factory },
    );
    expect(before).toEqual(snapshot);
    expect(changes.map((c) => c.name)).toEqual(["GPP_B"]);
  });

  it("profile helpers: last occurrences, duplicates, concatenation", () => {
    const p = profileFromValues([
      ["A", "1"],
      ["B", "2"],
      ["A", "3"],
    ]);
    expect([...lastOccurrences(p)].map(([n, e]) => `${n}=${e.value}`)).toEqual(["A=3", "B=2"]);
    expect(duplicateNames(p)).toEqual(["A"]);
    expect(concatProfiles(xml("<A>1</A>"), xml("<B>2</B>"))).toMatchObject({ format: "xml" });
    expect(concatProfiles(xml("<A>1</A>"), parseTextProfile('B "2";')).format).toBeUndefined();
  });
});

describe("server-side layer merge with provenance", () => {
  const layers = [
    catalogueLayer(spa),
    {
      id: "tenant:acme",
      entries: profileFromValues({ Profile_Rule: "https://p.acme/$MA.xml", GPP_B: "t" }).entries,
    },
    { id: "model:spa2102", entries: [{ name: "Dial_Plan_1_", value: "(xx.)", access: undefined }] },
    { id: "group:sales", entries: [{ name: "GPP_B", value: "g", access: "ro" as const }] },
    {
      id: "account:42",
      entries: [
        { name: "User_ID_1_", value: "4085551234", access: "na" as const },
        { name: "Display_Name_1_", value: "J. Smith", access: "rw" as const },
      ],
    },
    {
      id: "device:000e08012345",
      entries: [
        { name: "GPP_B", value: undefined, access: "rw" as const },
        { name: "X_Custom", value: "1", access: undefined },
        { name: "A_Custom", value: "2", access: "na" as const },
      ],
    },
  ];

  it("later layers win; value and access are tracked separately with the layer that set each", () => {
    const merged = mergeLayers(layers, { catalogue: spa });
    expect(merged.get("Profile_Rule")).toMatchObject({
      value: "https://p.acme/$MA.xml",
      valueFrom: "tenant:acme",
      access: "na",
      accessFrom: "catalogue",
    });
    expect(merged.get("GPP_B")).toMatchObject({
      value: "g",
      valueFrom: "group:sales",
      access: "rw",
      accessFrom: "device:000e08012345",
    });
    expect(merged.get("GPP_B")?.history.map((h) => h.layer)).toEqual([
      "catalogue",
      "tenant:acme",
      "group:sales",
      "device:000e08012345",
    ]);
    expect(merged.get("Dial_Plan_1_")).toMatchObject({
      value: "(xx.)",
      valueFrom: "model:spa2102",
      accessFrom: "catalogue",
    });
    expect(merged.get("Resync_Periodic")).toMatchObject({ value: "3600", valueFrom: "catalogue" });
  });

  it("output order: catalogue order, then unknown names in first-seen order", () => {
    const merged = mergeLayers([...layers].reverse(), { catalogue: spa });
    const names = merged.parameters.map((p) => p.name);
    expect(names.slice(0, spa.parameters.length)).toEqual(spa.parameters.map((p) => p.name));
    expect(names.slice(spa.parameters.length)).toEqual(["X_Custom", "A_Custom"]);
  });

  it("is deterministic and, without a catalogue, keeps first-seen order", () => {
    const a = mergeLayers(layers, { catalogue: spa });
    const b = mergeLayers(layers, { catalogue: spa });
    expect(a.parameters).toEqual(b.parameters);
    const plain = mergeLayers(layers.slice(1));
    expect(plain.parameters.map((p) => p.name).slice(0, 3)).toEqual([
      "Profile_Rule",
      "GPP_B",
      "Dial_Plan_1_",
    ]);
    expect(plain.get("Dial_Plan_1_")?.access).toBeUndefined();
  });

  it("within one layer the last entry for a name wins", () => {
    const merged = mergeLayers([
      {
        id: "l",
        entries: profileFromValues([
          ["A", "1"],
          ["A", "2"],
        ]).entries,
      },
    ]);
    expect(merged.get("A")?.value).toBe("2");
  });

  it("renders to a profile with ua on every element; a device applying it gets the effective values", () => {
    const merged = mergeLayers(layers, { catalogue: spa });
    const { text } = serializeXmlProfile(mergedToProfile(merged));
    const parsed = parseXmlProfile(text);
    expect(parsed.entries.filter((e) => spa.has(e.name)).every((e) => e.access !== undefined)).toBe(
      true,
    );
    const { state } = applyProfile(factoryState(spa), parsed, { factory });
    expect(state.get("User_ID_1_")).toEqual({ value: "4085551234", access: "na" });
    expect(state.get("Display_Name_1_")).toEqual({ value: "J. Smith", access: "rw" });
    expect(state.get("GPP_B")).toEqual({ value: "g", access: "rw" });
  });

  it("mergedToProfile skips names with neither value nor access and keeps preserve-value", () => {
    const merged = mergeLayers([
      {
        id: "a",
        entries: [
          { name: "A", value: undefined, access: undefined },
          { name: "S", value: "x", access: "rw", preserveValue: true },
        ],
      },
    ]);
    expect(mergedToProfile(merged).entries).toEqual([
      { name: "S", value: "x", access: "rw", preserveValue: true },
    ]);
  });

  it("catalogue layer without access, for a family", () => {
    const layer = catalogueLayer(defaultCatalogue, {
      family: "mpp",
      includeAccess: false,
      id: "defaults",
    });
    expect(layer.id).toBe("defaults");
    expect(layer.entries.find((e) => e.name === "Profile_Rule")).toEqual({
      name: "Profile_Rule",
      value: "/$PSN.xml",
      access: undefined,
    });
  });
});
