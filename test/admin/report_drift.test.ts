/**
 * Drift, the pure part: which reported values count as `differs` and which as
 * `changed-on-device`, what is left out, how deltas lay over the full report, and that
 * secrets are compared but never shown. Pushes to many devices are paced.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  computeDrift,
  EffectiveConfigResolver,
  type ExpectedParameter,
  pushDevices,
  reportedView,
} from "../../src/admin/index.ts";
import {
  DEFAULT_TENANT_ID,
  type DeviceReport,
  type MacAddress,
  parseMac,
  type ReportEntry,
} from "../../src/store/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";

const entry = (
  name: string,
  value: string | null,
  access: ReportEntry["access"] = null,
  secret = false,
): ReportEntry => ({
  name,
  value,
  access,
  secret,
});
const served = (
  name: string,
  value: string | null,
  access: string,
  secret = false,
): ExpectedParameter => ({
  name,
  value,
  access,
  valueFrom: value === null ? null : "tenant:default",
  secret,
});
const defaults: Record<string, string> = { Station_Name: "", Text_Logo: "" };
const defaultOf = (n: string) => defaults[n];
const isSecret = (n: string) => n.startsWith("Password");

describe("drift", () => {
  it("classifies: na/ro differences, rw changes, unmanaged rw values against the default", () => {
    const items = computeDrift(
      [
        served("Dial_Plan_1_", "(xx.)", "na"),
        served("Voice_Mail_Number", "*98", "rw"),
        served("Proxy_1_", "sip.example", "ro"),
        served("Password_1_", "secret-1", "na", true),
      ],
      new Map(
        [
          entry("Dial_Plan_1_", "(x.)", "na"),
          entry("Voice_Mail_Number", "*77", "rw"),
          entry("Proxy_1_", "sip.example", "ro"),
          entry("Password_1_", "other", "na", true),
          entry("Station_Name", "lobby", "rw"),
          entry("Text_Logo", "", "rw"),
          entry("Unmanaged_Na", "x", "na"),
        ].map((e) => [e.name, e]),
      ),
      defaultOf,
      isSecret,
    );
    expect(items.map((i) => [i.name, i.kind, i.expected, i.reported])).toEqual([
      ["Dial_Plan_1_", "differs", "(xx.)", "(x.)"],
      ["Password_1_", "differs", null, null],
      ["Station_Name", "changed-on-device", "", "lobby"],
      ["Voice_Mail_Number", "changed-on-device", "*98", "*77"],
    ]);
    expect(items.find((i) => i.name === "Password_1_")?.secret).toBe(true);
  });

  it("no drift when the report says what is served, whatever the values (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.stringMatching(/^[A-Z][a-z_]{1,8}$/),
            fc.string({ maxLength: 10 }),
            fc.constantFrom("na", "ro", "rw"),
          ),
          { maxLength: 20 },
        ),
        (list) => {
          const unique = [...new Map(list.map((t) => [t[0], t])).values()];
          const expected = unique.map(([n, v, a]) => served(n, v, a));
          const view = new Map(unique.map(([n, v, a]) => [n, entry(n, v, a as "rw")]));
          expect(
            computeDrift(
              expected,
              view,
              () => undefined,
              () => false,
            ),
          ).toEqual([]);
        },
      ),
    );
  });

  it("a delta after the full report wins; one before it is ignored", () => {
    const report = (
      kind: DeviceReport["kind"],
      at: number,
      entries: ReportEntry[],
    ): DeviceReport => ({
      id: `${kind}-${at}`,
      mac: parseMac("000e08000001") as MacAddress,
      tenantId: "default",
      receivedAt: new Date(at),
      kind,
      remoteAddress: null,
      identifiedBy: "path",
      entries,
    });
    const view = reportedView(report("config", 100, [entry("A", "1"), entry("B", "1")]), [
      report("delta", 300, [entry("A", "3")]),
      report("delta", 50, [entry("B", "0")]),
      report("delta", 200, [entry("A", "2")]),
    ]);
    expect([...view].map(([n, e]) => `${n}=${e.value}`)).toEqual(["A=3", "B=1"]);
  });
});

describe("push pacing", () => {
  let db: Fresh | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it("starts one push per 1/perSecond; devices never seen are `no-contact`; one audit entry", async () => {
    const dialect = dialects()[0]!;
    db = await dialect.fresh();
    const store = await db.open();
    const macs = [1, 2, 3, 4, 5].map((n) => parseMac(`000e08ee000${n}`) as MacAddress);
    for (const mac of macs) await store.devices.create({ mac, tenantId: DEFAULT_TENANT_ID });
    const devices = await store.devices.list({});
    const waits: number[] = [];
    const results = await pushDevices(store, new EffectiveConfigResolver(store), devices, {
      event: "check-sync",
      perSecond: 4,
      actor: "test",
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(waits).toEqual([250, 250, 250, 250]);
    expect(results.map((r) => [r.mac, r.outcome])).toEqual(macs.map((m) => [m, "no-contact"]));
    const audit = await store.audit.list({});
    expect(audit.filter((a) => a.action === "device.push.check-sync")).toHaveLength(1);
  });
});
