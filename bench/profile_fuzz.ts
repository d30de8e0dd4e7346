/**
 * The parser fuzz properties of test/profile/fuzz.test.ts at scale: 1,000,000 cases per
 * parser (a third each: arbitrary Unicode strings, token soup, valid profiles with random
 * edits). Any exception other than a
 * PROFILE_ ProvisioError fails with fast-check's shrunk counterexample; the slowest single
 * parse is reported to show there are no hangs.
 *
 *   npx tsx bench/profile_fuzz.ts [casesPerParser] [seed]
 */
import fc from "fast-check";
import {
  parseTextProfile,
  parseXmlProfile,
  serializeTextProfile,
  serializeXmlProfile,
} from "../src/profile/index.ts";
import {
  anyString,
  classifyParse,
  fuzzResolveImport,
  mutatedText,
  mutatedXml,
  textTokens,
  tokenSoup,
  xmlTokens,
} from "../test/fixtures/profile/fuzz_inputs.ts";

const total = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);

interface Tally {
  outcomes: Map<string, number>;
  slowestMs: number;
  slowestInput: string;
}

function run(
  label: string,
  arbitrary: fc.Arbitrary<string>,
  parse: (input: string) => { entries: readonly unknown[] },
  runs: number,
): Tally {
  const tally: Tally = { outcomes: new Map(), slowestMs: 0, slowestInput: "" };
  const start = performance.now();
  fc.assert(
    fc.property(arbitrary, (input) => {
      const t = performance.now();
      const outcome = classifyParse(() => parse(input));
      const ms = performance.now() - t;
      if (ms > tally.slowestMs) {
        tally.slowestMs = ms;
        tally.slowestInput = input;
      }
      tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + 1);
    }),
    { numRuns: runs, seed },
  );
  const seconds = (performance.now() - start) / 1000;
  // A slow single case is usually a GC pause: re-time it to tell that from a bad input.
  const again = performance.now();
  classifyParse(() => parse(tally.slowestInput));
  const retimed = performance.now() - again;
  const summary = [...tally.outcomes].map(([k, v]) => `${k}=${v}`).join(" ");
  console.log(
    `${label.padEnd(24)} ${runs} cases in ${seconds.toFixed(1)} s; slowest ${tally.slowestMs.toFixed(1)} ms (re-timed ${retimed.toFixed(2)} ms, ${tally.slowestInput.length} chars); ${summary}`,
  );
  return tally;
}

console.log(`seed ${seed}, ${total} cases per parser`);
const third = Math.floor(total / 3);
const rest = total - 2 * third;
const parseXml = (input: string) => parseXmlProfile(input, { collectLeaves: true });
const parseText = (input: string) =>
  parseTextProfile(input, { resolveImport: fuzzResolveImport, file: "top.txt" });
run("XML, arbitrary strings", anyString, parseXml, third);
run("XML, token soup", tokenSoup(xmlTokens), parseXml, third);
run(
  "XML, edited profiles",
  mutatedXml((entries) => serializeXmlProfile({ entries }).text),
  parseXml,
  rest,
);
run("text, arbitrary strings", anyString, parseText, third);
run("text, token soup", tokenSoup(textTokens), parseText, third);
run(
  "text, edited profiles",
  mutatedText((entries) => serializeTextProfile({ entries }).text),
  parseText,
  rest,
);
console.log("no parser threw anything but a PROFILE_ ProvisioError");
