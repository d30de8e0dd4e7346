/**
 * The renderer's fast path — the XML of a merge's unchanging parameters serialized once, plain
 * templates (variables, `upcase`, `downcase`, `slice`) filled in without the template engine —
 * gives the bytes of the whole serialization with every template through the engine, for
 * varied records: escapes, non-ASCII, access-only parameters, account lines, model and device
 * layers, templates the fast path leaves to the engine, values XML cannot carry.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultCatalogue } from "../../src/profile/index.ts";
import {
  accountLinesOf,
  ConfigCache,
  isValueTemplate,
  layerTargetsOf,
  mergeDeviceLayers,
  ProfileRenderer,
  type RenderInput,
  serializeFlatProfile,
  templateContext,
  ValueTemplates,
} from "../../src/server/index.ts";
import {
  type Account,
  DEFAULT_TENANT_ID,
  type Device,
  type LayerParameter,
  openStore,
  parseMac,
  Secret,
  type Store,
} from "../../src/store/index.ts";
import { testSealer } from "../store/dialects.ts";

let store: Store;
let cache: ConfigCache;
let account: Account;

const TEMPLATES = [
  "Phone {{ device.mac_upper }}",
  "{{device.serial}}",
  "auth-{{ device.serial }}-{{ device.label }}",
  "Desk {{ device.mac | slice: 6, 6 }}",
  "{{ device.mac | slice: 8, 4 }}",
  "{{ device.mac|slice:-4 }}",
  "{{ device.label | slice: 1, 3 }}",
  "{{ device.label | slice: -2, 5 }}",
  "{{ device.label | slice: 40, 2 }}",
  "{{ device.label | upcase }}/{{ device.model | downcase }}",
  "{{ device.model }} {{ device.mac_upper }} & <{{ tenant.slug }}>",
  "{{ model.pn }}/{{ model.psn }}/{{ device.nosuch }}",
  "{{ device.mac | slice: 2, -1 }}",
  "{{ device.mac | append: '-x' }}",
  "{% if device.serial %}s={{ device.serial }}{% endif %}",
  "{{ account.line1.user_id }}@{{ account.reference }}",
  " {{ device.serial }} ",
];

function tenantLayer(version: string): LayerParameter[] {
  return [
    { name: "Resync_Periodic", value: "3600", access: "na" },
    { name: "Profile_Rule", value: "http://prov.example.com/p/$MA.xml?a=1&b=2", access: "na" },
    { name: "Admin_Passwd", value: `S3cret "${version}" <x>`, access: "na" },
    { name: "Time_Zone", value: null, access: "rw" },
    { name: "Primary_NTP_Server", value: "ntp.exämple.com", access: null },
    { name: "Syslog_Server", value: `syslog-${version}.example.com`, access: "na" },
    ...TEMPLATES.map((value, i) => ({
      name: ["Station_Name", "Text_Logo", "Voice_Mail_Number", "Dial_Plan_1_"][i % 4]!,
      value,
      access: "rw" as const,
    })).filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i),
    ...TEMPLATES.map((value, i) => ({
      name: `Speed_Dial_${(i % 8) + 2}_`,
      value,
      access: i % 2 === 0 ? ("na" as const) : null,
    })).filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i),
    ...TEMPLATES.slice(8)
      .map((value, i) => ({
        name: `Line_Enable_${(i % 4) + 1}_`,
        value,
        access: "ro" as const,
      }))
      .filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i),
  ];
}

const LABELS = [null, "front", "Ünïcødé desk", "a", "x".repeat(60), "tab\there", "€uro 😀 z"];

function device(i: number, overrides: Partial<Device> = {}): Device {
  const now = new Date(1_700_000_000_000);
  return {
    mac: parseMac(`000e08ee${i.toString(16).padStart(4, "0")}`),
    tenantId: DEFAULT_TENANT_ID,
    modelPn: i % 3 === 0 ? null : i % 3 === 1 ? "SPA504G" : "SPA112",
    serial: i % 4 === 0 ? null : `CCQ${1000 + i}`,
    accountId: null,
    groupId: null,
    label: LABELS[i % LABELS.length]!,
    certSubject: null,
    certFingerprint: null,
    state: "provisioned",
    deviceKey: null,
    encryption: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    status: null,
    lifecycle: null,
    ...overrides,
  };
}

async function inputOf(d: Device): Promise<RenderInput> {
  const tenant = cache.tenant(d.tenantId)!;
  return {
    device: d,
    tenant,
    model: d.modelPn === null ? null : await cache.model(d.modelPn),
    group: null,
    account: d.accountId === null ? null : await cache.account(d.accountId),
    layers: await cache.layers(layerTargetsOf(d)),
  };
}

/** The profile as rendered before the fast path: merge, every template through the engine, XML. */
function reference(input: RenderInput): string {
  const templates = new ValueTemplates();
  const context = templateContext(input);
  const parameters = mergeDeviceLayers(input.layers, defaultCatalogue, accountLinesOf(input)).map(
    (p) =>
      p.value !== undefined && isValueTemplate(p.value)
        ? { ...p, value: templates.render(p.value, context) }
        : p,
  );
  return serializeFlatProfile(parameters);
}

