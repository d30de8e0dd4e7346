/** The summary `provisio fleet` prints when a run ends: plain text, one fact a line. */
import type { FleetSummary } from "./fleet.ts";

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, "0")}s`
      : `${sec}s`;
}

function tally(map: Readonly<Record<string, number>>): string {
  const entries = Object.entries(map);
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${k} ${v}`).join(", ");
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export function formatFleetSummary(s: FleetSummary): string {
  const lines = [
    `fleet: ${s.devices} × ${s.model}${s.rebootStorm ? " (reboot storm)" : ""}, ${duration(s.virtualMs)} simulated in ${duration(s.wallMs)} (speed ${s.speed})`,
    `resyncs: ${s.resyncsOk} ok, ${s.resyncsFailed} failed  (${tally(s.causes)})`,
    `fetches: ${s.fetches}; device-side latency p50 ${ms(s.latency.p50)}, p99 ${ms(s.latency.p99)}, max ${ms(s.latency.max)}`,
  ];
  if (Object.keys(s.statuses).length > 0)
    lines.push(`refusals by HTTP status: ${tally(s.statuses)}`);
  if (s.resyncsFailed > 0) lines.push(`failures: ${tally(s.failureReasons)}`);
  lines.push(
    `states: ${tally(s.states)}`,
    `firmware: ${tally(s.firmware)}`,
    `indicator: ${tally(s.indicators)}`,
    `peak: ${s.peakInFlight} resyncs in flight, ${(s.peakRssBytes / 1048576).toFixed(0)} MiB RSS`,
  );
  return `${lines.join("\n")}\n`;
}
