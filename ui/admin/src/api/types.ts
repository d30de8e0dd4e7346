/**
 * The API's record shapes, taken from the server's own schemas (type-only: nothing of the
 * server is bundled), so the UI and the OpenAPI document cannot drift apart.
 */
import type { Static } from "@sinclair/typebox";
import type {
  AccountSchema,
  AuditSchema,
  DeviceSchema,
  DeviceSearchPage as DeviceSearchPageSchema,
  EffectiveConfigSchema,
  EventSchema,
  GroupSchema,
  LayerSchema,
  ModelSchema,
  OperationSchema,
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
