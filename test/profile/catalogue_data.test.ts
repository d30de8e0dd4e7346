import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  buildCatalogueData,
  CATALOGUE_DATA,
  catalogueBuild,
  checkCatalogueData,
  createCatalogue,
  defaultCatalogue,
  FAMILY_TABLES,
  type FamilyTable,
  validateValue,
} from "../../src/profile/index.ts";

const run = promisify(execFile);

describe("catalogue data (family tables)", () => {
  it("passes its own check: types parse, defaults fit their types, no name twice per model", () => {
    const result = checkCatalogueData(catalogueBuild());
    expect(result.problems).toEqual([]);
    expect(result.models.map((m) => m.model)).toEqual(
      expect.arrayContaining([
        "SPA112",
        "SPA122",
        "SPA2102",
        "SPA3102",
        "SPA8000",
        "SPA303",
        "SPA504G",
        "SPA525G2",
        "SPA962",
        "CP-6841-3PCC",
        "CP-6851-3PCC",
        "CP-7821-3PCC",
        "CP-7841-3PCC",
        "CP-7861-3PCC",
        "CP-8811-3PCC",
        "CP-8841-3PCC",
        "CP-8851-3PCC",
        "CP-8861-3PCC",
        "ATA191-MPP",
        "ATA192-MPP",
      ]),
    );
  });

  it("scripts/check_catalogue.ts exits 0 and prints per-model coverage", async () => {
    const { stdout } = await run("npx", ["tsx", "scripts/check_catalogue.ts", "--json"], {
      cwd: new URL("../..", import.meta.url).pathname,
    });
    const result = JSON.parse(stdout) as { problems: string[]; models: { model: string }[] };
    expect(result.problems).toEqual([]);
    expect(result.models.length).toBeGreaterThanOrEqual(20);
  });

  it("importing the profile module does not build the catalogue; the first lookup does (fresh process)", async () => {
    const probe = [
      'const p = await import("./src/profile/index.ts");',
      "const steps = [p.catalogueBuilt()];",
      'p.parseXmlProfile("<flat-profile><Proxy_1_>x</Proxy_1_></flat-profile>");',
      "steps.push(p.catalogueBuilt());",
      'steps.push(p.defaultCatalogue.has("Time_Zone"), p.catalogueBuilt());',
      "console.log(JSON.stringify(steps));",
    ].join("\n");
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", probe],
      { cwd: new URL("../..", import.meta.url).pathname },
    );
    expect(JSON.parse(stdout)).toEqual([false, false, true, true]);
  });

  it("the check reports defective tables (bad type spec, bad default, unknown model, duplicate, missing)", () => {
    const broken: FamilyTable = {
      id: "broken",
      title: "defective on purpose",
      deviceFamily: "spa",
      ua: "na",
      models: [{ name: "X1", counts: { line: 1 } }],
      sections: [
        {
          group: "System/Test",
          rows: `
Good_One ~ Yes
Bad_Spec ~ 1 ~ zz
Bad_Default ~ maybe ~ b
Only_On_Y ~ 1 ~ s ~ ~ Y9
Good_One ~ No
`,
        },
      ],
    };
    const problems = checkCatalogueData(buildCatalogueData([], [broken])).problems.join("\n");
    expect(problems).toContain('Bad_Spec: unknown type spec "zz"');
    expect(problems).toContain('Bad_Default: default "maybe" is not a valid Bool');
    expect(problems).toContain("unknown model Y9");
    expect(problems).toContain("Good_One listed twice");
    expect(problems).toContain("X1: lacks Profile_Rule");
    expect(problems).toContain("X1: lacks Proxy_1_");
  });

  it("describes an indexed parameter once per family and expands it per model", () => {
    for (const table of FAMILY_TABLES) {
      const rows = table.sections.flatMap((s) => s.rows.split("\n"));
      expect(
        rows.filter((r) => r.startsWith("Proxy_[n]_ ")),
        table.id,
      ).toHaveLength(1);
      expect(
        rows.some((r) => /^Proxy_\d+_/.test(r)),
        table.id,
      ).toBe(false);
    }
    const spa112 = createCatalogue(undefined, { model: "SPA112" });
    expect(spa112.has("Line_Enable_2_")).toBe(true);
    expect(spa112.has("Line_Enable_3_")).toBe(false);
    expect(spa112.has("Speed_Dial_9_2_")).toBe(true);
    const spa8000 = createCatalogue(undefined, { model: "SPA8000" });
    expect(spa8000.has("Proxy_8_")).toBe(true);
    expect(spa8000.has("Proxy_9_")).toBe(false);
    const cp8851 = createCatalogue(undefined, { model: "CP-8851-3PCC" });
    expect(cp8851.has("Extension_10_")).toBe(true);
    expect(cp8851.has("Extension_11_")).toBe(false);
    expect(cp8851.has("Speed_Dial_2_1_")).toBe(false);
    const spa504g = createCatalogue(undefined, { model: "SPA504G" });
    expect(spa504g.has("Extension_4_")).toBe(true);
    expect(spa504g.has("Extension_5_")).toBe(false);
    expect(spa504g.has("Bluetooth_Mode")).toBe(false);
    expect(createCatalogue(undefined, { model: "SPA525G2" }).has("Bluetooth_Mode")).toBe(true);
  });

  it("knows the everyday parameters a provider sets, with types and factory defaults", () => {
    const everyday: [string, string, string][] = [
      ["Time_Zone", "GMT-08:00", "GMT-05:00"],
      ["Primary_NTP_Server", "", "pool.ntp.org"],
      ["Preferred_Codec_1_", "G711u", "G729a"],
      ["NAT_Keep_Alive_Enable_1_", "No", "Yes"],
      ["Enable_VLAN", "No", "Yes"],
      ["VLAN_ID", "1", "100"],
      ["Text_Logo", "", "ACME"],
      ["Voice_Mail_Number", "", "*97"],
      ["Extension_1_", "1", "Disabled"],
      ["RTP_Port_Min", "16384", "10000"],
      [
        "Daylight_Saving_Time_Rule",
        "start=4/1/7;end=10/-1/7;save=1",
        "start=3/-1/7/2;end=10/-1/7/2;save=1",
      ],
      ["Dial_Tone", "350@-19,440@-19;10(*/0/1+2)", "425@-10;10(*/0/1)"],
      ["Ring1_Cadence", "60(2/4)", "60(1/4)"],
      ["Cfwd_All_Act_Code", "*72", "*21"],
      ["Station_Name", "", "Reception"],
    ];
    for (const [name, factory, value] of everyday) {
      expect(defaultCatalogue.has(name), name).toBe(true);
      expect(defaultCatalogue.defaultValue(name), name).toBe(factory);
      expect(defaultCatalogue.validate(name, value)?.valid, `${name}=${value}`).toBe(true);
    }
    expect(defaultCatalogue.validate("Time_Zone", "GMT-05")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Enable_VLAN", "perhaps")?.valid).toBe(false);
    expect(defaultCatalogue.validate("RTP_Port_Min", "70000")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Dial_Tone", "350 Hz please")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Ring1_Cadence", "60(2-4)")?.valid).toBe(false);
    expect(defaultCatalogue.defaultValue("Profile_Rule", "mpp")).toBe("/$PSN.xml");
    expect(defaultCatalogue.isSecret("Password_7_")).toBe(true);
    expect(defaultCatalogue.isSecret("PPPoE_Login_Password")).toBe(true);
  });

  it("keeps each family's web group, default and factory ua as a variant", () => {
    const proxy = defaultCatalogue.lookup("Proxy_1_")!.definition;
    const groups = Object.fromEntries((proxy.variants ?? []).map((v) => [v.family, v.group]));
    expect(groups).toMatchObject({
      spa1xx: "Line_[n]/Proxy_and_Registration",
      spa50x: "Ext_[n]/Proxy_and_Registration",
      spa525g2: "Ext_[n]/Proxy_and_Registration",
      "mpp-phone": "Ext_[n]/Proxy_and_Registration",
    });
    const cw = defaultCatalogue.lookup("CW_Setting_1_")!.definition;
    expect(cw.userAccess).toBe("rw");
    const dtmf = defaultCatalogue.lookup("DTMF_Tx_Strict_Hold_Off_Time_1_")!.definition;
    const defaults = Object.fromEntries(
      (dtmf.variants ?? []).map((v) => [v.family, v.defaultValue]),
    );
    expect(defaults).toMatchObject({ spa1xx: "70", "spa-ata": "40", "mpp-ata": "70" });
    // The spec's core keeps its own richer entry (notes, section) while gaining the data.
    const rule = defaultCatalogue.lookup("Profile_Rule")!.definition;
    expect(rule.section).toBe("4.1");
    expect(rule.models).toContain("ATA192-MPP");
    expect(CATALOGUE_DATA.find((d) => d.name === "Profile_Rule")?.notes).toBe(rule.notes);
  });
});

