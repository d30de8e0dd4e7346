import { isProvisioError } from "../errors.ts";
import { validatePathPattern } from "../rules/index.ts";
import { parseCaBundle } from "./client_ca.ts";
import { storeError } from "./errors.ts";
import {
  DEFAULT_TENANT_SETTINGS,
  ENCRYPTION_MODES,
  type EncryptionMode,
  MAX_KEY_ROTATION_DAYS,
  SECURE_PROVISIONING_MODES,
  type SecureProvisioningMode,
  type TenantSettings,
} from "./types.ts";

const KEYS = new Set(Object.keys(DEFAULT_TENANT_SETTINGS));
const MAX_PATHS = 32;
const MAX_CAS = 32;
const MAX_MODELS = 256;

function bad(message: string, field: string): never {
  throw storeError("STORE_INVALID_SETTINGS", `tenant settings: ${message}`, { field });
}

function strings(value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value) || value.length > max || value.some((v) => typeof v !== "string")) {
    bad(`${field} must be a list of at most ${max} texts`, field);
  }
  return [...(value as string[])];
}

function parsePaths(value: unknown, strict: boolean): string[] {
  const paths = strings(value, "profilePaths", MAX_PATHS);
  for (const path of paths) {
    if (!path.startsWith("/") || path.length > 255 || /\s/.test(path)) {
      bad(
        `profile path ${JSON.stringify(path)} must start with "/" and hold no spaces`,
        "profilePaths",
      );
    }
    // Written patterns must compile (and refuse touching macros) now, not fail per request.
    if (strict) {
      try {
        validatePathPattern(path);
      } catch (error) {
        if (!isProvisioError(error)) throw error;
        bad(error.message, "profilePaths");
      }
    }
  }
  if (new Set(paths).size !== paths.length) bad("profile paths must be unique", "profilePaths");
  return paths;
}

function parseCas(value: unknown, strict: boolean): string[] {
  const cas = strings(value, "trustedClientCas", MAX_CAS);
  cas.forEach((pem, index) => {
    // Exactly PEM "CERTIFICATE" blocks of CA certificates, each readable: see client_ca.ts.
    if (strict && pem.length <= 65_536) parseCaBundle(pem, index);
    if (!pem.includes("-----BEGIN CERTIFICATE-----") || pem.length > 65_536) {
      bad("trustedClientCas must hold PEM certificates", "trustedClientCas");
    }
  });
  return cas;
}

function parseModels(value: unknown): string[] {
  const models = strings(value, "aes128gcmModels", MAX_MODELS);
  for (const pn of models) {
    if (pn === "" || pn.length > 64)
      bad("aes128gcmModels must hold product names", "aes128gcmModels");
  }
  return [...new Set(models)];
}

function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") bad(`${field} must be true or false`, field);
  return value;
}

function parseEncryption(value: unknown): EncryptionMode {
  if (!(ENCRYPTION_MODES as readonly unknown[]).includes(value)) {
    bad(`encryption must be one of ${ENCRYPTION_MODES.join(", ")}`, "encryption");
  }
  return value as EncryptionMode;
}

function parseSecureProvisioning(value: unknown): SecureProvisioningMode {
  if (!(SECURE_PROVISIONING_MODES as readonly unknown[]).includes(value)) {
    bad(
      `secureProvisioning must be one of ${SECURE_PROVISIONING_MODES.join(", ")}`,
      "secureProvisioning",
    );
  }
  return value as SecureProvisioningMode;
}

function parseRotationDays(value: unknown): number {
  if (
    !Number.isInteger(value) ||
    (value as number) < 0 ||
    (value as number) > MAX_KEY_ROTATION_DAYS
  ) {
    bad(
      `keyRotationDays must be a whole number from 0 to ${MAX_KEY_ROTATION_DAYS}`,
      "keyRotationDays",
    );
  }
  return value as number;
}

/** A colour the activation page can use as its accent: `#rrggbb` only (no CSS beyond it). */
const BRAND_ACCENT = /^#[0-9a-fA-F]{6}$/;
/** Longest logo text on the activation page. */
const MAX_BRAND_LOGO_TEXT = 40;

function parseAccent(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || !BRAND_ACCENT.test(value)) {
    bad("brandAccent must be a colour #rrggbb, or null", "brandAccent");
  }
  return value.toLowerCase();
}

function parseLogoText(value: unknown): string | null {
  if (value === null) return null;
  if (
    typeof value !== "string" ||
    value.trim() === "" ||
    value.length > MAX_BRAND_LOGO_TEXT ||
    // Shown as text (never markup), but control and formatting characters have no place in it.
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(value)
  ) {
    bad(
      `brandLogoText must be 1 to ${MAX_BRAND_LOGO_TEXT} printable characters, or null`,
      "brandLogoText",
    );
  }
  return value.trim();
}

/**
 * Applies a (partial) settings object over `base`. Input from users is `strict`: unknown keys
 * are refused (a typo must not pass silently). Rows read back are parsed leniently (unknown
 * keys from a newer version are ignored, missing ones take defaults).
 */
export function parseTenantSettings(
  input: unknown,
  base: TenantSettings = DEFAULT_TENANT_SETTINGS,
  strict = true,
): TenantSettings {
  if (input === undefined || input === null) return base;
  if (typeof input !== "object" || Array.isArray(input)) bad("must be an object", "settings");
  const record = input as Record<string, unknown>;
  if (strict) {
    for (const key of Object.keys(record)) {
      if (!KEYS.has(key)) bad(`unknown setting ${JSON.stringify(key)}`, key);
    }
  }
  const pick = <T>(key: keyof TenantSettings, parse: (v: unknown) => T, fallback: T): T =>
    record[key] === undefined ? fallback : parse(record[key]);
  return {
    profilePaths: pick("profilePaths", (v) => parsePaths(v, strict), base.profilePaths),
    requireClientCert: pick(
      "requireClientCert",
      (v) => parseBoolean(v, "requireClientCert"),
      base.requireClientCert,
    ),
    autoCreate: pick("autoCreate", (v) => parseBoolean(v, "autoCreate"), base.autoCreate),
    trustedClientCas: pick("trustedClientCas", (v) => parseCas(v, strict), base.trustedClientCas),
    encryption: pick("encryption", parseEncryption, base.encryption),
    allowUnknownParameters: pick(
      "allowUnknownParameters",
      (v) => parseBoolean(v, "allowUnknownParameters"),
      base.allowUnknownParameters,
    ),
    activationByUserAgent: pick(
      "activationByUserAgent",
      (v) => parseBoolean(v, "activationByUserAgent"),
      base.activationByUserAgent,
    ),
    staging: pick("staging", (v) => parseBoolean(v, "staging"), base.staging),
    secureProvisioning: pick(
      "secureProvisioning",
      parseSecureProvisioning,
      base.secureProvisioning,
    ),
    keyRotationDays: pick("keyRotationDays", parseRotationDays, base.keyRotationDays),
    aes128gcmModels: pick("aes128gcmModels", parseModels, base.aes128gcmModels),
    brandAccent: pick("brandAccent", parseAccent, base.brandAccent),
    brandLogoText: pick("brandLogoText", parseLogoText, base.brandLogoText),
  };
}

/** Parses the JSON column. */
export function readTenantSettings(json: string): TenantSettings {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw storeError("STORE_CORRUPT", "tenant settings column is not JSON", undefined, error);
  }
  return parseTenantSettings(value, DEFAULT_TENANT_SETTINGS, false);
}
