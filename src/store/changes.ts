import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { ChangeFeed, ChangeListener } from "./store.ts";
import type { ChangeEntity, ChangeNotice } from "./types.ts";

const ENTITIES: ReadonlySet<string> = new Set<ChangeEntity>([
  "tenant",
  "model",
  "device",
  "account",
  "group",
  "layer",
  "token",
  "redirect",
  "activation",
  "firmware",
  "all",
]);

/**
 * The change feed. Every process learns of changes the same way: something wakes it (its own
 * commit, a NOTIFY, a poll that saw the revision move) and it reads the change log after the
 * last revision it delivered. Revisions are assigned under the revision row's write lock, so
 * commit order is revision order and the log has no gaps; a gap means the log was pruned past
 * us, and we deliver `all` (drop every cache).
 */
export class ChangeHub implements ChangeFeed {
  readonly #db: Kysely<Database>;
  readonly #listeners = new Set<ChangeListener>();
  #delivered: number;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(db: Kysely<Database>, startRevision: number) {
    this.#db = db;
    this.#delivered = startRevision;
  }

  get deliveredRevision(): number {
    return this.#delivered;
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async currentRevision(): Promise<number> {
    const row = await this.#db
      .selectFrom("revision")
      .select("value")
      .where("id", "=", 1)
      .executeTakeFirstOrThrow();
    return row.value;
  }

  /** Something may have changed: read the log (coalesces concurrent wake-ups). */
  wake(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#running;
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      let full = true;
      while (full && !this.#closed) {
        const rows = await this.#db
          .selectFrom("change_log")
          .select(["revision", "entity", "keys", "at"])
          .where("revision", ">", this.#delivered)
          .orderBy("revision")
          .orderBy("entity")
          .limit(500)
          .execute()
          .catch(() => []);
        full = rows.length === 500;
        const first = rows[0];
        if (first !== undefined && first.revision > this.#delivered + 1) {
          this.#emit({
            revision: first.revision - 1,
            entity: "all",
            keys: null,
            at: new Date(first.at),
          });
        }
        // A batch may end in the middle of a revision's entities: deliver whole revisions only.
        const last = rows.at(-1)?.revision;
        for (const row of rows) {
          if (full && row.revision === last && rows[0]!.revision !== last) break;
          this.#emit({
            revision: row.revision,
            entity: ENTITIES.has(row.entity) ? (row.entity as ChangeEntity) : "all",
            keys: row.keys === null ? null : (JSON.parse(row.keys) as string[]),
            at: new Date(row.at),
          });
        }
      }
    } while (this.#again && !this.#closed);
  }

  #emit(notice: ChangeNotice): void {
    this.#delivered = Math.max(this.#delivered, notice.revision);
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch {
        // A failing subscriber must not stop the others or the feed.
      }
    }
  }
}
