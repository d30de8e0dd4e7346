import type { CompiledQuery } from "kysely";
import type { RowArrays, StoreDialect } from "./dialect.ts";

/** Stands for a value in a compiled query (replaced by each call's values). */
const SLOT = "\u0000in";
/** Fewest slots of a query; slot counts are powers of two from it. */
const MIN_SLOTS = 8;

/**
 * A `… in (…)` query compiled once per power of two of slots, the unused slots repeating the
 * last value: the reads of a storm's first fetches (a batch of devices or layers per event-loop
 * turn, of any size) build no query, and each size is one statement text, which SQLite keeps
 * prepared. On SQLite the rows come as arrays and become objects here: the driver builds each
 * row's object through the engine's API, at about the cost of the read itself.
 */
export class InQueries<R> {
  readonly #compile: (slots: readonly string[]) => CompiledQuery<R>;
  readonly #bySlots = new Map<number, CompiledQuery<R>>();

  /** `compile` builds the query with `slots` as the list's values. */
  constructor(compile: (slots: readonly string[]) => CompiledQuery<R>) {
    this.#compile = compile;
  }

  /** The rows for these values (one statement: chunk long lists first). */
  async rows(dialect: StoreDialect, values: readonly string[]): Promise<R[]> {
    if (values.length === 0) return [];
    let slots = MIN_SLOTS;
    while (slots < values.length) slots *= 2;
    let compiled = this.#bySlots.get(slots);
    if (compiled === undefined) {
      compiled = this.#compile(new Array<string>(slots).fill(SLOT));
      this.#bySlots.set(slots, compiled);
    }
    let next = 0;
    const last = values.length - 1;
    const parameters = compiled.parameters.map((p) =>
      p === SLOT ? values[next < last ? next++ : last] : p,
    );
    if (dialect.readArrays !== undefined) {
      return objectsOf<R>(await dialect.readArrays(compiled.sql, parameters));
    }
    const { rows } = await dialect.db.executeQuery<R>({ ...compiled, parameters });
    return rows;
  }
}

/** Rows as the objects the driver would have made (one property a column, in order). */
function objectsOf<R>({ columns, rows }: RowArrays): R[] {
  const out = new Array<R>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const object: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) object[columns[c]!] = row[c];
    out[r] = object as R;
  }
  return out;
}
