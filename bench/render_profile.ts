// Benchmark: rendering a full-size profile for many devices — the work of a cache miss (cold)
// and of a cache hit (warm) on the server's own path: ConfigCache over a real SQLite store,
// ProfileRenderer (layers merged, value templates, account lines mapped to the model's
// parameters, XML, ETag).
//
//   node --expose-gc --import tsx bench/render_profile.ts [--devices 100000] [--parameters 1500] [--templated 20]
//                                   [--accounts 1000] [--encoding none|gzip]
//
// Records: one tenant layer holding `parameters` catalogue parameters at their factory values,
// `templated` of them value templates over the device, tenant and account; a model layer; every
// device a CP-8851-3PCC on one of `accounts` accounts with two lines each. Devices are records
// in memory (the cache's device lookup is not what is measured); accounts and layers come from
// the store through the cache, as on the server. Prints CPU and wall time per device, the
// rendered size, and the heap the cached profiles take.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultCatalogue } from "../src/profile/index.ts";
import {
  accountLinesOf,
  ConfigCache,
  layerTargetsOf,
  ProfileRenderer,
  type RenderedProfile,
  type RenderInput,
  ValueTemplates,
} from "../src/server/index.ts";
import {
  type Account,
  DEFAULT_TENANT_ID,
  type Device,
  openStore,
  parseMac,
} from "../src/store/index.ts";
import { testSealer } from "../test/store/dialects.ts";
import { providerLayer } from "./provider_layer.ts";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "100000" },
    parameters: { type: "string", default: "1500" },
    templated: { type: "string", default: "20" },
    accounts: { type: "string", default: "1000" },
    encoding: { type: "string", default: "none" },
  },
});
const DEVICES = Number(args.devices);
const PARAMETERS = Number(args.parameters);
const TEMPLATED = Number(args.templated);
const ACCOUNTS = Number(args.accounts);
const ENCODING = args.encoding === "gzip" ? "gzip" : "none";
const MODEL = "CP-8851-3PCC";

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "provisio-bench-render-"));
  const store = await openStore(
    { kind: "sqlite", file: join(dir, "provisio.db") },
    { sealer: testSealer() },
  );
  try {
    // The tenant layer: string-typed parameters take the templates, the rest factory values.
    const tenantParameters = providerLayer({
      catalogue: defaultCatalogue,
      family: "mpp",
      parameters: PARAMETERS,
      templated: TEMPLATED,
    });
    await store.layers.set({ scope: "tenant", tenantId: DEFAULT_TENANT_ID }, tenantParameters);
    await store.layers.set({ scope: "model", tenantId: DEFAULT_TENANT_ID, pn: MODEL }, [
      { name: "Resync_Periodic", value: "3600", access: "ro" },
      { name: "Text_Logo", value: "ACME", access: null },
    ]);
    const accounts: Account[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      accounts.push(
        await store.accounts.create({
          reference: `acct-${i}`,
          lines: [1, 2].map((line) => ({
            line,
            userId: `${1000 + i}${line}`,
            password: `secret-${i}-${line}`,
            displayName: `Desk ${i}/${line}`,
            proxy: "sip.example.net",
          })),
        }),
      );
    }
    const tenant0 = await store.tenants.get(DEFAULT_TENANT_ID);
    await store.tenants.update(DEFAULT_TENANT_ID, {
      settings: { ...tenant0.settings, encryption: ENCODING },
    });
    const now = new Date();
    const WARM_UP = Math.min(ACCOUNTS, 2_000);
    // The first WARM_UP records only warm the process up; the measured devices follow them.
    const all: Device[] = Array.from({ length: WARM_UP + DEVICES }, (_, i) => ({
      mac: parseMac(`00a0c9${i.toString(16).padStart(6, "0")}`),
      tenantId: DEFAULT_TENANT_ID,
      modelPn: MODEL,
      serial: `FCH${i}`,
      accountId: accounts[i % ACCOUNTS]!.id,
      groupId: null,
      label: `desk ${i}`,
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
    }));
    const devices = all.slice(WARM_UP);

    const cache = new ConfigCache<RenderedProfile>(store, { maxProfiles: WARM_UP + DEVICES });
    await cache.start();
    const tenant = cache.tenant(DEFAULT_TENANT_ID)!;
    const renderer = new ProfileRenderer({
      catalogue: defaultCatalogue,
      templates: new ValueTemplates(),
    });
    /** ProfileResponses.get's path: a hit is a lookup; a miss loads, renders and stores. */
    const get = async (device: Device): Promise<RenderedProfile> => {
      const hit = cache.profile(device.mac);
      if (hit !== undefined) return hit;
      const deps = cache.dependencies(device);
      const [model, account, layers] = await Promise.all([
        cache.model(MODEL),
        cache.account(device.accountId!),
        cache.layers(layerTargetsOf(device)),
      ]);
      const rendered = renderer.render({ device, tenant, model, group: null, account, layers });
      cache.storeProfile(device.mac, deps, rendered);
      return rendered;
    };

    // Warm-up outside the figures: JIT, the account and layer caches, the template cache.
    for (let i = 0; i < WARM_UP; i++) await get(all[i]!);
    const first = await get(all[0]!);
    globalThis.gc?.();
    const memory = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const heapBefore = memory();

    const cold: number[] = [];
    let bytes = 0;
    // A render that fails (LiquidJS's wall-clock render limit trips when the process is
    // starved of CPU) is counted, not fatal: the figure says how often it happened.
    let failures = 0;
    let cpu = cpuMs();
    let wall = performance.now();
    for (let i = 0; i < DEVICES; i++) {
      const start = performance.now();
      try {
        const rendered = await get(devices[i]!);
        bytes += rendered.body.length;
      } catch {
        failures++;
      }
      cold.push(performance.now() - start);
    }
    const coldCpu = cpuMs() - cpu;
    const coldWall = performance.now() - wall;
    globalThis.gc?.();
    const heapAfter = memory();

    const warm: number[] = [];
    cpu = cpuMs();
    wall = performance.now();
    for (let i = 0; i < DEVICES; i++) {
      const start = performance.now();
      await get(devices[i]!).catch(() => failures++);
      warm.push(performance.now() - start);
    }
    const warmCpu = cpuMs() - cpu;
    const warmWall = performance.now() - wall;

    // The share of a cold render that maps the account's lines.
    const input: RenderInput = {
      device: devices[0]!,
      tenant,
      model: await cache.model(MODEL),
      group: null,
      account: await cache.account(devices[0]!.accountId!),
      layers: await cache.layers(layerTargetsOf(devices[0]!)),
    };
    const MAP_RUNS = 20_000;
    cpu = cpuMs();
    for (let i = 0; i < MAP_RUNS; i++) accountLinesOf(input);
    const mapCpu = cpuMs() - cpu;

    const fmt = (n: number) => n.toFixed(3);
    console.log(
      `scenario: ${DEVICES} devices (${MODEL}, ${ACCOUNTS} accounts × 2 lines), tenant layer ${PARAMETERS} parameters (${TEMPLATED} templated) + model layer 2, encoding ${ENCODING}; ${first.parameterCount} parameters rendered per profile`,
    );
    console.log(
      `cold render (cache miss: load from cache, merge, templates, account lines, XML, ETag): CPU ${fmt(coldCpu / DEVICES)} ms/device, wall p50 ${fmt(percentile(cold, 50))} ms p99 ${fmt(percentile(cold, 99))} ms, total wall ${(coldWall / 1000).toFixed(1)} s, ${failures} failed renders`,
    );
    console.log(
      `warm hit (cache lookup, generations checked): CPU ${fmt((warmCpu / DEVICES) * 1000)} µs/device, wall p50 ${fmt(percentile(warm, 50) * 1000)} µs p99 ${fmt(percentile(warm, 99) * 1000)} µs, total wall ${fmt(warmWall)} ms`,
    );
    console.log(
      `account lines mapped alone: ${fmt((mapCpu / MAP_RUNS) * 1000)} µs/device (CPU); profile ${Math.round(bytes / Math.max(1, DEVICES - failures))} bytes; cached profiles' memory (heap + buffers) ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(0)} MB (${Math.round((heapAfter - heapBefore) / DEVICES)} bytes/device${globalThis.gc ? "" : "; run with node --expose-gc for an exact figure"})`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
