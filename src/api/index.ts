/**
 * Public surface of the admin API module: the Fastify application (routes, schemas, bearer
 * tokens and roles). The services it shares with the CLI are in `admin/`.
 */
export { type AdminDeps, API_METRIC_NAMES, createAdminApp } from "./admin_app.ts";
export type { Access, Principal } from "./auth.ts";
export { type Operation, OperationRegistry } from "./operations.ts";
