import { describe, expect, it } from "vitest";
import { parseMac } from "../../src/mac_address.ts";
import {
  DeviceLifecycles,
  LIFECYCLE_EVENT_WINDOW_MS,
  LIFECYCLE_EVENTS_PER_WINDOW,
  type LifecycleObservation,
  nextLifecycle,
} from "../../src/server/lifecycle.ts";
import type {
  ChangeNotice,
  DeviceLifecycleUpdate,
  LifecycleState,
  ResyncEventInput,
} from "../../src/store/index.ts";

const seen = (kind: LifecycleObservation["kind"]): LifecycleObservation => ({
  kind,
  path: "/p",
});

describe("nextLifecycle (the transition table)", () => {
  it("a factory file means MFG-RESET, from anywhere", () => {
    for (const from of [null, "sp-cust", "sec-prv-1", "sec-prv-2"] as const) {
      expect(nextLifecycle(from, seen("factory-file"))?.to).toBe("mfg-reset");
    }
    expect(nextLifecycle("mfg-reset", seen("factory-file"))).toBeUndefined();
  });

  it("its own profile means SP-CUST, except for a device secure provisioning took further", () => {
    expect(nextLifecycle("mfg-reset", seen("own-profile"))).toEqual({
      to: "sp-cust",
      cause: "fetched its own profile /p",
    });
    expect(nextLifecycle(null, seen("own-profile"))?.to).toBe("sp-cust");
    expect(nextLifecycle("sp-cust", seen("own-profile"))).toBeUndefined();
    expect(nextLifecycle("sec-prv-1", seen("own-profile"))).toBeUndefined();
    expect(nextLifecycle("sec-prv-2", seen("own-profile"))).toBeUndefined();
  });

  it("secure provisioning: targeted key profile → SEC-PRV-1, keyed fetch → SEC-PRV-2, keys removed → SP-CUST", () => {
    expect(nextLifecycle("sp-cust", seen("targeted-key-profile"))?.to).toBe("sec-prv-1");
    expect(nextLifecycle("sec-prv-1", seen("keyed-fetch"))?.to).toBe("sec-prv-2");
    expect(nextLifecycle("sec-prv-2", seen("keyed-fetch"))).toBeUndefined();
    expect(nextLifecycle("sp-cust", seen("keyed-fetch"))).toBeUndefined();
    expect(nextLifecycle("sec-prv-2", seen("keys-removed"))?.to).toBe("sp-cust");
    expect(nextLifecycle("sp-cust", seen("keys-removed"))).toBeUndefined();
  });
});

