/**
 * Bulk device import from CSV, shared by `POST /api/v1/devices/import` and
 * `provisio device import`.
 *
 * The file starts with a header row naming its columns, in any order (names are case
 * insensitive; only `mac` is required) — or, with the `columns` option, has none (a bar-code
 * scanner's list of MAC, serial and account):
 *
 * | column | meaning |
 * | --- | --- |
 * | `mac` | the device's MAC (`000e08abcdef`, `00:0E:08:AB:CD:EF`, `00-0e-…`, `000e.08ab.cdef`) |
 * | `model` | product name (`$PN`), e.g. `SPA112` |
 * | `serial` | serial number (`$SN`) |
 * | `account` | account reference (or id) in the import's tenant |
 * | `group` | group name (or id) in the import's tenant |
 * | `label` | free text |
 *
 * Every row is an upsert into the import's tenant: a new MAC is created, a known one updated;
 * an empty cell keeps the current value. A row that cannot be imported (malformed MAC, unknown
 * account or group, MAC repeated in the file or registered to another tenant, wrong number of
 * cells) is reported with its line number and skipped; the other rows go on. Rows are written
 * in transactions of `batchSize` and reported through `onProgress` only after their commit, so
 * whatever was reported as committed survives a crash (kill -9, power loss with SQLite's
 * default `synchronous=full`).
 *
 * Cost: when other tenants have devices, every row is looked up by MAC before it is written
 * (one indexed read each, ~10,000 rows/s on SQLite); a single-tenant installation skips that.
 */
import { setImmediate as nextTick } from "node:timers/promises";
import { isProvisioError, ProvisioError } from "../errors.ts";
import type { DeviceInput, MacAddress, Store } from "../store/index.ts";
import { tryParseMac } from "../store/index.ts";
import { readCsv } from "./csv.ts";
import { apiError } from "./errors.ts";
import { findAccount, findGroup } from "./resolve.ts";

export const IMPORT_COLUMNS = ["mac", "model", "serial", "account", "group", "label"] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export interface ImportProgress {
  /** Data rows parsed so far. */
  readonly rowsRead: number;
  /** Rows committed (acknowledged). */
  readonly committed: number;
  /** Rows refused so far. */
  readonly rejected: number;
  /** File line of the last committed row, or null before the first commit. */
  readonly lastCommittedLine: number | null;
}

