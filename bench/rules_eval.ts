/**
 * Rule evaluations per second for typical rules (spec §4.8 / Appendix B shapes).
 * Run: npx tsx bench/rules_eval.ts [seconds-per-case, default 1]
 */
import {
  deviceVariables,
  evaluateProfileRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  expandMacros,
  type MacroVariables,
} from "../src/rules/index.ts";

const params: Record<string, string> = {
  GPP_A: "ABC",
  GPP_B: "Dj6Lmp23Q",
  GPP_F: "beta-customer",
  GPP_SA: "b4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f90109",
  User_ID_1_: "4085551234",
};
const vars: MacroVariables = deviceVariables({
  mac: "00:0e:08:01:23:45",
  productName: "SPA2102",
  productSeries: "2102",
  serial: "88012BA01234",
  swVersion: "2.0.6(b)",
  hwVersion: "1.88.1",
  ip: "192.168.1.100",
  extIp: "66.43.16.52",
  certStatus: "Installed",
  params: (n) => params[n],
  timers: { prvtmr: 700, upgtmr: 5, regtmr: [400, 0] },
});

const cases: [string, () => unknown][] = [
  ["default rule /spa$PSN.cfg", () => evaluateProfileRule("/spa$PSN.cfg", vars)],
  ["http://…/$MA.cfg", () => evaluateProfileRule("http://remote.server.com/cisco/$MA.cfg", vars)],
  [
    "[--key $SA] http://…/$B/$MA.cfg (C.2)",
    () => evaluateProfileRule("[--key $SA] http://prov.example.com/spa/$B/$MA.cfg", vars),
  ],
  [
    "2 alternatives + assignment (§4.8 row 4)",
    () =>
      evaluateProfileRule(
        '("$A" ne "Provisioned")? (Line_Enable_1_ = "No";)! https://p.tel.com/init-prov | https://p.tel.com/configs',
        vars,
      ),
  ],
  [
    "--post alternative (§4.8 row 2)",
    () =>
      evaluateProfileRule(
        "($REGTMR1 eq 0)? http://p.tel.com/has-reg.cfg | [--post a] http://p.tel.com/lost-reg?",
        vars,
      ),
  ],
  [
    "multi-stage Upgrade_Rule (§7.2)",
    () =>
      evaluateUpgradeRule(
        "($SWVER lt 1.0.33)? http://fw.example.net/spa2102/1-0-33.bin | ($SWVER lt 2.0.6)? http://fw.example.net/spa2102/2-0-6.bin | ($SWVER lt 3.3.6)? http://fw.example.net/spa2102/3-3-6.bin",
        vars,
      ),
  ],
  [
    "Resync_Trigger (§6.2.6)",
    () => evaluateResyncTrigger("$REGTMR1 gt 300 and $PRVTMR ge 600", vars),
  ],
  ["empty Profile_Rule_B", () => evaluateProfileRule("", vars)],
  [
    "macro expansion only: $PN $MAC -- Requesting resync …",
    () => expandMacros("$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH", vars),
  ],
];

const seconds = Number(process.argv[2] ?? "1");
const ROUNDS = 10;
let sink = 0;
console.log(
  `rules_eval: ${seconds}s per case in ${ROUNDS} rounds (best and median round reported), node ${process.version}`,
);
function round(fn: () => unknown, budgetNs: bigint): number {
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budgetNs) {
    for (let i = 0; i < 500; i++) sink += fn() === undefined ? 0 : 1;
    n += 500;
    elapsed = process.hrtime.bigint() - start;
  }
  return (n * 1e9) / Number(elapsed);
}
const fmt = (x: number) => Math.round(x).toLocaleString("en-US").padStart(11);
for (const [name, fn] of cases) {
  for (let i = 0; i < 20_000; i++) sink += fn() === undefined ? 0 : 1; // warm-up (JIT)
  const budget = BigInt(Math.round((seconds / ROUNDS) * 1e9));
  const rates = Array.from({ length: ROUNDS }, () => round(fn, budget)).sort((a, b) => b - a);
  const best = rates[0]!;
  const median = rates[Math.floor(ROUNDS / 2)]!;
  console.log(
    `${name.padEnd(50)} best ${fmt(best)} /s (${(1e6 / best).toFixed(2)} µs)  median ${fmt(median)} /s`,
  );
}
if (sink < 0) console.log(sink);
