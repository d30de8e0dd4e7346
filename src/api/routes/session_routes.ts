/**
 * Signing in and out of the admin UI: `POST /api/v1/session` exchanges a user name and password,
 * or an API token, for a session cookie; `GET` says who the session (or bearer token) is;
 * `DELETE` ends it; `POST /api/v1/session/password` changes the signed-in user's password.
 *
 * A wrong user name, a wrong password, a disabled user and an unknown token all answer the same
 * 401, after the same scrypt work (`store.users.authenticate`). Failed sign-ins are throttled
 * per source address and per user name (`LoginThrottle`); password hashes run through a bounded
 * gate. Expired sessions are swept every `sweepIntervalMs` (and whenever one is met).
 */
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { apiError, clientAddressKey } from "../../admin/index.ts";
import { isProvisioError } from "../../errors.ts";
import type { SessionLimits, SessionOwner } from "../../store/index.ts";
import {
  authenticate,
  principalJson,
  principalOf,
  requireCsrfHeader,
  tokenPrincipal,
  userPrincipal,
} from "../auth.ts";
import { LoginThrottle, type LoginThrottleOptions, PasswordGate } from "../login_throttle.ts";
import { ErrorBody } from "../schemas.ts";
import {
  clearedSessionCookie,
  parseLoginBody,
  parseSessionCookie,
  sessionCookie,
} from "../session_cookie.ts";
import { LoginBody, PasswordChange, PrincipalSchema, SessionStateSchema } from "../user_schemas.ts";
import type { RouteContext } from "./context.ts";
import { bearer, responses } from "./context.ts";

export interface SessionOptions {
  /** Idle and absolute expiry and the sessions per owner (defaults: 12 h, 7 days, 20). */
  readonly limits?: Partial<SessionLimits>;
  readonly throttle?: LoginThrottleOptions;
  /** Between sweeps of expired sessions (default 1 h). */
  readonly sweepIntervalMs?: number;
}

const secure = (request: FastifyRequest): boolean => request.protocol === "https";

/** Runs `work`; a 429 it throws gets its Retry-After header. */
async function withRetryAfter<T>(reply: FastifyReply, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const retryAfter = isProvisioError(error) ? error.details?.retryAfter : undefined;
    if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
    throw error;
  }
}

