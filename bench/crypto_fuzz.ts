/**
 * Long fuzz run of the envelope decoder: random bytes and mutated valid envelopes, decoded
 * with random options. Every case must return or throw a ProvisioError with a CRYPTO_* code.
 * Run: npx tsx bench/crypto_fuzz.ts [cases=1000000] [seed]
 * Exits 1 on the first foreign exception, printing the input (hex) and options to replay.
 */
import { performance } from "node:perf_hooks";
import {
  CryptoErrorCode,
  type DecodeProfileOptions,
  decodeProfileBytes,
  detectEnvelope,
  encodeProfileBytes,
  type KdfDigest,
} from "../src/crypto/index.ts";
import { isProvisioError } from "../src/errors.ts";

const CASES = Number(process.argv[2] ?? "1000000");
const SEED = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const KEY = "fuzz-key-0123456789abcdef";
const CODES = new Set<string>(Object.values(CryptoErrorCode));

/** xorshift32: reproducible from the printed seed, and far cheaper than crypto RNG. */
let state = SEED | 1;
function next(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
}
const below = (n: number): number => next() % n;
function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

const profiles = [
  Buffer.from("<flat-profile><GPP_A>12345678</GPP_A></flat-profile>\n"),
  Buffer.from(
    `<flat-profile>${"<Resync_Periodic>3600</Resync_Periodic>".repeat(60)}</flat-profile>`,
  ),
  Buffer.alloc(0),
];
// Fixed salts, so a run is reproducible from its seed alone.
const salt = Buffer.from("fuzzsalt", "ascii");
const seeds = profiles.flatMap((p) => [
  p,
  encodeProfileBytes(p, { gzip: true }),
  encodeProfileBytes(p, { key: KEY, salt }),
  encodeProfileBytes(p, { key: KEY, gzip: true, salt }),
  encodeProfileBytes(p, { key: KEY, gzip: true, digest: "sha256", salt }),
]);
const prefixes = [
  Buffer.alloc(0),
  Buffer.from("Salted__"),
  Buffer.of(0x1f, 0x8b, 0x08, 0x00),
  Buffer.from("<"),
];
const digestSets: KdfDigest[][] = [["md5"], ["sha256"], ["md5", "sha256"]];

function makeInput(): Buffer {
  if (below(3) === 0) {
    const prefix = prefixes[below(prefixes.length)] ?? Buffer.alloc(0);
    return Buffer.concat([prefix, randomBytes(below(300))]);
  }
  let out = Buffer.from(seeds[below(seeds.length)] ?? Buffer.alloc(0));
  const mutations = 1 + below(4);
  for (let m = 0; m < mutations; m++) {
    const at = below(out.length + 1);
    switch (below(4)) {
      case 0:
        if (out.length > 0) out[at % out.length] = (out[at % out.length] ?? 0) ^ (1 << below(8));
        break;
      case 1:
        out = out.subarray(0, at);
        break;
      case 2:
        out = Buffer.concat([out, randomBytes(below(40))]);
        break;
      default: {
        const patch = randomBytes(below(17));
        out = Buffer.concat([out.subarray(0, at), patch, out.subarray(at + patch.length)]);
      }
    }
  }
  return out;
}

function makeOptions(): DecodeProfileOptions {
  const r = below(8);
  const options: { -readonly [K in keyof DecodeProfileOptions]: DecodeProfileOptions[K] } = {};
  if (r < 5) options.key = r < 4 ? KEY : randomBytes(below(12)).toString("latin1");
  if (below(2) === 0) options.digests = digestSets[below(digestSets.length)];
  if (below(4) === 0) options.allowUnencrypted = true;
  if (below(4) === 0) options.maxOutputBytes = 1 + below(4096);
  return options;
}

const outcomes = new Map<string, number>();
let slowest = 0;
let slowestCase: { input: Buffer; options: DecodeProfileOptions } | undefined;
const start = performance.now();
for (let i = 0; i < CASES; i++) {
  const input = makeInput();
  const options = makeOptions();
  const t = performance.now();
  let outcome: string;
  try {
    detectEnvelope(input);
    const result = decodeProfileBytes(input, options);
    outcome = `ok ${result.layers.join("+") || "plain"}`;
  } catch (error) {
    if (!isProvisioError(error) || !CODES.has(error.code)) {
      console.error(`case ${i} (seed ${SEED}): foreign exception`, error);
      console.error("input", input.toString("hex"));
      console.error("options", JSON.stringify({ ...options, key: options.key?.toString() }));
      process.exit(1);
    }
    outcome = error.code;
  }
  const elapsed = performance.now() - t;
  if (elapsed > slowest) {
    slowest = elapsed;
    slowestCase = { input, options };
  }
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}
const seconds = (performance.now() - start) / 1000;
console.log(
  `${CASES} cases, seed ${SEED}, ${seconds.toFixed(1)} s (${Math.round(CASES / seconds)} cases/s), slowest case ${slowest.toFixed(2)} ms`,
);
for (const [outcome, count] of [...outcomes].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${outcome.padEnd(28)} ${count}`);
}
// A slow outlier is either input-dependent (a real problem) or a GC/scheduler pause: replay it.
if (slowestCase !== undefined) {
  const { input, options } = slowestCase;
  let replay = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    try {
      decodeProfileBytes(input, options);
    } catch {
      // outcome already counted
    }
    replay = Math.max(replay, performance.now() - t);
  }
  console.log(
    `slowest case replayed 5×: max ${replay.toFixed(2)} ms (${input.length} bytes, ${detectEnvelope(input)})`,
  );
}
