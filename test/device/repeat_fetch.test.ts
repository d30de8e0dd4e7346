/**
 * A unit that fetches the file it applied last may skip decoding and applying it (nothing
 * can change): what it does must be what applying it again does — values, reports, log
 * lines — and any change to the table since (admin edit, assignment, factory reset) means
 * the file is applied for real again. Against a plain node:http server.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Device,
  type DeviceOptions,
  ParameterStore,
  VirtualClock,
} from "../../src/device/index.ts";
import type { Profile, ProfileEntry, UserAccess } from "../../src/profile/index.ts";
import { flat, type StaticServer, startStaticServer } from "./helpers.ts";

let server: StaticServer;

beforeEach(async () => {
  server = await startStaticServer();
});
afterEach(async () => {
  await server.close();
});

function unit(options: Partial<DeviceOptions> = {}): Device {
  const d = new Device({
    mac: "000e08012345",
    productName: "SPA2102",
    clock: new VirtualClock(),
    ...options,
  });
  d.configure({ Resync_On_Reset: "No" });
  d.powerOn();
  return d;
}

async function resync(d: Device, rule = `${server.base}/p.xml`) {
  const r = await d.resync(rule);
  expect(r?.ok, JSON.stringify(d.log.messages())).toBe(true);
  return r!;
}

const count = (d: Device, re: RegExp) => d.log.messages().filter((m) => re.test(m)).length;

describe("the same file again", () => {
  it("changes nothing, and logs its refused values and notes again as a re-apply does", async () => {
    const d = unit();
    server.files.set("/p.xml", {
      body: flat(
        "<GPP_A ua='ro'>a</GPP_A><Resync_Periodic>soon</Resync_Periodic><GPP_B>Zoë</GPP_B>",
      ),
    });
    const first = await resync(d);
    expect(first.changed).toEqual(["GPP_A", "GPP_B"]);
    const second = await resync(d);
    const third = await resync(d);
    for (const r of [second, third]) {
      expect(r.changed).toEqual([]);
      expect(r.requests.map((q) => [q.outcome, q.changed])).toEqual([["ok", 0]]);
    }
    expect([d.params.get("GPP_A"), d.params.access("GPP_A"), d.params.get("GPP_B")]).toEqual([
      "a",
      "ro",
      "Zo?",
    ]);
    expect(d.params.get("Resync_Periodic")).toBe("3600");
    expect(count(d, /Resync_Periodic refuses "soon"/)).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it("is applied again after an admin edit of a parameter it sets", async () => {
    const d = unit();
    server.files.set("/p.xml", { body: flat("<GPP_A>from file</GPP_A>") });
    await resync(d);
    d.configure({ GPP_A: "edited" });
    const again = await resync(d);
    expect(again.changed).toEqual(["GPP_A"]);
    expect(d.params.get("GPP_A")).toBe("from file");
  });

  it("is applied again after the rule's own assignment changed a parameter it sets", async () => {
    const d = unit();
    server.files.set("/p.xml", { body: flat("<GPP_A>from file</GPP_A>") });
    const rule = `(GPP_A = "assigned";)! ${server.base}/p.xml`;
    await resync(d, rule);
    const again = await resync(d, rule);
    expect(again.requests.map((q) => q.changed)).toEqual([1]);
    expect(d.params.get("GPP_A")).toBe("from file");
  });

  it("is applied again after a factory reset", async () => {
    const d = unit();
    server.files.set("/p.xml", { body: flat("<GPP_C ua='na'>c</GPP_C>") });
    await resync(d);
    d.factoryReset();
    await d.settled();
    d.configure({ Resync_On_Reset: "No" });
    const again = await resync(d);
    expect(again.changed).toEqual(["GPP_C"]);
    expect([d.params.get("GPP_C"), d.params.access("GPP_C")]).toEqual(["c", "na"]);
  });

  it("a different file with the same rule is applied", async () => {
    const d = unit();
    server.files.set("/p.xml", { body: flat("<GPP_A>one</GPP_A>") });
    await resync(d);
    server.files.set("/p.xml", { body: flat("<GPP_A>two</GPP_A>") });
    expect((await resync(d)).changed).toEqual(["GPP_A"]);
    expect(d.params.get("GPP_A")).toBe("two");
  });

  it("MPP preserve-value: a refusal that depended on the empty value is not logged again", async () => {
    // First pass: Syslog_Server is empty, so preserve-value lets the refused value be
    // checked (logged); the second entry then fills it. From then on the value is not
    // empty and the first entry keeps it without a check: no more refusal lines.
    const d = unit({ family: "mpp", productName: "CP-8841-3PCC", productSeries: "8841" });
    server.files.set("/p.xml", {
      body: flat(
        '<Syslog_Server preserve-value="y">not valid!</Syslog_Server><Syslog_Server>10.0.0.9</Syslog_Server>',
      ),
    });
    for (let i = 0; i < 3; i++) await resync(d);
    expect(d.params.get("Syslog_Server")).toBe("10.0.0.9");
    expect(count(d, /Syslog_Server refuses/)).toBe(1);
  });
});

describe("many units with one provider's profile (parameter store)", () => {
  const entry = (name: string, value: string | undefined, access?: UserAccess): ProfileEntry => ({
    name,
    value,
    access,
  });
  const xml = (entries: ProfileEntry[]): Profile => ({ format: "xml", entries });

  it("each keeps its own values beside what they share, through edits, files and resets", () => {
    // More than 64 differences each: the units' tables fold into a shared base.
    const scratch = new ParameterStore({ family: "spa" });
    const names = [...scratch.entries().keys()].filter((n) => scratch.set(n, "v 1")).slice(0, 120);
    expect(names).toHaveLength(120);
    const stores = Array.from({ length: 4 }, () => new ParameterStore({ family: "spa" }));
    const provider = names.slice(1).map((n) => entry(n, `common ${n}`, "na"));
    for (const [k, s] of stores.entries()) {
      s.apply(xml([...provider, entry(names[0]!, `unit ${k}`, "ro")]));
    }
    const [a, b, c, e] = stores as [ParameterStore, ParameterStore, ParameterStore, ParameterStore];
    const [own, first, second, last] = [names[0]!, names[1]!, names[2]!, names[119]!];
    const revision = b.revision;
    b.set(first, "edited");
    expect(b.revision).toBeGreaterThan(revision);
    const unchanged = a.revision;
    a.set(first, `common ${first}`);
    expect(a.revision).toBe(unchanged);
    c.apply(xml([entry(second, "", "rw")]));
    // A third of the provider's parameters back to factory: too far from the shared table.
    e.apply(
      xml(
        names
          .slice(0, 40)
          .map((n) => entry(n, scratch.factory(n)!.value, scratch.factory(n)!.access)),
      ),
    );
    for (const [k, s] of [a, b, c].entries()) {
      expect([s.get(own), s.access(own)]).toEqual([`unit ${k}`, "ro"]);
      expect([s.get(last), s.access(last)]).toEqual([`common ${last}`, "na"]);
    }
    expect([a.get(first), b.get(first), b.access(first)]).toEqual([
      `common ${first}`,
      "edited",
      "na",
    ]);
    expect([c.get(second), c.access(second), a.get(second)]).toEqual([
      "",
      "rw",
      `common ${second}`,
    ]);
    expect(a.changedNames().sort()).toEqual([...names].sort());
    expect(e.changedNames().sort()).toEqual(names.slice(40).sort());
    expect(e.isFactoryValue(own)).toBe(true);
    expect(e.get(last)).toBe(`common ${last}`);
    a.reset();
    expect(a.changedNames()).toEqual([]);
    expect([a.get(own), a.access(own)]).toEqual([
      scratch.factory(own)!.value,
      scratch.factory(own)!.access,
    ]);
    expect(b.get(own)).toBe("unit 1");
  });
});
