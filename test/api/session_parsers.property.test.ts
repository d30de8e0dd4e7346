/**
 * Properties of the session-cookie and sign-in body parsers: the cookie is found among any
 * other cookies, whatever their order and spacing, and nothing else passes for it; a sign-in
 * body is exactly `{ username, password }` or `{ token }`, anything else a 400 — and over the
 * socket, no body whatever gets a 500 or a session.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLoginBody, parseSessionCookie, sessionCookie } from "../../src/api/index.ts";
import { isProvisioError } from "../../src/errors.ts";
import { dialects, type Fresh } from "../store/dialects.ts";
import { call, type SessionApi, startSessionApi } from "./session_client.ts";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("");
const sessionId = fc
  .array(fc.constantFrom(...BASE64URL), { minLength: 43, maxLength: 43 })
  .map((c) => c.join(""));
const cookieName = fc
  .stringMatching(/^[A-Za-z0-9_.-]{1,20}$/)
  .filter((n) => n !== "provisio_session");
const cookieValue = fc.stringMatching(/^[\x21-\x2b\x2d-\x3a\x3c-\x7e]{0,40}$/); // no ';' ','
const otherCookie = fc.tuple(cookieName, cookieValue).map(([n, v]) => `${n}=${v}`);
const spacing = fc.constantFrom(";", "; ", " ;  ", ";\t");

describe("parseSessionCookie", () => {
  it("finds the session id among any other cookies", () => {
    fc.assert(
      fc.property(
        fc.array(otherCookie, { maxLength: 6 }),
        fc.array(otherCookie, { maxLength: 6 }),
        sessionId,
        spacing,
        (before, after, id, sep) => {
          const header = [...before, `provisio_session=${id}`, ...after].join(sep);
          expect(parseSessionCookie(header)).toBe(id);
        },
      ),
    );
  });

  it("answers null for any header without a well-formed provisio_session, and never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(otherCookie).map((c) => c.join("; ")),
          fc.string({ maxLength: 80 }).map((v) => `provisio_session=${v}`),
        ),
        (header) => {
          const found = parseSessionCookie(header);
          if (found !== null) {
            expect(found).toMatch(/^[A-Za-z0-9_-]{43}$/);
            expect(header).toContain(`provisio_session=${found}`);
          }
        },
      ),
    );
  });

  it("reads back what sessionCookie sets", () => {
    fc.assert(
      fc.property(sessionId, fc.boolean(), (id, secure) => {
        const set = sessionCookie(id, secure);
        expect(parseSessionCookie(set.split(";")[0])).toBe(id);
        expect(set.includes("; Secure")).toBe(secure);
      }),
    );
  });
});

describe("parseLoginBody", () => {
  const text = fc.string({ minLength: 1, maxLength: 64 });
  it("accepts exactly { username, password } and { token }", () => {
    fc.assert(
      fc.property(text, text, text, (username, password, token) => {
        expect(parseLoginBody({ username, password })).toEqual({
          kind: "password",
          username,
          password,
        });
        expect(parseLoginBody({ token })).toEqual({ kind: "token", token });
      }),
    );
  });

  it("refuses anything else with API_VALIDATION", () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        try {
          const login = parseLoginBody(body);
          // Whatever passed has exactly the keys of one shape, all non-empty strings.
          const keys = Object.keys(body as object)
            .sort()
            .join(",");
          expect(["token", "password,username"]).toContain(keys);
          expect(login.kind === "token" ? login.token : login.password).not.toBe("");
        } catch (error) {
          expect(isProvisioError(error) && error.code).toBe("API_VALIDATION");
        }
      }),
    );
  });
});

for (const dialect of dialects().filter((d) => d.name === "sqlite")) {
  describe("POST /api/v1/session with arbitrary bodies", () => {
    let fresh: Fresh;
    let api: SessionApi;
    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startSessionApi(fresh, {
        sessions: { throttle: { maxFailures: 1_000_000 } },
      });
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    it("answers 400 or 401, never 500, never a session", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.json().map((raw) => ({ raw })),
            fc
              .record(
                { username: fc.anything(), password: fc.anything(), token: fc.anything() },
                { requiredKeys: [] },
              )
              .map((o) => ({ raw: JSON.stringify(o) ?? "null" })),
            fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
          ),
          async ({ raw }) => {
            const answer = await call(api.url, "POST", "/api/v1/session", { raw });
            expect([400, 401]).toContain(answer.status);
            expect(answer.headers["set-cookie"]).toBeUndefined();
            expect(answer.body?.error?.code).toMatch(/^API_(VALIDATION|UNAUTHORIZED)$/);
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
