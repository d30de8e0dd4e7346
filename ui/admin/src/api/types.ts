/**
 * The API's record shapes, taken from the server's own schemas (type-only: nothing of the
 * server is bundled), so the UI and the OpenAPI document cannot drift apart.
 */
import type { Static } from "@sinclair/typebox";
import type {
  AccountSchema,
  ActivationCodeSchema,
  AuditSchema,
  DeviceSchema,
  DeviceSearchPage as DeviceSearchPageSchema,
  EffectiveConfigSchema,
  EventSchema,
  GroupSchema,
  IssuedActivationCodeSchema,
  LayerSchema,
  ModelSchema,
  OperationSchema,
  TenantActivationCodeSchema,
  TenantSchema,
  TokenSchema,
} from "../../../../src/api/schemas.ts";

export type Tenant = Static<typeof TenantSchema>;
export type Device = Static<typeof DeviceSchema>;
export type Account = Static<typeof AccountSchema>;
export type Group = Static<typeof GroupSchema>;
export type Model = Static<typeof ModelSchema>;
export type Layer = Static<typeof LayerSchema>;
export type EffectiveConfig = Static<typeof EffectiveConfigSchema>;
export type DeviceEvent = Static<typeof EventSchema>;
export type AuditEntry = Static<typeof AuditSchema>;
export type Token = Static<typeof TokenSchema>;
export type DeviceSearchPage = Static<typeof DeviceSearchPageSchema>;
export type Operation = Static<typeof OperationSchema>;
export type ActivationCode = Static<typeof ActivationCodeSchema>;
export type TenantActivationCode = Static<typeof TenantActivationCodeSchema>;
export type IssuedActivationCode = Static<typeof IssuedActivationCodeSchema>;
/**
 * An admin user as `GET /api/v1/users` answers (src/api/user_schemas.ts UserSchema, written out
 * here: that module reads limits from the store, which the UI's type check must not pull in).
 */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly role: "admin" | "operator" | "read-only";
  readonly tenantId: string | null;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}
