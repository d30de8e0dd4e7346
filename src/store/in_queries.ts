import type { CompiledQuery, Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** Stands for a value in a compiled query (replaced by each call's values). */
const SLOT = "\u0000in";
/** Fewest slots of a query; slot counts are powers of two from it. */
const MIN_SLOTS = 8;

/**
 * A `… in (…)` query compiled once per power of two of slots, the unused slots repeating the
 * last value: the reads of a storm's first fetches (a batch of devices or layers per event-loop
 * turn, of any size) build no query, and each size is one statement text, which SQLite keeps
 * prepared (statement_cache.ts).
 */
export class InQueries<R> {
  readonly #compile: (slots: readonly string[]) => CompiledQuery<R>;
  readonly #bySlots = new Map<number, CompiledQuery<R>>();

  /** `compile` builds the query with `slots` as the list's values. */
  constructor(compile: (slots: readonly string[]) => CompiledQuery<R>) {
    this.#compile = compile;
  }

  /** The rows for these values (one statement: chunk long lists first). */
  async rows(db: Kysely<Database>, values: readonly string[]): Promise<R[]> {
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
    const { rows } = await db.executeQuery<R>({
      ...compiled,
      parameters: compiled.parameters.map((p) =>
        p === SLOT ? values[next < last ? next++ : last] : p,
      ),
    });
    return rows;
  }
}