describe("value types the catalogue added", () => {
  it("Time accepts the device spelling without a leading zero (.5) and refuses a bare dot", () => {
    expect(validateValue({ kind: "time", decimals: 3 }, ".5").valid).toBe(true);
    expect(validateValue({ kind: "time", decimals: 3, max: 64 }, "0.5").valid).toBe(true);
    expect(validateValue({ kind: "time", decimals: 3 }, ".").valid).toBe(false);
    expect(validateValue({ kind: "time", decimals: 3 }, "").valid).toBe(false);
    expect(validateValue({ kind: "time", decimals: 0, emptyOk: true }, "").valid).toBe(true);
  });

  it.each([
    [
      { kind: "toneScript" } as const,
      ["350@-19,440@-19;10(*/0/1+2)", "600@-16;.3(.05/0.05/1)", ""],
      ["350@-19", "350;10(1/1/1)", "x@y;1(1/1/1)"],
    ],
    [
      { kind: "cadence" } as const,
      ["60(2/4)", "*(.3/9.7)", "30(.1/.1, .1/9.7)", ""],
      ["60", "60(2)", "(2/4)"],
    ],
    [
      { kind: "dstRule" } as const,
      ["start=3/-1/7/2;end=10/-1/7/2;save=1", "start=4/1/7;end=10/-1/7;save=1", ""],
      ["start=3/-1/7/2", "begin=1;end=2", "start=1;start=2;end=3"],
    ],
    [{ kind: "starCode" } as const, ["*69", "#99", ""], ["69a", "* 69"]],
  ])("%j", (type, good, bad) => {
    for (const value of good) expect(validateValue(type, value).valid, value).toBe(true);
    for (const value of bad) expect(validateValue(type, value).valid, value).toBe(false);
  });
});
