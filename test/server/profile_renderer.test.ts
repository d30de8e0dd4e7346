/**
 * Value templates rendered for many devices at once: each device's profile carries its own
 * values, whether a template only prints variables (filled in directly) or needs the
 * template engine (filters, unknown or non-string variables); a tenant layer change reaches
 * every device. One parameter's value alone (`value`, what a report's IKM is read with) is
 * the one the whole rendering gives.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCatalogue } from "../../src/profile/index.ts";
import {
  ProfileRenderer,
  type ProvisioNode,
  renderInputOf,
  ValueTemplates,
} from "../../src/server/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { curl, startTestNode, tempDir } from "./helpers.ts";

let node: ProvisioNode;
let http: string;
const DEVICES = [
  { mac: parseMac("000e08dd0001"), serial: "CCQ1", label: "front" },
  { mac: parseMac("000e08dd0002"), serial: null, label: null },
];

const layer = (version: string) => [
  { name: "Station_Name", value: `${version} {{ device.mac_upper }}`, access: "rw" as const },
  { name: "User_ID_1_", value: "{{device.serial}}", access: "na" as const },
  { name: "Display_Name_1_", value: "{{ device.mac | slice: 6, 6 }}", access: "na" as const },
  { name: "Text_Logo", value: "{{ device.label }}-{{ device.nosuch }}", access: "na" as const },
  { name: "Short_Name_1_", value: "{{ model.pn }}/{{ tenant.slug }}", access: "na" as const },
];

async function profile(mac: string): Promise<string> {
  const res = await curl([`${http}/profile/${mac}.xml`]);
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  node = await startTestNode(join(tempDir("templates"), "data"));
  http = `http://127.0.0.1:${node.addresses.http!.port}`;
  await node.store.layers.set({ scope: "tenant", tenantId: "default" }, layer("v1"));
  for (const d of DEVICES) await node.store.devices.create(d);
  await node.cache.settled();
});

afterAll(async () => {
  await node?.close();
});

describe("value templates across devices", () => {
  it("give each device its own values, plain or through the template engine", async () => {
    const first = await profile("000e08dd0001");
    expect(first).toContain('<Station_Name ua="rw">v1 000E08DD0001</Station_Name>');
    expect(first).toContain('<User_ID_1_ ua="na">CCQ1</User_ID_1_>');
    expect(first).toContain('<Display_Name_1_ ua="na">dd0001</Display_Name_1_>');
    expect(first).toContain('<Text_Logo ua="na">front-</Text_Logo>');
    expect(first).toContain('<Short_Name_1_ ua="na">/default</Short_Name_1_>');
    const second = await profile("000e08dd0002");
    expect(second).toContain('<Station_Name ua="rw">v1 000E08DD0002</Station_Name>');
    expect(second).toContain('<User_ID_1_ ua="na"></User_ID_1_>');
    expect(second).toContain('<Display_Name_1_ ua="na">dd0002</Display_Name_1_>');
    expect(second).toContain('<Text_Logo ua="na">-</Text_Logo>');
  });

  it("one parameter's value alone is the one the whole rendering gives", async () => {
    const renderer = new ProfileRenderer({
      catalogue: defaultCatalogue,
      templates: new ValueTemplates(),
    });
    const tenant = node.cache.tenant("default")!;
    for (const { mac } of DEVICES) {
      const device = (await node.cache.device(mac!))!;
      const input = await renderInputOf(node.cache, device, tenant);
      const all = new Map(renderer.resolve(input).map((p) => [p.name, p.value]));
      for (const name of [...layer("v1").map((l) => l.name), "Resync_Periodic"]) {
        expect([name, renderer.value(input, name)]).toEqual([name, all.get(name)]);
      }
      expect(renderer.value(input, "IKM_HTTP_Encrypt_Content")).toBeUndefined();
    }
  });

  it("follow a tenant layer change on every device", async () => {
    await node.store.layers.set({ scope: "tenant", tenantId: "default" }, layer("v2"));
    await new Promise((r) => setTimeout(r, 1500));
    for (const d of DEVICES) {
      const upper = d.mac.toUpperCase();
      expect(await profile(d.mac)).toContain(`<Station_Name ua="rw">v2 ${upper}</Station_Name>`);
    }
  });
});
