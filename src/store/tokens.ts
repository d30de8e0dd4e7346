import { createHash, randomBytes } from "node:crypto";

/** SHA-256 (lower-case hex) of a bearer token: what the store keeps. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new bearer token: `pvo_` + 32 random bytes, base64url. */
export function generateToken(): string {
  return `pvo_${randomBytes(32).toString("base64url")}`;
}