export interface ImportLineError {
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

export interface ImportResult extends ImportProgress {
  /** The first `maxErrorsKept` refused rows. */
  readonly errors: readonly ImportLineError[];
}

export interface ImportOptions {
  readonly store: Store;
  readonly tenantId: string;
  /** Audit actor (`token:<id>`, `cli:<user>`). */
  readonly actor: string;
  /** Rows per transaction (default 1,000). */
  readonly batchSize?: number;
  /** After every committed batch. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** For every refused row, as it is found. */
  readonly onRowError?: (error: ImportLineError) => void;
  /** Errors kept in the result (default 1,000). */
  readonly maxErrorsKept?: number;
  /** Stops the import between batches (committed rows stay). */
  readonly signal?: AbortSignal;
  /**
   * Accounts and groups the file names that do not exist are created (an account with no
   * lines, a group with no description) instead of refusing their rows.
   */
  readonly createMissing?: boolean;
  /** Called once per account or group created by `createMissing`. */
  readonly onCreated?: (kind: "account" | "group", name: string) => void;
  /** Called once per model name the file uses that is not registered (rows are imported). */
  readonly onUnknownModel?: (pn: string) => void;
  /**
   * The columns, in order, of a file without a header row (`["mac", "serial", "account"]`
   * for a bar-code scan list); every line is then a row.
   */
  readonly columns?: readonly string[];
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const LIMITS: Record<Exclude<Column, "mac">, number> = {
  model: 64,
  serial: 64,
  account: 128,
  group: 255,
  label: 255,
};

/** A refused row: reported with its line, and the import goes on. */
function rowError(code: string, message: string): ProvisioError {
  return new ProvisioError(code, message, { details: { refusedRow: true } });
}

function isRowError(error: unknown): error is ProvisioError {
  return isProvisioError(error) && error.details?.refusedRow === true;
}

/** Runs the import; throws (after keeping what was committed) on a malformed file. */
export async function importDevicesCsv(
  source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  options: ImportOptions,
): Promise<ImportResult> {
  const { store, tenantId } = options;
  const batchSize = options.batchSize ?? 1_000;
  const maxErrors = options.maxErrorsKept ?? 1_000;
  const errors: ImportLineError[] = [];
  let rowsRead = 0;
  let rejected = 0;
  let committed = 0;
  let lastCommittedLine: number | null = null;
  /** File line of each row handed to the store, in order. */
  const lines: number[] = [];
  const seen = new Map<MacAddress, number>();
  const accounts = new Map<string, string | null>();
  const groups = new Map<string, string | null>();
  /** Model names already checked against the registered models. */
  const models = new Set<string>();

  const reject = (line: number, code: string, message: string): void => {
    rejected++;
    const error = { line, code, message };
    if (errors.length < maxErrors) errors.push(error);
    options.onRowError?.(error);
  };

  const records = readCsv(source);
  let names: readonly string[];
  /** Where the column names come from, for messages (`line 1`, `the columns given`). */
  let where: string;
  let headerLine: number | undefined;
  if (options.columns !== undefined) {
    names = options.columns;
    where = "the columns given";
  } else {
    const header = await records.next();
    if (header.done === true) {
      throw apiError("API_CSV_INVALID", "the file is empty: expected a header row (mac,model,…)");
    }
    names = header.value.fields;
    headerLine = header.value.line;
    where = `line ${headerLine}`;
  }
  const columns = names.map((f) => f.trim().toLowerCase());
  const at = headerLine === undefined ? {} : { line: headerLine };
  const index = new Map<Column, number>();
  columns.forEach((name, i) => {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      throw apiError(
        "API_CSV_INVALID",
        `${where}: unknown column ${JSON.stringify(name.slice(0, 64))}; columns are ${IMPORT_COLUMNS.join(", ")}`,
        at,
      );
    }
    if (index.has(name as Column)) {
      throw apiError("API_CSV_INVALID", `${where}: column ${name} appears twice`, at);
    }
    index.set(name as Column, i);
  });
  if (!index.has("mac")) {
    throw apiError(
      "API_CSV_INVALID",
      headerLine === undefined
        ? "the columns given have no mac"
        : `${where}: the header has no mac column`,
      at,
    );
  }

  const cell = (fields: readonly string[], column: Column): string | undefined => {
    const i = index.get(column);
    if (i === undefined) return undefined;
    const value = fields[i]!.trim();
    if (value === "") return undefined;
    if (column !== "mac") {
      if (value.length > LIMITS[column] || CONTROL.test(value)) {
        throw rowError(
          "API_VALIDATION",
          `${column} must be single-line text of at most ${LIMITS[column]} characters`,
        );
      }
    }
    return value;
  };

  const lookup = async (
    cache: Map<string, string | null>,
    ref: string,
    find: (ref: string) => Promise<{ id: string } | null>,
  ): Promise<string | null> => {
    let id = cache.get(ref);
    if (id === undefined) {
      id = (await find(ref))?.id ?? null;
      if (cache.size > 100_000) cache.clear();
      cache.set(ref, id);
    }
    return id;
  };

