/**
 * Password hashes for admin users: scrypt from `node:crypto` with a 16-byte random salt per
 * user, stored as one self-describing string
 *
 *   $scrypt$ln=15,r=8,p=3$<salt, base64>$<hash, base64>
 *
 * (the PHC string format: `ln` is log2 of N). Verification reads the parameters from the string,
 * so they can be raised later: a hash made with other parameters than `PASSWORD_PARAMETERS`
 * still verifies and `needsRehash` says to replace it at the next login. The comparison is
 * constant-time. Parameters and their cost on this project's machine: docs/decisions.md D39.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { invalid } from "./errors.ts";

export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation (computed sequentially by Node: time, not memory). */
  readonly p: number;
}

/** OWASP's scrypt equivalent of N=2^17,p=1 at a quarter of the memory: 32 MiB a hash. */
export const PASSWORD_PARAMETERS: ScryptParameters = { ln: 15, r: 8, p: 3 };

/** Shortest password accepted, in characters (a passphrase, not a PIN). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted, in UTF-8 bytes (scrypt hashes any length; this bounds the work). */
export const MAX_PASSWORD_BYTES = 1024;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Parameters outside these bounds are refused when read back (a tampered row cannot DoS). */
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;
const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Refuses a password outside the policy (`STORE_INVALID_INPUT`); never echoes it. */
export function checkPasswordPolicy(password: unknown, field = "password"): string {
  if (typeof password !== "string" || [...password].length < MIN_PASSWORD_LENGTH) {
    throw invalid(`${field} must be at least ${MIN_PASSWORD_LENGTH} characters`, { field });
  }
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
    throw invalid(`${field} must be at most ${MAX_PASSWORD_BYTES} bytes`, { field });
  }
  return password;
}

/**
 * Hashes running at once in this process; the rest wait their turn here. scrypt runs on
 * libuv's thread pool (four threads), which file reads, zlib and DNS share: unbounded, a burst
 * of user creations or password changes (an admin's, for any tenant) filled the pool, and the
 * device plane's firmware reads and gzip profiles waited behind every queued hash.
 */
const CONCURRENT_HASHES = 2;
let hashing = 0;
const waitingHashes: (() => void)[] = [];

async function derive(
  password: string,
  salt: Buffer,
  params: ScryptParameters,
  keyBytes = KEY_BYTES,
): Promise<Buffer> {
  if (hashing >= CONCURRENT_HASHES) {
    await new Promise<void>((resolve) => waitingHashes.push(resolve));
  } else {
    hashing++;
  }
  try {
    return await scryptKey(password, salt, params, keyBytes);
  } finally {
    const next = waitingHashes.shift();
    if (next !== undefined) next();
    else hashing--;
  }
}

function scryptKey(
  password: string,
  salt: Buffer,
  params: ScryptParameters,
  keyBytes: number,
): Promise<Buffer> {
  const N = 2 ** params.ln;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      keyBytes,
      // maxmem: the 128·N·r bytes scrypt needs, plus room for its bookkeeping.
      { N, r: params.r, p: params.p, maxmem: 128 * N * params.r + 16 * 1024 * 1024 },
      (error, key) => (error === null ? resolve(key) : reject(error)),
    );
  });
}

/** A new hash string for the password (which must already have passed the policy). */
export async function hashPassword(
  password: string,
  params: ScryptParameters = PASSWORD_PARAMETERS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface ParsedHash {
  readonly params: ScryptParameters;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const m = FORMAT.exec(stored);
  if (m === null) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  for (const name of ["ln", "r", "p"] as const) {
    const [min, max] = LIMITS[name];
    if (params[name] < min || params[name] > max) return null;
  }
  const key = Buffer.from(m[5]!, "base64");
  if (key.length < 16 || key.length > 64) return null;
  return { params, salt: Buffer.from(m[4]!, "base64"), key };
}

/** A hash no password matches, with the current parameters: the work done for unknown users. */
let decoy: Promise<string> | undefined;

/**
 * Whether the password matches the stored hash. `stored: null` (no such user) does the same
 * scrypt work against a decoy and answers false, so the time does not tell whether a user
 * exists. A malformed stored hash answers false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(24).toString("base64"));
  const parsed = parseHash(stored ?? (await decoy));
  if (parsed === null) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key) && stored !== null;
}

/** Whether a stored hash was made with other parameters than today's (replace it at login). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (parsed === null) return true;
  const p = parsed.params;
  return (
    p.ln !== PASSWORD_PARAMETERS.ln ||
    p.r !== PASSWORD_PARAMETERS.r ||
    p.p !== PASSWORD_PARAMETERS.p
  );
}
