/**
 * Records → JSON bodies. Secrets never leave: devices say `hasDeviceKey`, account lines say
 * `hasPassword`, tokens never carry their hash.
 */

import { defaultCatalogue } from "../profile/index.ts";
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
      allowUnknownParameters: t.settings.allowUnknownParameters,
      activationByUserAgent: t.settings.activationByUserAgent,
      staging: t.settings.staging,
      secureProvisioning: t.settings.secureProvisioning,
      keyRotationDays: t.settings.keyRotationDays,
      aes128gcmModels: [...t.settings.aes128gcmModels],
      brandAccent: t.settings.brandAccent,
      brandLogoText: t.settings.brandLogoText,
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
    fxsPorts: m.fxsPorts,
    lineKeys: m.lineKeys,
    factoryProfileRule: m.factoryProfileRule,
    builtIn: m.builtIn,
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
    lifecycle:
      d.lifecycle === null
        ? null
        : {
            state: d.lifecycle.state.toUpperCase(),
            since: iso(d.lifecycle.since),
            cause: d.lifecycle.cause,
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
      outboundProxy: l.outboundProxy,
      voicemailId: l.voicemailId,
      extras: { ...l.extras },
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

/**
 * A layer; a target without one yet is an empty layer at version 0. Values of secret
 * parameters (passwords, per the catalogue) are withheld unless `revealSecrets` (admins).
 */
export function layerJson(
  target: LayerTarget,
  layer: Layer | null,
  options: { revealSecrets?: boolean; isSecret?: (name: string) => boolean } = {},
) {
  const isSecret = options.isSecret ?? ((name: string) => defaultCatalogue.isSecret(name));
  return {
    key: layerKey(target),
    scope: target.scope,
    parameters: (layer?.parameters ?? []).map((p) => {
      const secret = p.value !== null && isSecret(p.name);
      return {
        name: p.name,
        value: secret && options.revealSecrets !== true ? null : p.value,
        access: p.access,
        secret,
      };
    }),
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
    before: redactLayerSnapshot(a.entity, a.before ?? null),
    after: redactLayerSnapshot(a.entity, a.after ?? null),
  };
}

/** Layer snapshots in the audit log (a parameter list): values of secret parameters are hidden. */
function redactLayerSnapshot(entity: string, snapshot: unknown): unknown {
  if (entity !== "layer" || snapshot === null || typeof snapshot !== "object") return snapshot;
  const redactList = (parameters: unknown[]) =>
    parameters.map((p: unknown) => {
      if (p === null || typeof p !== "object") return p;
      const { name, value } = p as { name?: unknown; value?: unknown };
      return typeof name === "string" &&
        typeof value === "string" &&
        defaultCatalogue.isSecret(name)
        ? { ...p, value: "[redacted]" }
        : p;
    });
  if (Array.isArray(snapshot)) return redactList(snapshot);
  const parameters = (snapshot as { parameters?: unknown }).parameters;
  return Array.isArray(parameters) ? { ...snapshot, parameters: redactList(parameters) } : snapshot;
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
