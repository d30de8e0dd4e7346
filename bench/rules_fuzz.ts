/**
 * Long fuzz run of the rules engine: 1,000,000 cases by default (fast-check), same generators
 * and invariants as test/rules/fuzz.test.ts. Every parser must return or throw a ProvisioError
 * with its code; every evaluator must return a typed result and never throw.
 * Run: npx tsx bench/rules_fuzz.ts [cases, default 1000000] [seed]
 */
import fc from "fast-check";
import { isProvisioError } from "../src/errors.ts";
import {
  deviceVariables,
  evaluateProfileRule,
  evaluateReportRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  expandMacros,
  expandMacrosTracked,
  parseCondition,
  parseProfileRule,
  parseReportRule,
  parseSchedule,
  parseUpgradeRule,
  sourceOffset,
} from "../src/rules/index.ts";
import { anyRuleText, validProfileRule } from "../test/rules/arbitraries.ts";

const numRuns = Number(process.argv[2] ?? "1000000");
const seed = process.argv[3] === undefined ? Date.now() | 0 : Number(process.argv[3]);
const params: Record<string, string> = {
  GPP_A: "ABC",
  GPP_B: "123",
  GPP_SA: "Secret!",
  User_ID_1_: "4085551234",
};
const vars = deviceVariables({
  mac: "000e08012345",
  productName: "SPA2102",
  productSeries: "2102",
  serial: "88012BA01234",
  swVersion: "2.0.6(b)",
  hwVersion: "1.88.1",
  params: (n) => params[n],
  timers: { prvtmr: 700, regtmr: [400] },
});

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    if (!isProvisioError(e) || e.code !== code) throw e;
  }
}

const kinds = new Set(["fetch", "assign-only", "skip", "upgrade", "reject", "report"]);
const property = fc.property(fc.oneof(anyRuleText, validProfileRule), fc.boolean(), (s, mpp) => {
  const e = expandMacrosTracked(s, vars, { secrets: mpp });
  if (e.text !== expandMacros(s, vars, { secrets: mpp }))
    throw new Error("tracked expansion differs");
  if (sourceOffset(e, e.text.length) > s.length) throw new Error("source offset out of range");
  expectCode(() => parseProfileRule(s), "RULE_SYNTAX");
  expectCode(() => parseUpgradeRule(s), "RULE_SYNTAX");
  expectCode(() => parseReportRule(s), "RULE_SYNTAX");
  expectCode(() => parseCondition(s), "RULE_SYNTAX");
  expectCode(() => parseSchedule(s), "RULE_SCHEDULE_SYNTAX");
  const options = { family: mpp ? ("mpp" as const) : ("spa" as const) };
  for (const r of [
    evaluateProfileRule(s, vars, options),
    evaluateUpgradeRule(s, vars, options),
    evaluateReportRule(s, vars, options),
  ]) {
    if (!kinds.has(r.kind)) throw new Error(`bad kind ${r.kind}`);
    for (const d of r.diagnostics)
      if (d.message.includes("Secret!")) throw new Error("secret leaked");
  }
  if (typeof evaluateResyncTrigger(s, vars).value !== "boolean")
    throw new Error("trigger not boolean");
});

const start = Date.now();
console.log(`rules_fuzz: ${numRuns.toLocaleString("en-US")} cases, seed ${seed}`);
fc.assert(property, { numRuns, seed });
const ms = Date.now() - start;
console.log(
  `ok: ${numRuns.toLocaleString("en-US")} cases in ${(ms / 1000).toFixed(1)} s (${Math.round((numRuns * 1000) / ms).toLocaleString("en-US")} cases/s)`,
);
