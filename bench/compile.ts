// Benchmark: `provisio compile` of a 10,000-parameter profile with --gzip --key, whole
// process (start-up included), as a provider's build script would run it.
// Run: npx tsx bench/compile.ts [runs]   (builds the CLI bundle first, like `npm ci` does)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCatalogue } from "../src/profile/index.ts";

const runs = Number(process.argv[2] ?? 15);
const root = new URL("..", import.meta.url).pathname;
execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: "inherit" });

// Measure the bundle `npm ci` built, even if src/ changes while the bench runs.
const env = { ...process.env, PROVISIO_FROM_SOURCE: "0" };
const dir = mkdtempSync(join(tmpdir(), "provisio-bench-compile-"));
const TAGS = ["", "!", "?"];

/** Known parameters (cycled, valid defaults) — the common case: no warnings. */
function knownProfile(count: number): string {
  const params = defaultCatalogue.parameters;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = params[i % params.length]!;
    const value = defaultCatalogue.defaultValue(p.name) ?? "";
    lines.push(`${p.name} ${TAGS[i % 3]} "${value.replaceAll('"', "")}" ;`);
  }
  return lines.join("\n");
}

/** Distinct names the catalogue does not know — worst case: a "did you mean" each. */
function unknownProfile(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`Vendor_Setting_${i}_ ! "value ${i}" ;`);
  return lines.join("\n");
}

function measure(label: string, text: string): void {
  const input = join(dir, `${label}.txt`);
  const output = join(dir, `${label}.cfg`);
  writeFileSync(input, text);
  const args = [
    join(root, "bin/provisio.js"),
    "compile",
    input,
    "-o",
    output,
    "--gzip",
    "--key",
    "BenchKey1234",
  ];
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "ignore"], env });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`compile failed (${r.status})`);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) =>
    times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(0);
  console.log(
    `${label.padEnd(28)} input ${(statSync(input).size / 1024).toFixed(0)} KiB -> ${(statSync(output).size / 1024).toFixed(0)} KiB` +
      `  min ${times[0]!.toFixed(0)} ms  median ${pct(0.5)} ms  p90 ${pct(0.9)} ms  (${runs} runs)`,
  );
}

const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, [join(root, "bin/provisio.js"), "--version"], {
    stdio: "ignore",
    env,
  });
  baseline.push(Number(process.hrtime.bigint() - start) / 1e6);
}
baseline.sort((a, b) => a - b);
console.log(
  `provisio --version (start-up)  median ${baseline[Math.floor(runs / 2)]!.toFixed(0)} ms`,
);
measure("10k known parameters", knownProfile(10_000));
measure("10k unknown parameters", unknownProfile(10_000));
