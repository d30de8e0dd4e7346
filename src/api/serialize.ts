/**
 * Records → JSON bodies. Secrets never leave: devices say `hasDeviceKey`, account lines say
 * `hasPassword`, tokens never carry their hash.
 */
import type {
  Account,
  ApiToken,
  AuditEntry,
  Device,
  DeviceModel,
  Group,
  Layer,
  LayerTarget,
  ResyncEvent,
  Tenant,
} from "../store/index.ts";
import { layerKey } from "../store/index.ts";

const iso = (d: Date): string => d.toISOString();

export function tenantJson(t: Tenant) {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    settings: {
      profilePaths: [...t.settings.profilePaths],
      requireClientCert: t.settings.requireClientCert,
      autoCreate: t.settings.autoCreate,
      trustedClientCas: [...t.settings.trustedClientCas],
      encryption: t.settings.encryption,
    },
    version: t.version,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function modelJson(m: DeviceModel) {
  return {
    pn: m.pn,
    psn: m.psn,
    family: m.family,
    description: m.description,
    lines: m.lines,
    version: m.version,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}

export function deviceJson(d: Device) {
  return {
    mac: d.mac,
    tenantId: d.tenantId,
    model: d.modelPn,
    serial: d.serial,
    accountId: d.accountId,
    groupId: d.groupId,
    label: d.label,
    state: d.state,
    encryption: d.encryption,
    certSubject: d.certSubject,
    certFingerprint: d.certFingerprint,
    hasDeviceKey: d.deviceKey !== null,
    version: d.version,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    status:
      d.status === null
        ? null
        : {
            at: iso(d.status.at),
            remoteAddress: d.status.remoteAddress,
            userAgent: d.status.userAgent,
            firmware: d.status.firmware,
            result: d.status.result,
            transport: d.status.transport,
          },
  };
}

export function accountJson(a: Account) {
  return {
    id: a.id,
    tenantId: a.tenantId,
    reference: a.reference,
    name: a.name,
    lines: a.lines.map((l) => ({
      line: l.line,
      userId: l.userId,
      authId: l.authId,
      displayName: l.displayName,
      proxy: l.proxy,
      hasPassword: l.password !== null,
    })),
    version: a.version,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

export function groupJson(g: Group) {
  return {
    id: g.id,
    tenantId: g.tenantId,
    name: g.name,
    description: g.description,
    version: g.version,
    createdAt: iso(g.createdAt),
    updatedAt: iso(g.updatedAt),
  };
}

/** A layer; a target without one yet is an empty layer at version 0. */
export function layerJson(target: LayerTarget, layer: Layer | null) {
  return {
    key: layerKey(target),
    scope: target.scope,
    parameters: (layer?.parameters ?? []).map((p) => ({
      name: p.name,
      value: p.value,
      access: p.access,
    })),
    version: layer?.version ?? 0,
    updatedAt: layer === null ? null : iso(layer.updatedAt),
  };
}

export function eventJson(e: ResyncEvent) {
  return {
    id: e.id,
    mac: e.mac,
    tenantId: e.tenantId,
    at: iso(e.at),
    transport: e.transport,
    result: e.result,
    statusCode: e.statusCode,
    path: e.path,
    bytes: e.bytes,
    durationMs: e.durationMs,
    remoteAddress: e.remoteAddress,
    userAgent: e.userAgent,
    message: e.message,
  };
}

export function auditJson(a: AuditEntry) {
  return {
    id: a.id,
    at: iso(a.at),
    actor: a.actor,
    action: a.action,
    entity: a.entity,
    key: a.key,
    tenantId: a.tenantId,
    before: a.before ?? null,
    after: a.after ?? null,
  };
}

export function tokenJson(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    tenantId: t.tenantId,
    createdAt: iso(t.createdAt),
    expiresAt: t.expiresAt === null ? null : iso(t.expiresAt),
  };
}
