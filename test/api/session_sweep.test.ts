/**
 * Retention of sessions: the admin app deletes expired sessions on its own, without anyone
 * presenting them (the sweep runs every `sweepIntervalMs`; here 50 ms on a moved clock).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type Fresh } from "../store/dialects.ts";
import { type SessionApi, startSessionApi } from "./session_client.ts";

for (const dialect of dialects()) {
  describe(`session sweep (${dialect.name})`, () => {
    let fresh: Fresh;
    let api: SessionApi;
    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startSessionApi(fresh, { sessions: { sweepIntervalMs: 50 } });
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("removes expired sessions from the database, keeps live ones", async () => {
      const { token } = await api.store.tokens.issue({ name: "ui", role: "read-only" });
      await api.store.sessions.open({ tokenId: token.id }, { idleMs: 3_600_000 });
      await api.store.sessions.open({ tokenId: token.id }, { idleMs: 3_600_000 });
      const live = await api.store.sessions.open({ tokenId: token.id }, { idleMs: 3 * 3_600_000 });
      api.clock += 2 * 3_600_000;
      let left = await api.store.sessions.list({ tokenId: token.id });
      for (let i = 0; i < 600 && left.length > 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
        left = await api.store.sessions.list({ tokenId: token.id });
      }
      expect(left.map((s) => s.idHash)).toEqual([live.session.idHash]);
      expect(api.logs.some((l) => l.includes("expired sessions removed"))).toBe(true);
    });
  });
}
