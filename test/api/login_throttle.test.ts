/**
 * The sign-in throttle over a real socket: 10 failures in 10 minutes per source address and
 * per user name, then 429 with Retry-After; a burst of parallel guesses is cut at the bound
 * while the hashes run; the window ends; the memory it keeps is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginThrottle } from "../../src/api/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { Browser, call, type SessionApi, startSessionApi } from "./session_client.ts";

for (const dialect of dialects()) {
  describe(`sign-in throttle (${dialect.name})`, () => {
    let fresh: Fresh;
    let api: SessionApi;
    let throttleClock = 1_000_000;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startSessionApi(fresh, {
        sessions: { throttle: { now: () => throttleClock } },
      });
      await api.store.users.create({
        username: "victim",
        password: "victim passphrase",
        role: "admin",
      });
      await api.store.users.create({
        username: "bystander",
        password: "bystander passphrase",
        role: "admin",
      });
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("10 failures from one address, then 429 with Retry-After even for a good token", async () => {
      const from = "127.0.0.20";
      for (let i = 0; i < 10; i++) {
        const bad = await call(api.url, "POST", "/api/v1/session", {
          body: { token: `pvo_bad${i}` },
          from,
        });
        expect(bad.status).toBe(401);
      }
      const blocked = await call(api.url, "POST", "/api/v1/session", {
        body: { token: api.adminToken },
        from,
      });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe("API_TOO_MANY_ATTEMPTS");
      const retryAfter = Number(blocked.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(600);
      // Another address is not affected.
      const other = await call(api.url, "POST", "/api/v1/session", {
        body: { token: api.adminToken },
        from: "127.0.0.21",
      });
      expect(other.status).toBe(200);
    });

    it("a burst of parallel guesses at one user name is cut at 10; the window's end lets it in", async () => {
      const guesses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(api.url, "POST", "/api/v1/session", {
            body: { username: "victim", password: `guess number ${i}` },
            from: `127.0.1.${i + 1}`,
          }),
        ),
      );
      const statuses = guesses.map((g) => g.status).sort();
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      // The right password from a fresh address: still refused, the user name is throttled.
      const right = new Browser(api.url, "127.0.2.1");
      expect(
        (await right.signIn({ username: "victim", password: "victim passphrase" })).status,
      ).toBe(429);
      // Another user from that address signs in.
      const bystander = new Browser(api.url, "127.0.2.1");
      expect(
        (await bystander.signIn({ username: "bystander", password: "bystander passphrase" }))
          .status,
      ).toBe(200);
      // Ten minutes later the window is over.
      throttleClock += 600_000;
      expect(
        (await right.signIn({ username: "victim", password: "victim passphrase" })).status,
      ).toBe(200);
    });
  });
}

describe("LoginThrottle memory", () => {
  it("keeps at most maxKeys keys however many addresses try", () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxKeys: 100, now: () => now });
    for (let i = 0; i < 10_000; i++) {
      throttle.begin([`src:10.0.${i >> 8}.${i & 255}`]);
      now += 10;
    }
    expect(throttle.size).toBeLessThanOrEqual(100);
    // The most recent key is still counted.
    for (let i = 0; i < 9; i++) throttle.begin(["src:10.0.39.15"]);
    expect(() => throttle.begin(["src:10.0.39.15"])).toThrow(/too many failed sign-ins/);
  });
});
