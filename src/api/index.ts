/**
 * Public surface of the admin API module: the Fastify application (routes, schemas, bearer
 * tokens, users and sessions, roles). The services it shares with the CLI are in `admin/`.
 */
export { type AdminDeps, API_METRIC_NAMES, createAdminApp } from "./admin_app.ts";
export type { Access, Principal } from "./auth.ts";
export { LoginThrottle, type LoginThrottleOptions } from "./login_throttle.ts";
export { type Operation, OperationRegistry } from "./operations.ts";
export type { SessionOptions } from "./routes/session_routes.ts";
export {
  CSRF_HEADER,
  type LoginRequest,
  parseLoginBody,
  parseSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
} from "./session_cookie.ts";
