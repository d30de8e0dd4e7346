/**
 * A PostgreSQL database is often shared: other schemas (another installation, another
 * application) create and drop tables while a Provisio node starts. Opening the store must not
 * depend on them.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { dialects, PG_URL } from "./dialects.ts";

const postgres = dialects().find((d) => d.name === "postgres")!;

describe("store on a shared PostgreSQL database", () => {
  it("opens (and migrates) while another schema's tables are dropped and recreated", async () => {
    const neighbour = `n_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const churn = new pg.Client({ connectionString: PG_URL });
    await churn.connect();
    await churn.query(`create schema ${neighbour}`);
    const table = (i: number) =>
      `create table ${neighbour}.t${i} (id serial primary key, a text, b text, c text, d text)`;
    const TABLES = 300;
    await churn.query(Array.from({ length: TABLES }, (_, i) => table(i)).join(";"));
    let stop = false;
    const churning = (async () => {
      for (let i = 0; !stop; i = (i + 1) % TABLES) {
        // A slow drop (as a large cascade is): it holds the table's lock, still uncommitted,
        // while the other side's snapshot still lists the table.
        await churn.query(`begin; drop table ${neighbour}.t${i}; select pg_sleep(0.02); commit`);
        await churn.query(table(i));
      }
    })();
    const opened: string[] = [];
    try {
      while (opened.length < 10) {
        const db = await postgres.fresh();
        try {
          const store = await db.open();
          opened.push((await store.tenants.list())[0]!.slug);
        } finally {
          await db.dispose();
        }
      }
    } finally {
      stop = true;
      await churning;
      await churn.query(`drop schema if exists ${neighbour} cascade`);
      await churn.end();
    }
    expect(opened.every((slug) => slug === "default")).toBe(true);
  }, 120_000);
});
