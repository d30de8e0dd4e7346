/**
 * The fleet run's HTML report: ONE self-contained file — uPlot's script and stylesheet,
 * the run's data and the page's own script all inline — so it opens offline, from a mail
 * attachment or a CI artefact, with nothing fetched.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { escapeXmlValue } from "../profile/index.ts";
import type { FleetSummary } from "./fleet.ts";
import { formatFleetSummary } from "./fleet_summary_text.ts";

interface ChartLibrary {
  readonly script: string;
  readonly style: string;
}

let library: ChartLibrary | undefined;

/** uPlot's browser build, read once from the installed package. */
function chartLibrary(): ChartLibrary {
  if (library === undefined) {
    const require = createRequire(import.meta.url);
    library = {
      script: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
      style: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    };
  }
  return library;
}

/** Script text that may sit inside a <script> element (no `</script`). */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, "<\\/$1");
}

function table(title: string, rows: Readonly<Record<string, number>>): string {
  const body = Object.entries(rows)
    .map(([k, v]) => `<tr><td>${escapeXmlValue(k)}</td><td class="n">${v}</td></tr>`)
    .join("");
  return `<section><h2>${escapeXmlValue(title)}</h2><table>${body || '<tr><td colspan="2">none</td></tr>'}</table></section>`;
}

const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("fleet-data").textContent);
  var s = data.series;
  var end = data.virtualMs / 1000;
  // Intervals are recorded up to the last event; the charts span the whole run, so a quiet
  // tail shows as zero resyncs rather than the axis stopping early.
  var t = s.t.slice();
  var step = t.length > 1 ? t[1] - t[0] : Math.max(1, end / 120);
  var counts = function (v) { return v.concat(t.slice(v.length).map(function () { return 0; })); };
  while (t.length > 0 && t[t.length - 1] + step < end) t.push(t[t.length - 1] + step);
  // An interval without a fetch has no latency: a gap in the line, not a 0 ms point.
  var idle = s.t.map(function (_, i) {
    return s.resyncsOk[i] + s.resyncsFailed[i] === 0 && s.p99Ms[i] === 0;
  });
  var latency = function (v) {
    return v.map(function (x, i) { return idle[i] ? null : x; })
      .concat(t.slice(v.length).map(function () { return null; }));
  };
  var width = Math.min(1100, document.body.clientWidth - 40);
  var charts = [];
  function chart(id, title, series, values, yLabel) {
    charts.push(new uPlot({
      title: title, width: width, height: 260,
      scales: { x: { time: false, range: [0, Math.max(end, t[t.length - 1] || 0)] } },
      axes: [{ label: "simulated time (s)" }, { label: yLabel }],
      series: [{ label: "t (s)" }].concat(series)
    }, [t].concat(values), document.getElementById(id)));
  }
  chart("chart-resyncs", "Resyncs per interval", [
    { label: "ok", stroke: "#2a7", width: 2 },
    { label: "failed", stroke: "#d33", width: 2 }
  ], [counts(s.resyncsOk), counts(s.resyncsFailed)], "resyncs");
  chart("chart-latency", "Device-side fetch latency", [
    { label: "p50 (ms)", stroke: "#36c", width: 2 },
    { label: "p99 (ms)", stroke: "#c63", width: 2 }
  ], [latency(s.p50Ms), latency(s.p99Ms)], "ms");
  chart("chart-overload", "Overload answers (503 / 429) per interval", [
    { label: "503/429", stroke: "#a3a", width: 2 }
  ], [counts(s.overloaded)], "answers");
  window.fleetCharts = charts;
})();
`;

export function fleetReportHtml(summary: FleetSummary, title = "Provisio fleet run"): string {
  const lib = chartLibrary();
  // `<` as a JSON escape: the data can never close its element, whatever a name holds.
  const data = JSON.stringify(summary).replaceAll("<", "\\u003c");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXmlValue(title)}</title>
<style>${lib.style}
body{font-family:system-ui,sans-serif;margin:20px;color:#222}
pre{background:#f4f4f4;padding:12px;white-space:pre-wrap}
section{display:inline-block;vertical-align:top;margin:0 24px 16px 0}
table{border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:2px 10px}td.n{text-align:right}
.chart{margin:12px 0}
</style>
<script>${scriptSafe(lib.script)}</script>
</head><body>
<h1>${escapeXmlValue(title)}</h1>
<pre id="summary">${escapeXmlValue(formatFleetSummary(summary))}</pre>
<div class="chart" id="chart-resyncs"></div>
<div class="chart" id="chart-latency"></div>
<div class="chart" id="chart-overload"></div>
${table("Provisioning states", summary.states)}
${table("Firmware versions", summary.firmware)}
${table("Resync causes", summary.causes)}
${table("Refusals by HTTP status", summary.statuses)}
${table("Failure reasons ($ERR)", summary.failureReasons)}
<script type="application/json" id="fleet-data">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