export function sessionRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  options: SessionOptions = {},
): void {
  const { store } = ctx;
  const tags = ["sessions"];
  const throttle = new LoginThrottle(options.throttle);
  const gate = new PasswordGate();
  const open = async (request: FastifyRequest, reply: FastifyReply, owner: SessionOwner) => {
    const { secret } = await store.sessions.open(owner, options.limits);
    reply.header("set-cookie", sessionCookie(secret, secure(request)));
  };

  const sweep = setInterval(() => {
    store.sessions.prune().then(
      (deleted) => {
        if (deleted > 0) app.log.info({ deleted }, "expired sessions removed");
      },
      (error: unknown) => app.log.warn({ err: error }, "session sweep failed; will retry"),
    );
  }, options.sweepIntervalMs ?? 3_600_000);
  sweep.unref();
  app.addHook("onClose", async () => clearInterval(sweep));

  app.post(
    "/api/v1/session",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Sign in with a user name and password, or an API token; sets the session cookie",
        description:
          "Answers the principal and sets `provisio_session` (HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS). A wrong user name, password or token answers 401, always the same; 10 failures in 10 minutes from one address or for one user name answer 429 with Retry-After.",
        body: LoginBody,
        response: responses({ 200: PrincipalSchema, 429: ErrorBody }),
      },
    },
    async (request, reply) => {
      const login = parseLoginBody(request.body);
      // One source per IPv4 address or IPv6 /64: a host holds a whole /64 of addresses.
      const source = `src:${clientAddressKey(request.ip)}`;
      // The user name as the store compares it, so case and spaces do not make new keys.
      const name =
        login.kind === "password" ? `user:${login.username.trim().toLowerCase()}` : undefined;
      const keys = name === undefined ? [source] : [source, name];
      await withRetryAfter(reply, () => throttle.begin(keys));
      if (login.kind === "password") {
        const user = await withRetryAfter(reply, () =>
          gate.run(() => store.users.authenticate(login.username, login.password)),
        );
        if (user === null) {
          // The name only when it is a user's: a password typed into the name field stays out.
          const known = await store.users.findByUsername(login.username).catch(() => null);
          request.log.warn(
            { src: request.ip, ...(known === null ? { unknownUser: true } : { userId: known.id }) },
            "sign-in failed",
          );
          throw apiError("API_UNAUTHORIZED", "wrong user name or password");
        }
        throttle.succeed(keys, [name!]);
        await open(request, reply, { userId: user.id });
        await store.audit.append({
          actor: `user:${user.id}`,
          action: "session.open",
          entity: "user",
          key: user.id,
          tenantId: user.tenantId,
        });
        return principalJson(userPrincipal(user, null));
      }
      const token = await store.tokens.verify(login.token);
      if (token === null) {
        request.log.warn({ src: request.ip }, "sign-in with a token failed");
        throw apiError("API_UNAUTHORIZED", "the token is unknown or expired");
      }
      throttle.succeed(keys);
      await open(request, reply, { tokenId: token.id });
      await store.audit.append({
        actor: `token:${token.id}`,
        action: "session.open",
        entity: "token",
        key: token.id,
        tenantId: token.tenantId,
      });
      return principalJson(tokenPrincipal(token, null));
    },
  );

  app.get(
    "/api/v1/session",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Who is signed in: the session cookie's (or bearer token's) principal, or null",
        description:
          "Without a session, or with one that has ended, answers `{ principal: null }` (and clears an ended session's cookie): a browser asks this before it knows whether anyone is signed in. A bearer token that is wrong is still a 401.",
        security: bearer,
        response: responses({ 200: SessionStateSchema }),
      },
    },
    async (request, reply) => {
      const bearerSent = request.headers.authorization !== undefined;
      if (!bearerSent && parseSessionCookie(request.headers.cookie) === null) {
        return { principal: null };
      }
      try {
        return principalJson(await authenticate(store, request, "read"));
      } catch (error) {
        if (bearerSent || !isProvisioError(error) || error.code !== "API_UNAUTHORIZED") throw error;
        reply.header("set-cookie", clearedSessionCookie(secure(request)));
        return { principal: null };
      }
    },
  );

  app.delete(
    "/api/v1/session",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Sign out: ends the session and clears its cookie (204 even without one)",
        description: "With the session cookie, the X-Provisio-Request: 1 header is required.",
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const secret = parseSessionCookie(request.headers.cookie);
      if (secret !== null) {
        requireCsrfHeader(request);
        await store.sessions.close(secret);
      }
      reply.header("set-cookie", clearedSessionCookie(secure(request)));
      return reply.code(204).send();
    },
  );

  app.post<{ Body: PasswordChange }>(
    "/api/v1/session/password",
    {
      config: { access: "read" },
      schema: {
        tags,
        summary: "Change the signed-in user's own password (ends the user's other sessions)",
        security: bearer,
        body: PasswordChange,
        response: responses({ 204: Type.Null(), 429: ErrorBody }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind !== "user") {
        throw apiError("API_FORBIDDEN", "only a user has a password; a token has none to change");
      }
      const keys = [`user:${principal.name}`];
      await withRetryAfter(reply, () => throttle.begin(keys));
      const ok = await withRetryAfter(reply, () =>
        gate.run(() => store.users.checkPassword(principal.id, request.body.current)),
      );
      if (!ok) throw apiError("API_FORBIDDEN", "the current password is wrong");
      throttle.succeed(keys, keys);
      await store.users.update(
        principal.id,
        { password: request.body.new },
        {
          actor: principal.actor,
          ...(principal.session === null ? {} : { keepSession: principal.session }),
        },
      );
      return reply.code(204).send();
    },
  );
}