describe("DeviceLifecycles", () => {
  const mac = parseMac("000e08aabbcc");
  const context = { transport: "tftp", path: "/p", remoteAddress: "192.0.2.7" };

  function make() {
    const events: ResyncEventInput[] = [];
    const batches: DeviceLifecycleUpdate[][] = [];
    const counted: [LifecycleState | null, LifecycleState][] = [];
    let fail = false;
    const lifecycles = new DeviceLifecycles({
      events: { event: (e) => events.push(e) },
      record: async (updates) => {
        if (fail) throw new Error("database down");
        batches.push([...updates]);
      },
      onTransition: (from, to) => counted.push([from, to]),
      intervalMs: 60_000,
    });
    return { lifecycles, events, batches, counted, setFail: (f: boolean) => (fail = f) };
  }

  it("records each transition once, as an event with its cause, and writes the newest state", async () => {
    const { lifecycles, events, batches, counted } = make();
    const device = { mac, tenantId: "default", lifecycle: null };
    lifecycles.observe(device, { kind: "factory-file", path: "/spa112.cfg" }, context, 1_000);
    lifecycles.observe(device, { kind: "own-profile", path: "/profile/x.xml" }, context, 2_000);
    lifecycles.observe(device, { kind: "own-profile", path: "/profile/x.xml" }, context, 3_000);
    expect(events.map((e) => e.message)).toEqual([
      "(never seen) → MFG-RESET: asked for its factory file /spa112.cfg",
      "MFG-RESET → SP-CUST: fetched its own profile /profile/x.xml",
    ]);
    expect(events.every((e) => e.result === "lifecycle" && e.mac === mac)).toBe(true);
    expect(counted).toEqual([
      [null, "mfg-reset"],
      ["mfg-reset", "sp-cust"],
    ]);
    expect(lifecycles.current(device)?.state).toBe("sp-cust");
    await lifecycles.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([
      {
        mac,
        state: "sp-cust",
        since: new Date(2_000),
        cause: "fetched its own profile /profile/x.xml",
      },
    ]);
  });

  it("starts from the stored state; an explicit transition to the current state records nothing", () => {
    const { lifecycles, events } = make();
    const device = {
      mac,
      tenantId: "default",
      lifecycle: { state: "sp-cust" as const, since: new Date(0), cause: null },
    };
    expect(
      lifecycles.observe(device, { kind: "own-profile", path: "/x" }, context),
    ).toBeUndefined();
    expect(lifecycles.transition(device, "sp-cust", "bound by an activation code", context)).toBe(
      false,
    );
    expect(lifecycles.transition(device, "mfg-reset", "operator reset it", context)).toBe(true);
    expect(events.map((e) => e.message)).toEqual(["SP-CUST → MFG-RESET: operator reset it"]);
  });

  it("keeps a batch that failed and writes it with the next one", async () => {
    const { lifecycles, batches, setFail } = make();
    const device = { mac, tenantId: "default", lifecycle: null };
    setFail(true);
    lifecycles.observe(device, { kind: "factory-file", path: "/spa112.cfg" }, context, 1);
    await lifecycles.flush();
    expect(batches).toHaveLength(0);
    setFail(false);
    await lifecycles.close();
    expect(batches.flat().map((u) => u.state)).toEqual(["mfg-reset"]);
  });

  it("forgets a device the change feed names (deleted, re-created), and stops listening on close", async () => {
    let listener: ((n: ChangeNotice) => void) | undefined;
    let unsubscribed = false;
    const lifecycles = new DeviceLifecycles({
      events: { event: () => undefined },
      record: async () => undefined,
      intervalMs: 60_000,
      changes: {
        subscribe(l) {
          listener = l;
          return () => {
            unsubscribed = true;
          };
        },
      },
    });
    const device = { mac, tenantId: "default", lifecycle: null };
    lifecycles.observe(device, { kind: "own-profile", path: "/p" }, context, 1);
    expect(lifecycles.current(device)?.state).toBe("sp-cust");
    // Not written yet: newer than any record, kept.
    listener!({ revision: 2, entity: "device", keys: [mac], at: new Date(2) });
    expect(lifecycles.current(device)?.state).toBe("sp-cust");
    await lifecycles.flush();
    listener!({ revision: 2, entity: "layer", keys: [`device:${mac}`], at: new Date(2) });
    expect(lifecycles.current(device)?.state).toBe("sp-cust");
    listener!({ revision: 3, entity: "device", keys: [mac], at: new Date(3) });
    // Its fresh record (re-created: no lifecycle yet) is what counts now.
    expect(lifecycles.current(device)).toBeNull();
    await lifecycles.close();
    expect(unsubscribed).toBe(true);
  });
});

describe("DeviceLifecycles under a flood", () => {
  it("a device alternating its factory file and its profile writes a bounded number of events; its state still follows", async () => {
    const events: ResyncEventInput[] = [];
    const batches: DeviceLifecycleUpdate[][] = [];
    const lifecycles = new DeviceLifecycles({
      events: { event: (e) => events.push(e) },
      record: async (updates) => {
        batches.push([...updates]);
      },
      intervalMs: 60_000,
    });
    const mac = parseMac("000e08aabbdd");
    const device = { mac, tenantId: "default", lifecycle: null };
    const context = { transport: "http", path: "/p", remoteAddress: "192.0.2.8" };
    for (let i = 0; i < 1000; i++) {
      lifecycles.observe(device, { kind: "factory-file", path: "/spa112.cfg" }, context, 2 * i);
      lifecycles.observe(device, { kind: "own-profile", path: "/p.xml" }, context, 2 * i + 1);
    }
    expect(events).toHaveLength(LIFECYCLE_EVENTS_PER_WINDOW);
    expect(lifecycles.current(device)?.state).toBe("sp-cust");
    // The next window logs again, and says how many transitions went unlogged.
    const later = LIFECYCLE_EVENT_WINDOW_MS + 10_000;
    lifecycles.observe(device, { kind: "factory-file", path: "/spa112.cfg" }, context, later);
    expect(events).toHaveLength(LIFECYCLE_EVENTS_PER_WINDOW + 1);
    expect(events.at(-1)?.message).toContain(`(${2000 - LIFECYCLE_EVENTS_PER_WINDOW} earlier`);
    await lifecycles.close();
    expect(batches.flat().at(-1)?.state).toBe("mfg-reset");
  });
});