function outcome(f: () => string): { text: string } | { error: string } {
  try {
    return { text: f() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "provisio-render-eq-"));
  store = await openStore(
    { kind: "sqlite", file: join(dir, "provisio.db") },
    { sealer: testSealer() },
  );
  await store.layers.set({ scope: "tenant", tenantId: DEFAULT_TENANT_ID }, tenantLayer("v1"));
  await store.layers.set({ scope: "model", tenantId: DEFAULT_TENANT_ID, pn: "SPA504G" }, [
    { name: "Resync_Periodic", value: "7200", access: "ro" },
    { name: "Text_Logo", value: "{{ device.serial | slice: 0, 3 }}", access: null },
  ]);
  account = await store.accounts.create({
    reference: "acct-1",
    lines: [1, 2].map((line) => ({
      line,
      userId: `100${line}`,
      password: `pw-${line}`,
      displayName: `Desk ${line}`,
      proxy: "sip.example.net",
    })),
  });
  await store.devices.create({ mac: parseMac("000e08ee0100"), label: "with a device layer" });
  await store.layers.set({ scope: "device", mac: parseMac("000e08ee0100") }, [
    { name: "Station_Name", value: "own {{ device.label | slice: 0, 4 }}", access: "ro" },
  ]);
  cache = new ConfigCache(store);
  await cache.start();
}, 180_000);

afterAll(async () => {
  await store?.close();
});

describe("the renderer's fast path", () => {
  it("renders the bytes of the full serialization, device after device", async () => {
    const renderer = new ProfileRenderer({
      catalogue: defaultCatalogue,
      templates: new ValueTemplates(),
    });
    const devices = [
      ...Array.from({ length: 28 }, (_, i) => device(i)),
      device(40, { accountId: account.id, modelPn: "SPA504G" }),
      device(41, { accountId: account.id, modelPn: null }),
      device(0x100, { label: "with a device layer" }),
    ];
    let compared = 0;
    for (const d of devices) {
      const input = await inputOf(d);
      const expected = outcome(() => reference(input));
      // Twice: the first render computes the merge's frames, the second uses them.
      for (let round = 0; round < 2; round++) {
        const got = outcome(() => renderer.render(input).body.toString("utf8"));
        expect(got, `${d.mac} round ${round}`).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBe(devices.length * 2);
  });

  it("versions a profile by the hash of its XML and its wire form, whatever the encoding", async () => {
    const renderer = new ProfileRenderer({
      catalogue: defaultCatalogue,
      templates: new ValueTemplates(),
    });
    const sha256 = (data: string, encoding: "hex" | "base64url"): string =>
      createHash("sha256").update(data).digest(encoding);
    const cases = [
      { d: device(5), name: "none", key: "" },
      { d: device(6, { encryption: "gzip" }), name: "gzip", key: "" },
      {
        d: device(7, { encryption: "aes", deviceKey: Secret.of("k3y-of-7") }),
        name: "aes",
        key: sha256("k3y-of-7", "hex"),
      },
    ];
    for (const { d, name, key } of cases) {
      const input = await inputOf(d);
      const xml = reference(input);
      const rendered = renderer.render(input);
      expect(rendered.etag).toBe(
        `"${sha256(`${xml}\0${name}\0${key}`, "base64url").slice(0, 27)}"`,
      );
      if (name === "none") expect(rendered.body.toString("utf8")).toBe(xml);
      // The same content keeps its version and its bytes (AES output differs on every call).
      expect(renderer.render(input, rendered)).toBe(rendered);
    }
  });

  it("fails as the full serialization does on a value XML cannot carry", async () => {
    for (const n of [0x101, 0x102]) {
      await store.devices.create({ mac: parseMac(`000e08ee0${n.toString(16)}`) });
    }
    await store.layers.set({ scope: "device", mac: parseMac("000e08ee0101") }, [
      { name: "Display_Name_1_", value: "bell\u0007{{ device.serial }}", access: "na" },
    ]);
    await store.layers.set({ scope: "device", mac: parseMac("000e08ee0102") }, [
      { name: "Display_Name_1_", value: "{{ device.label }}", access: "na" },
    ]);
    const renderer = new ProfileRenderer({
      catalogue: defaultCatalogue,
      templates: new ValueTemplates(),
    });
    for (const d of [device(0x101), device(0x102, { label: "nul\u0000x" }), device(3)]) {
      const input = await inputOf(d);
      const expected = outcome(() => reference(input));
      expect(outcome(() => renderer.render(input).body.toString("utf8"))).toEqual(expected);
    }
  });
});
