/**
 * The HTTPS transport adapter: `node:https` with client certificates requested from every
 * device and verified against the trusted client CAs (the built-in device CA plus each
 * tenant's `trustedClientCas`). `rejectUnauthorized` is off on purpose: a device with an
 * untrusted or missing certificate still gets an HTTP answer (403 with a reason, or the
 * profile when its tenant does not require certificates) instead of a bare handshake failure.
 *
 * Versions and suites: `tls_parameters.ts` (TLS 1.2+, the units' RSA suites included; 1.0/1.1
 * with `legacy_tls`). Several certificates (RSA for the units, optionally ECDSA) are served
 * side by side, OpenSSL choosing per client hello. Resumption: `tls_sessions.ts`.
 * `updateTrust` swaps the secure context when tenants' CAs change, without a restart.
 */
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { type ClientCertificate, clientCertificateOf } from "./client_certificate.ts";
import { serverError } from "./errors.ts";
import {
  answerHalfClosed,
  closeIdleSockets,
  createDeviceRequestListener,
  type DeviceListenerOptions,
  recordParserRefusals,
  refuseTunnels,
  serverOptions,
} from "./http_adapter.ts";
import { tlsParameters } from "./tls_parameters.ts";
import {
  attachSessionCache,
  isTicketKeys,
  SESSION_LIFETIME_S,
  SessionCache,
  TicketKeyRotation,
} from "./tls_sessions.ts";

export interface TlsKeyPair {
  /** PEM server certificate (chain) and its key. */
  readonly cert: string;
  readonly key: string;
}

export interface TlsMaterial extends TlsKeyPair {
  /** More certificates of other key types (RSA and ECDSA side by side). */
  readonly alternates?: readonly TlsKeyPair[];
  /** PEM CA certificates trusted for client certificates. */
  readonly clientCas: readonly string[];
  /** Also accept TLS 1.0 and 1.1 (old firmware; weakens the listener, docs/security.md). */
  readonly legacyTls?: boolean;
  /**
   * Session-ticket keys (48 bytes) handed down by a primary process that rotates them for all
   * its workers (then call `setTicketKeys` on each rotation). Without them the listener
   * rotates its own.
   */
  readonly ticketKeys?: Buffer;
}

export interface HttpsServer {
  readonly server: Server;
  updateTrust(clientCas: readonly string[]): void;
  /** Replaces the session-ticket keys (48 bytes, from the primary's rotation). */
  setTicketKeys(keys: Buffer): void;
  /** Stops the listener's own ticket-key rotation (on close). */
  close(): void;
}

export function createHttpsServer(options: DeviceListenerOptions, tls: TlsMaterial): HttpsServer {
  let clientCas = tls.clientCas;
  const pairs = [tls, ...(tls.alternates ?? [])];
  // Built once: every secure context (start, trust updates) gets the same certificates.
  const identity = { cert: pairs.map((p) => p.cert), key: pairs.map((p) => p.key) };
  const certificateOf = (req: { socket: unknown }): ClientCertificate | undefined =>
    clientCertificateOf(req.socket as TLSSocket) ?? undefined;
  if (tls.ticketKeys !== undefined && !isTicketKeys(tls.ticketKeys)) {
    throw serverError("SERVER_CONFIG_INVALID", "TLS ticket keys must be 48 bytes");
  }
  const server = createServer(
    {
      ...serverOptions(options.limits),
      ...identity,
      ...tlsParameters(tls.legacyTls === true),
      ca: [...clientCas],
      requestCert: true,
      rejectUnauthorized: false,
      // Same in every worker, so a session from one is valid on another.
      sessionIdContext: "provisio-https",
      sessionTimeout: SESSION_LIFETIME_S,
      ...(tls.ticketKeys === undefined ? {} : { ticketKeys: tls.ticketKeys }),
      // Node's default, 120 s, lets a client that never finishes a handshake hold a socket.
      handshakeTimeout: options.limits.handshakeTimeoutMs,
    },
    createDeviceRequestListener("https", options, certificateOf),
  );
  refuseTunnels(server);
  recordParserRefusals(server, "https", options.handler);
  attachSessionCache(server, new SessionCache());
  const rotation =
    tls.ticketKeys === undefined
      ? new TicketKeyRotation((keys) => server.setTicketKeys(keys))
      : undefined;
  // Read the client certificate as soon as the handshake ends: besides caching it for the
  // socket, this clears OpenSSL's error queue, where a failed chain check (which the pipeline
  // decides on itself) would otherwise make the first read reset the connection.
  server.on("secureConnection", (socket: TLSSocket) => {
    clientCertificateOf(socket);
  });
  closeIdleSockets(server, options.limits);
  answerHalfClosed(server);
  // Handshake failures (scanners, wrong protocol) are the client's problem: log quietly.
  server.on("tlsClientError", (error) => {
    options.logger.debug({ err: error }, "TLS handshake failed");
  });
  server.on("close", () => rotation?.stop());
  return {
    server,
    updateTrust(next) {
      // Any tenant edit lands here; a new context would also drop every TLS session (all
      // devices back to full handshakes), so only a changed CA set swaps it.
      const same = next.length === clientCas.length && next.every((pem, i) => pem === clientCas[i]);
      if (same) return;
      clientCas = next;
      // setSecureContext keeps the server's ticket keys; versions and suites are set again.
      server.setSecureContext({
        ...identity,
        ...tlsParameters(tls.legacyTls === true),
        ca: [...clientCas],
        sessionIdContext: "provisio-https",
        sessionTimeout: SESSION_LIFETIME_S,
        ticketKeys: server.getTicketKeys(),
      });
    },
    setTicketKeys(keys) {
      if (!isTicketKeys(keys))
        throw serverError("SERVER_CONFIG_INVALID", "TLS ticket keys must be 48 bytes");
      rotation?.stop();
      server.setTicketKeys(keys);
    },
    close() {
      rotation?.stop();
    },
  };
}
