/**
 * The fleet simulator: many emulated units (`device/`) in one process on one accelerated
 * or as-fast-as-the-server-answers clock, measured, summarised and charted.
 */
export {
  type ChartSeries,
  Fleet,
  type FleetOptions,
  type FleetProgress,
  type FleetSummary,
  loopbackAddress,
} from "./fleet.ts";
export { FleetClock, type FleetClockOptions, type FleetSpeed } from "./fleet_clock.ts";
export {
  type CsvRow,
  devicesFromCsv,
  FIRST_FLEET_MAC,
  type FleetDeviceSpec,
  familyOfModel,
  fleetMac,
  sequentialDevices,
} from "./fleet_devices.ts";
export { type FetchSample, FleetStats, type LatencySummary, percentile } from "./fleet_stats.ts";
export { formatFleetSummary } from "./fleet_summary_text.ts";
export { fleetReportHtml } from "./html_report.ts";
export { measuringFetcher, statusOf } from "./measuring_fetcher.ts";
export { TimerQueue } from "./timer_queue.ts";
