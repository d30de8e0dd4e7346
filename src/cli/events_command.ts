/**
 * `provisio events`: the resync event log — what devices fetched, over which transport, from
 * where, the result and why — newest first, or followed as it grows (`--follow`). The same
 * rows `GET /api/v1/events` serves; `provisio device events MAC` shows one device's.
 */
import type { Command } from "commander";
import { eventJson, parseMacParam, resolveTenant } from "../admin/index.ts";
import type { AuditEntry, EventQuery, ResyncEvent, Store } from "../store/index.ts";
import type { RegisterCommand } from "./commands.ts";
import { cliError } from "./errors.ts";
import {
  formatTable,
  type InstallationFlags,
  installationOptions,
  withInstallation,
} from "./installation.ts";
import { writeStdout } from "./stdout.ts";

interface EventsFlags extends InstallationFlags {
  tenant?: string;
  mac?: string;
  result?: string;
  since?: string;
  limit: string;
  follow?: boolean;
  interval: string;
  json?: boolean;
}

const UNITS: Readonly<Record<string, number>> = { s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3 };

/** `--since`: an ISO date/time, or a duration back from now (`90s`, `15m`, `2h`, `7d`). */
export function parseSince(text: string, now: number = Date.now()): Date {
  const duration = /^(\d{1,9})([smhd])$/.exec(text);
  if (duration !== null) return new Date(now - Number(duration[1]) * UNITS[duration[2]!]!);
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw cliError(
      "CLI_BAD_OPTION",
      `--since must be an ISO date or time (2026-12-01, 2026-12-01T08:00Z) or a duration (15m, 2h, 7d), got "${text}"`,
    );
  }
  return new Date(at);
}

export function parseLimit(text: string, max = 10_000): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw cliError("CLI_BAD_OPTION", `--limit must be an integer from 1 to ${max}`);
  }
  return Number(text);
}

/** The columns of an event row, in the order the table prints them. */
export const EVENT_HEADER = [
  "TIME",
  "MAC",
  "TRANSPORT",
  "RESULT",
  "STATUS",
  "BYTES",
  "MS",
  "SOURCE",
  "PATH",
  "USER-AGENT",
  "WHY",
] as const;

export function eventRow(e: ResyncEvent): string[] {
  return [
    e.at.toISOString(),
    e.mac ?? "-",
    e.transport,
    e.result,
    e.statusCode === null ? "-" : String(e.statusCode),
    e.bytes === null ? "-" : String(e.bytes),
    e.durationMs === null ? "-" : String(e.durationMs),
    e.remoteAddress ?? "-",
    oneLine(e.path ?? "-"),
    oneLine(e.userAgent ?? "-"),
    oneLine(e.message ?? ""),
  ];
}

/** A lifecycle change from the audit log, in the event table's columns. */
export function changeRow(a: AuditEntry): string[] {
  return [
    a.at.toISOString(),
    a.key ?? "-",
    "change",
    a.action,
    "-",
    "-",
    "-",
    "-",
    "-",
    "-",
    a.actor,
  ];
}

/** Control characters (a User-Agent or path is device input) would break the table. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, "?");
}

function writeJsonLines(events: readonly ResyncEvent[]): void {
  let text = "";
  for (const e of events) text += `${JSON.stringify(eventJson(e))}\n`;
  if (text !== "") writeStdout(text);
}

async function query(store: Store, flags: EventsFlags): Promise<EventQuery> {
  const tenantId =
    flags.tenant === undefined ? undefined : (await resolveTenant(store, flags.tenant)).id;
  return {
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(flags.mac === undefined ? {} : { mac: parseMacParam(flags.mac) }),
    ...(flags.result === undefined ? {} : { result: flags.result }),
    ...(flags.since === undefined ? {} : { since: parseSince(flags.since) }),
  };
}

/**
 * Ids re-read on every poll on PostgreSQL: nodes append in concurrent transactions, so an id
 * can become visible after a higher one (a batch committed later); SQLite has one writer.
 */
const REREAD_IDS = 5_000;
const PAGE = 1_000;

/** Polls for events newer than the last one shown until interrupted (SIGINT/SIGTERM). */
async function follow(
  store: Store,
  base: EventQuery,
  lastId: number,
  intervalMs: number,
  print: (events: readonly ResyncEvent[]) => void,
): Promise<void> {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.once("error", stop); // reader gone (`| head`)
  let running = true;
  void stopped.then(() => {
    running = false;
  });
  const reread = store.kind === "postgres" ? REREAD_IDS : 0;
  // Ids at or below `lastId` visible now count as shown (the listing showed what it was asked
  // for); one of them that becomes visible later is printed.
  const seen = new Set<number>();
  let after = lastId;
  const page = async (): Promise<ResyncEvent[]> => {
    const low = Math.max(0, after - reread);
    const events = await store.events.list({ ...base, afterId: low, limit: reread + PAGE });
    for (const id of seen) if (id <= low) seen.delete(id);
    return events;
  };
  if (reread > 0) {
    for (const e of await page()) if (e.id <= lastId) seen.add(e.id);
  }
  while (running) {
    const events = await page();
    const fresh = events.filter((e) => !seen.has(e.id));
    if (fresh.length > 0) {
      print(fresh);
      for (const e of fresh) seen.add(e.id);
    }
    const top = events.at(-1)?.id ?? after;
    if (top > after) after = top;
    // A full page: more are waiting.
    if (events.length === reread + PAGE) continue;
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, intervalMs))]);
  }
}

export const registerEventsCommand: RegisterCommand = (program: Command) => {
  installationOptions(
    program
      .command("events")
      .description(
        "Show resync events: what devices fetched, how, from where, the result and why (newest first)",
      )
      .option("--tenant <slug>", "only this tenant's devices")
      .option("--mac <mac>", "only this device (see also: provisio device events MAC)")
      .option("--result <result>", "only this result: ok, not-modified, not-found, forbidden, …")
      .option("--since <when>", "from this ISO date/time, or this far back: 15m, 2h, 7d")
      .option("--limit <n>", "at most this many events", "50")
      .option("-f, --follow", "keep printing new events as they are written (Ctrl-C ends)")
      .option("--interval <ms>", "how often --follow looks for new events", "1000")
      .option("--json", "JSON lines (one event per line)"),
  )
    .addHelpText(
      "after",
      `
Refusals for no known device (unknown MACs, bad requests, throttled sources) are aggregated
per source and minute; a scan is one event. Examples:
  provisio events --since 1h
  provisio events --result not-found --limit 20
  provisio events --follow --tenant acme
  provisio events --json --since 2026-12-01 | jq .remoteAddress`,
    )
    .action(async (flags: EventsFlags) => {
      const limit = parseLimit(flags.limit);
      const intervalMs = parseLimit(flags.interval, 60_000);
      await withInstallation(flags, async ({ store }) => {
        const base = await query(store, flags);
        // Newest first for the listing; printed oldest first so a followed log reads on.
        const events = (await store.events.list({ ...base, limit })).reverse();
        const json = flags.json === true;
        if (json) writeJsonLines(events);
        else writeStdout(formatTable(EVENT_HEADER, events.map(eventRow)));
        if (flags.follow !== true) return;
        const latest = events.at(-1)?.id ?? (await store.events.list({ limit: 1 }))[0]?.id ?? 0;
        await follow(store, base, latest, intervalMs, (fresh) => {
          if (json) writeJsonLines(fresh);
          else {
            // Rows only: the header was printed once above.
            const table = formatTable(EVENT_HEADER, fresh.map(eventRow));
            writeStdout(table.slice(table.indexOf("\n") + 1));
          }
        });
      });
    });
};
