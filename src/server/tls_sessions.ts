/**
 * TLS session resumption for the HTTPS listener: session tickets under rotated keys, and
 * session IDs kept in a bounded in-memory cache.
 *
 * A resumed handshake skips the server's RSA operation and the client-certificate chain,
 * which is most of a full handshake's cost. Ticket keys are 48 random bytes (Node's format:
 * 16 name, 16 HMAC, 16 AES) replaced every {@link TICKET_KEY_ROTATION_MS}. Node's TLS keeps
 * one ticket key per context, so a ticket issued under the previous key is answered with a
 * full handshake (not a failure); with tickets living {@link SESSION_LIFETIME_S} that touches
 * only sessions made in the last minutes before a rotation. Processes serving one listener
 * must hold the same key for a ticket from one to resume on another: the primary makes the
 * keys ({@link TicketKeyRotation}) and hands them to each worker's `setTicketKeys`.
 * Session IDs are per process (a device coming back to another worker does a full handshake).
 */
import { randomBytes } from "node:crypto";

export const TICKET_KEY_BYTES = 48;
export const TICKET_KEY_ROTATION_MS = 12 * 60 * 60 * 1000;
/** Lifetime of a session (ID or ticket), seconds. */
export const SESSION_LIFETIME_S = 300;
/** Sessions kept per process for ID resumption (each ~2–3 KB with the client certificate). */
export const MAX_CACHED_SESSIONS = 10_000;

/** Fresh ticket keys for `tls.Server#setTicketKeys`. */
export function newTicketKeys(): Buffer {
  return randomBytes(TICKET_KEY_BYTES);
}

/** True for a buffer `setTicketKeys` accepts. */
export function isTicketKeys(keys: unknown): keys is Buffer {
  return Buffer.isBuffer(keys) && keys.length === TICKET_KEY_BYTES;
}

/**
 * Makes new ticket keys now and every `intervalMs`, handing each set to `onKeys` (the local
 * listener, or the primary's broadcast to its workers). The timer does not keep the process up.
 */
export class TicketKeyRotation {
  #keys: Buffer;
  readonly #timer: NodeJS.Timeout;

  constructor(onKeys: (keys: Buffer) => void, intervalMs: number = TICKET_KEY_ROTATION_MS) {
    this.#keys = newTicketKeys();
    onKeys(this.#keys);
    this.#timer = setInterval(() => {
      this.#keys = newTicketKeys();
      onKeys(this.#keys);
    }, intervalMs);
    this.#timer.unref();
  }

  /** The keys in use (for a worker that starts between two rotations). */
  get current(): Buffer {
    return this.#keys;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

interface CachedSession {
  readonly data: Buffer;
  readonly expires: number;
}

/**
 * Session-ID cache, least recently stored dropped first. Wire it to a TLS server's
 * `newSession` / `resumeSession` events ({@link attachSessionCache}).
 */
export class SessionCache {
  readonly #sessions = new Map<string, CachedSession>();
  readonly #max: number;
  readonly #lifetimeMs: number;
  readonly #now: () => number;

  constructor(options: { max?: number; lifetimeS?: number; now?: () => number } = {}) {
    this.#max = options.max ?? MAX_CACHED_SESSIONS;
    this.#lifetimeMs = (options.lifetimeS ?? SESSION_LIFETIME_S) * 1000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  store(id: Buffer, data: Buffer): void {
    const key = id.toString("hex");
    this.#sessions.delete(key);
    if (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done !== true) this.#sessions.delete(oldest.value);
    }
    this.#sessions.set(key, { data, expires: this.#now() + this.#lifetimeMs });
  }

  find(id: Buffer): Buffer | undefined {
    const key = id.toString("hex");
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    if (session.expires <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return session.data;
  }
}

interface SessionEvents {
  on(event: "newSession", listener: (id: Buffer, data: Buffer, done: () => void) => void): unknown;
  on(
    event: "resumeSession",
    listener: (id: Buffer, done: (error: Error | null, data: Buffer | null) => void) => void,
  ): unknown;
}

const TLS1_3 = 0x0304;

/**
 * The protocol version inside a serialized session (OpenSSL's SSL_SESSION: a SEQUENCE whose
 * second INTEGER is the version), or undefined when it does not read as one.
 */
export function sessionProtocol(data: Buffer): number | undefined {
  if (data[0] !== 0x30 || data.length < 8) return undefined;
  let at = 2;
  const length = data[1]!;
  if (length & 0x80) at += length & 0x7f;
  // version INTEGER 1, then ssl_version INTEGER
  if (data[at] !== 0x02 || data[at + 1] !== 0x01) return undefined;
  at += 3;
  if (data[at] !== 0x02) return undefined;
  const size = data[at + 1]!;
  if (size < 1 || size > 4 || at + 2 + size > data.length) return undefined;
  let version = 0;
  for (let i = 0; i < size; i++) version = version * 256 + data[at + 2 + i]!;
  return version;
}

/**
 * TLS 1.3 sessions are not kept: that protocol resumes from tickets only (OpenSSL still
 * reports each ticket it issues as a new session, two per connection, which would otherwise
 * push the TLS 1.2 sessions out of the cache).
 */
export function attachSessionCache(server: SessionEvents, cache: SessionCache): void {
  server.on("newSession", (id, data, done) => {
    if (sessionProtocol(data) !== TLS1_3) cache.store(id, data);
    done();
  });
  server.on("resumeSession", (id, done) => {
    done(null, cache.find(id) ?? null);
  });
}
