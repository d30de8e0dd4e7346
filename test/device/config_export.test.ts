/**
 * The unit's configuration export (`/admin/cfg.xml`) in the real export format: every
 * element carries its web `group` for the model's product family, and the export,
 * re-applied to a fresh unit of the same model, reproduces the parameters.
 */

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  Device,
  type DeviceOptions,
  type DeviceWebServer,
  startWebServer,
  VirtualClock,
} from "../../src/device/index.ts";
import { parseXmlProfile, serializeXmlProfile } from "../../src/profile/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

const run = promisify(execFile);
let files: StaticServer;
const webs: DeviceWebServer[] = [];

beforeAll(async () => {
  files = await startStaticServer();
});
afterAll(async () => {
  await files?.close();
});
afterEach(async () => {
  for (const w of webs.splice(0)) await w.close();
});

type Model = Partial<DeviceOptions> & { productName: string };
const SPA962: Model = { productName: "SPA962", productSeries: "962" };
const CP8851: Model = {
  family: "mpp",
  productName: "CP-8851-3PCC",
  productSeries: "8851",
};

function unit(options: Model): Device {
  const d = new Device({ mac: "000e08abcdef", clock: new VirtualClock(), ...options });
  d.configure({ Resync_On_Reset: "No" });
  d.powerOn();
  return d;
}

async function exportOf(d: Device): Promise<string> {
  const web = await startWebServer(d);
  webs.push(web);
  const { stdout } = await run("curl", ["-sf", `${web.url}/admin/cfg.xml`]);
  return stdout;
}

/** name → group attribute (or null) of every parameter element of an export. */
function groupsIn(doc: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const m of doc.matchAll(/^ {2}<([A-Za-z0-9_]+)((?: [a-z-]+="[^"]*")*)\/?>/gm)) {
    const group = /group="([^"]*)"/.exec(m[2]!)?.[1];
    out.set(m[1]!, group ?? null);
  }
  return out;
}

function fixtureNames(family: string): string[] {
  return readFileSync(new URL(`../fixtures/catalogue/${family}.names.txt`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
}

describe("group annotation in the XML serializer", () => {
  it("is written before ua, never changes what parsing gives back, and alone never means empty", () => {
    const { text, warnings } = serializeXmlProfile({
      entries: [
        { name: "Proxy_1_", value: "", access: "na", group: "Ext_1/Proxy_and_Registration" },
        { name: "GPP_A", value: "a&b", access: undefined, group: "Provisioning/G" },
        { name: "GPP_B", value: undefined, access: "ro", group: "Provisioning/G" },
        { name: "GPP_C", value: undefined, access: undefined, group: "Provisioning/G" },
      ],
    });
    expect(text).toContain('<Proxy_1_ group="Ext_1/Proxy_and_Registration" ua="na"></Proxy_1_>');
    expect(text).toContain('<GPP_A group="Provisioning/G">a&amp;b</GPP_A>');
    expect(text).toContain('<GPP_B group="Provisioning/G" ua="ro"/>');
    // `<GPP_C group="…"/>` would set GPP_C empty: an entry without value or access stays out.
    expect(text).not.toContain("GPP_C");
    expect(warnings.map((w) => w.name)).toEqual(["GPP_C"]);
    const back = parseXmlProfile(text).entries.map((e) => [e.name, e.value, e.access]);
    expect(back).toEqual([
      ["Proxy_1_", "", "na"],
      ["GPP_A", "a&b", undefined],
      ["GPP_B", undefined, "ro"],
    ]);
  });
});

describe("configuration export (/admin/cfg.xml)", () => {
  it("SPA962: group before ua, the phone's Ext n / Line Key n pages, index expanded", async () => {
    const doc = await exportOf(unit(SPA962));
    expect(doc).toMatch(/<Proxy_1_ group="Ext_1\/Proxy_and_Registration" ua="(na|ro|rw)">/);
    expect(doc).toMatch(/<Proxy_6_ group="Ext_6\/Proxy_and_Registration" ua="/);
    expect(doc).toMatch(/<Extension_3_ group="Phone\/Line_Key_3" ua="/);
    expect(doc).toMatch(
      /<Profile_Rule group="Provisioning\/Configuration_Profile" ua="(na|ro|rw)">/,
    );
    expect(doc).toMatch(/<Dial_Plan_2_ group="Ext_2\/Dial_Plan" ua="/);
    expect(doc).not.toContain("[n]");
    // Every element the family's real profiles carry is exported with a group path in the
    // device's style (underscores for spaces, `/` between tab and section).
    const groups = groupsIn(doc);
    const names = fixtureNames("spa9x2").filter((n) => !/^GPP_S[A-D]$/.test(n) && groups.has(n));
    expect(names.length).toBeGreaterThan(300);
    for (const n of names) expect(groups.get(n), n).toMatch(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)+$/);
  });

  it("CP-8851: the MPP phone family's groups; an SPA2102 (ATA) writes Line n instead", async () => {
    const doc = await exportOf(unit(CP8851));
    expect(doc).toMatch(/<Proxy_1_ group="Ext_1\/Proxy_and_Registration" ua="/);
    expect(doc).toMatch(/<Extension_10_ group="Phone\/Line_Key_10" ua="/);
    expect(doc).toMatch(/<Station_Name group="Phone\/General" ua="/);
    const groups = groupsIn(doc);
    const names = fixtureNames("mpp-phone").filter((n) => groups.has(n));
    expect(names.length).toBeGreaterThan(300);
    for (const n of names) expect(groups.get(n), n).toMatch(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)+$/);

    const ata = await exportOf(unit({ productName: "SPA2102" }));
    expect(ata).toMatch(/<Proxy_2_ group="Line_2\/Proxy_and_Registration" ua="/);
    expect(ata).toMatch(/<Speed_Dial_2_1_ group="User_1\/Speed_Dial_Settings" ua="/);
  });

  for (const [model, options] of [
    ["SPA962", SPA962],
    ["CP-8851", CP8851],
  ] as const) {
    it(`${model}: the export re-applied to a fresh unit gives the same parameters`, async () => {
      const source = unit(options);
      files.files.set("/changes.xml", {
        body: flat(
          '<Proxy_1_ ua="rw">sip.example.net</Proxy_1_><GPP_B ua="ro">b &amp; "q"</GPP_B>' +
            '<Dial_Plan_2_ ua="na"> (x.) </Dial_Plan_2_><Station_Name>Lobby</Station_Name>' +
            "<GPP_D></GPP_D>",
        ),
      });
      await source.resync(`http://127.0.0.1:${files.port}/changes.xml`);
      await source.settled();
      expect(source.params.get("Proxy_1_")).toBe("sip.example.net");
      const doc = await exportOf(source);

      const copy = unit(options);
      files.files.set("/export.xml", { body: doc });
      await copy.resync(`http://127.0.0.1:${files.port}/export.xml`);
      await copy.settled();
      const want = new Map(source.params.entries());
      const got = new Map(copy.params.entries());
      for (const name of ["GPP_SA", "GPP_SB", "GPP_SC", "GPP_SD"]) {
        want.delete(name);
        got.delete(name);
      }
      const differing = [...want].filter(([n, s]) => {
        const g = got.get(n);
        return g?.value !== s.value || g?.access !== s.access;
      });
      expect(differing).toEqual([]);
      expect(got.get("GPP_B")).toMatchObject({ value: 'b & "q"', access: "ro" });
    });
  }
});
