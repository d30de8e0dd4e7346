/**
 * Ways around the sign-in throttle, tried as an attacker would: flooding it with fresh user
 * names from fresh addresses until it forgets the count of the user under attack, and speaking
 * from the many addresses of one IPv6 /64 (or an IPv4 address in its IPv6-mapped form).
 */
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/api/index.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { Browser, call, type SessionApi, startSessionApi } from "./session_client.ts";

const VICTIM = { username: "victim", password: "victim passphrase 1" };

for (const dialect of dialects()) {
  describe(`sign-in throttle under a flood of names (${dialect.name})`, () => {
    let fresh: Fresh;
    let api: SessionApi;

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startSessionApi(fresh, {
        sessions: { throttle: { maxFailures: 3, maxKeys: 20 } },
      });
      await api.store.users.create({ ...VICTIM, role: "admin" });
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("keeps refusing a throttled user name after the throttle is full of other keys", async () => {
      for (let i = 1; i <= 3; i++) {
        const guess = await call(api.url, "POST", "/api/v1/session", {
          body: { username: VICTIM.username, password: `guess number ${i}` },
          from: `127.0.3.${i}`,
        });
        expect(guess.status).toBe(401);
      }
      const refused = new Browser(api.url, "127.0.3.100");
      expect((await refused.signIn(VICTIM)).status).toBe(429);
      // Fresh addresses (cheap token guesses, no hash): more keys than the throttle keeps.
      for (let i = 1; i <= 24; i++) {
        const junk = await call(api.url, "POST", "/api/v1/session", {
          body: { token: `pvo_junk${i}` },
          from: `127.0.4.${i}`,
        });
        expect(junk.status).toBe(401);
      }
      // The user name under attack is still refused, whatever address asks.
      const later = new Browser(api.url, "127.0.3.101");
      expect((await later.signIn(VICTIM)).status).toBe(429);
    });
  });
}

describe("sign-in throttle and IPv6 addresses", () => {
  let fresh: Fresh;
  let app: Awaited<ReturnType<typeof createAdminApp>>;
  let token = "";

  beforeAll(async () => {
    fresh = await dialects()[0]!.fresh();
    const store = await fresh.open();
    app = await createAdminApp({
      store,
      registry: new Registry(),
      logger: pino({ level: "silent" }),
      dataDir: "/nonexistent",
    });
    token = (await store.tokens.issue({ name: "t", role: "read-only" })).secret;
  });
  afterAll(async () => {
    await app.close();
    await fresh.dispose();
  });

  // One loopback IPv6 address is all a test machine has, so the sources are given to the
  // real app through Fastify's injection (its hooks, routes and handlers, without a socket).
  const signIn = (remoteAddress: string, secret: string) =>
    app.inject({
      method: "POST",
      url: "/api/v1/session",
      remoteAddress,
      payload: { token: secret },
    });

  it("counts the addresses of one /64 as one source", async () => {
    for (let i = 1; i <= 10; i++) {
      expect((await signIn(`2001:db8:0:1::${i.toString(16)}`, `pvo_bad${i}`)).statusCode).toBe(401);
    }
    expect((await signIn("2001:db8:0:1:abcd::77", token)).statusCode).toBe(429);
    // Another /64 is another source.
    expect((await signIn("2001:db8:0:2::1", token)).statusCode).toBe(200);
  });

  it("counts an IPv4 address and its IPv6-mapped form as one source", async () => {
    for (let i = 1; i <= 10; i++) {
      expect((await signIn("192.0.2.7", `pvo_bad${i}`)).statusCode).toBe(401);
    }
    expect((await signIn("::ffff:192.0.2.7", token)).statusCode).toBe(429);
  });
});
