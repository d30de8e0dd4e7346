import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { cachingStatements } from "../../src/store/sqlite/statement_cache.ts";

function database(): BetterSqlite3.Database {
  const db = new BetterSqlite3(":memory:");
  db.exec("create table t (k integer primary key, v text)");
  const insert = db.prepare("insert into t (k, v) values (?, ?)");
  for (let i = 0; i < 5; i++) insert.run(i, `v${i}`);
  return db;
}

describe("SQLite prepared-statement cache", () => {
  it("reuses a statement for the same SQL text and answers each call with its own parameters", () => {
    const db = cachingStatements(database());
    const a = db.prepare("select v from t where k = ?");
    const b = db.prepare("select v from t where k = ?");
    expect(b).toBe(a);
    expect(a.all([1])).toEqual([{ v: "v1" }]);
    expect(b.all([3])).toEqual([{ v: "v3" }]);
    expect(db.prepare("select v from t where k = ? ").all([2])).toEqual([{ v: "v2" }]);
    db.close();
  });

  it("gives a fresh statement while the cached one is still iterating", () => {
    const db = cachingStatements(database());
    const sql = "select k from t order by k";
    const first = db.prepare(sql);
    const seen: unknown[] = [];
    for (const row of first.iterate([])) {
      // A nested query with the same text while the outer one iterates.
      const inner = db.prepare(sql);
      expect(inner).not.toBe(first);
      seen.push(row, inner.all([]).length);
    }
    expect(seen).toHaveLength(10);
    expect(db.prepare(sql)).toBe(first);
    db.close();
  });

  it("keeps at most `max` statements, dropping the least recently used", () => {
    const db = cachingStatements(database(), 2);
    const one = db.prepare("select 1 as n");
    const two = db.prepare("select 2 as n");
    expect(db.prepare("select 1 as n")).toBe(one); // now the newest
    db.prepare("select 3 as n"); // drops "select 2"
    expect(db.prepare("select 1 as n")).toBe(one);
    expect(db.prepare("select 2 as n")).not.toBe(two);
    db.close();
  });

  it("writes through a cached statement report their changes", () => {
    const db = cachingStatements(database());
    const del = db.prepare("delete from t where k = ?");
    expect(del.reader).toBe(false);
    expect(Number(del.run([1]).changes)).toBe(1);
    expect(Number(db.prepare("delete from t where k = ?").run([1]).changes)).toBe(0);
    db.close();
  });
});