  const toInput = async (line: number, fields: readonly string[]): Promise<DeviceInput> => {
    if (fields.length !== columns.length) {
      throw rowError(
        "API_CSV_INVALID",
        `expected ${columns.length} cells (as in the header), got ${fields.length}`,
      );
    }
    const macText = cell(fields, "mac");
    if (macText === undefined) throw rowError("STORE_INVALID_MAC", "mac is empty");
    const mac = tryParseMac(macText);
    if (mac === undefined) {
      throw rowError(
        "STORE_INVALID_MAC",
        `not a MAC address: ${JSON.stringify(macText.slice(0, 64))}`,
      );
    }
    const earlier = seen.get(mac);
    if (earlier !== undefined) {
      throw rowError("STORE_CONFLICT", `MAC ${mac} already appears on line ${earlier}`);
    }
    const accountRef = cell(fields, "account");
    const groupRef = cell(fields, "group");
    const input: { -readonly [K in keyof DeviceInput]: DeviceInput[K] } = { mac, tenantId };
    const model = cell(fields, "model");
    const serial = cell(fields, "serial");
    const label = cell(fields, "label");
    if (model !== undefined) {
      input.modelPn = model;
      if (options.onUnknownModel !== undefined && !models.has(model)) {
        models.add(model);
        if ((await store.models.find(model)) === null) options.onUnknownModel(model);
      }
    }
    if (serial !== undefined) input.serial = serial;
    if (label !== undefined) input.label = label;
    if (accountRef !== undefined) {
      const id = await lookup(accounts, accountRef, async (ref) => {
        const found = await findAccount(store, tenantId, ref);
        if (found !== null || options.createMissing !== true) return found;
        const created = await store.accounts.create(
          { tenantId, reference: ref },
          { actor: options.actor },
        );
        options.onCreated?.("account", ref);
        return created;
      });
      if (id === null)
        throw rowError("API_NOT_FOUND", `account ${JSON.stringify(accountRef)} not found`);
      input.accountId = id;
    }
    if (groupRef !== undefined) {
      const id = await lookup(groups, groupRef, async (ref) => {
        const found = await findGroup(store, tenantId, ref);
        if (found !== null || options.createMissing !== true) return found;
        const created = await store.groups.create(
          { tenantId, name: ref },
          { actor: options.actor },
        );
        options.onCreated?.("group", ref);
        return created;
      });
      if (id === null)
        throw rowError("API_NOT_FOUND", `group ${JSON.stringify(groupRef)} not found`);
      input.groupId = id;
    }
    seen.set(mac, line);
    return input;
  };

  // A row must not move another tenant's device. When no other tenant has devices (the
  // common case: one provider), nothing needs checking; otherwise each chunk is looked up.
  const foreignDevices =
    (await store.devices.count()) - (await store.devices.count({ tenantId })) > 0;

  /** Valid rows, checked against other tenants one chunk at a time. */
  async function* rows(): AsyncGenerator<DeviceInput> {
    let chunk: { line: number; input: DeviceInput }[] = [];
    const release = async function* () {
      const existing = foreignDevices
        ? await Promise.all(chunk.map((r) => store.devices.findByMac(r.input.mac)))
        : [];
      for (let i = 0; i < chunk.length; i++) {
        const row = chunk[i]!;
        const other = existing[i];
        if (other !== null && other !== undefined && other.tenantId !== tenantId) {
          seen.delete(row.input.mac);
          // Worded as a create of a registered MAC is answered (POST /devices, any tenant):
          // the row says the MAC is taken, never where.
          reject(row.line, "STORE_CONFLICT", `device ${row.input.mac} already exists`);
          continue;
        }
        lines.push(row.line);
        yield row.input;
      }
      chunk = [];
    };
    for await (const record of records) {
      if (options.signal?.aborted === true) {
        throw apiError("API_UNAVAILABLE", "the import was stopped (server shutting down)");
      }
      rowsRead++;
      try {
        chunk.push({ line: record.line, input: await toInput(record.line, record.fields) });
      } catch (error) {
        if (!isRowError(error)) throw error;
        reject(record.line, error.code, error.message);
      }
      if (chunk.length >= batchSize) {
        yield* release();
        // Let the event loop breathe (progress polls, other requests) between batches.
        await nextTick();
      }
    }
    yield* release();
  }

  await store.devices.bulkUpsert(rows(), {
    batchSize,
    actor: options.actor,
    onProgress: (p) => {
      committed = p.done;
      lastCommittedLine = lines[p.done - 1] ?? null;
      options.onProgress?.({ rowsRead, committed, rejected, lastCommittedLine });
    },
  });
  return { rowsRead, committed, rejected, lastCommittedLine, errors };
}
