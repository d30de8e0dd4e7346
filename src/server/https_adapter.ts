/**
 * The HTTPS transport adapter: `node:https` with client certificates requested from every
 * device and verified against the trusted client CAs (the built-in device CA plus each
 * tenant's `trustedClientCas`). `rejectUnauthorized` is off on purpose: a device with an
 * untrusted or missing certificate still gets an HTTP answer (403 with a reason, or the
 * profile when its tenant does not require certificates) instead of a bare handshake failure.
 *
 * TLS 1.2+ (spec §8.3.2: Provisio uses modern TLS between its own server and emulator).
 * `updateTrust` swaps the secure context when tenants' CAs change, without a restart.
 */
import { createServer, type Server } from "node:https";
import type { TLSSocket } from "node:tls";
import { type ClientCertificate, clientCertificateOf } from "./client_certificate.ts";
import {
  closeIdleSockets,
  createDeviceRequestListener,
  type DeviceListenerOptions,
  refuseTunnels,
  serverOptions,
} from "./http_adapter.ts";

export interface TlsMaterial {
  /** PEM server certificate (chain) and key. */
  readonly cert: string;
  readonly key: string;
  /** PEM CA certificates trusted for client certificates. */
  readonly clientCas: readonly string[];
}

export interface HttpsServer {
  readonly server: Server;
  updateTrust(clientCas: readonly string[]): void;
}

export function createHttpsServer(options: DeviceListenerOptions, tls: TlsMaterial): HttpsServer {
  let material = tls;
  const certificateOf = (req: { socket: unknown }): ClientCertificate | undefined =>
    clientCertificateOf(req.socket as TLSSocket) ?? undefined;
  const server = createServer(
    {
      ...serverOptions(options.limits),
      cert: tls.cert,
      key: tls.key,
      ca: [...tls.clientCas],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
      sessionTimeout: 300,
      // Node's default, 120 s, lets a client that never finishes a handshake hold a socket.
      handshakeTimeout: options.limits.handshakeTimeoutMs,
    },
    createDeviceRequestListener("https", options, certificateOf),
  );
  refuseTunnels(server);
  // Read the client certificate as soon as the handshake ends: besides caching it for the
  // socket, this clears OpenSSL's error queue, where a failed chain check (which the pipeline
  // decides on itself) would otherwise make the first read reset the connection.
  server.on("secureConnection", (socket: TLSSocket) => {
    clientCertificateOf(socket);
  });
  closeIdleSockets(server, options.limits);
  // Handshake failures (scanners, wrong protocol) are the client's problem: log quietly.
  server.on("tlsClientError", (error) => {
    options.logger.debug({ err: error }, "TLS handshake failed");
  });
  return {
    server,
    updateTrust(clientCas) {
      // Any tenant edit lands here; a new context would also drop every TLS session (all
      // devices back to full handshakes), so only a changed CA set swaps it.
      const same =
        clientCas.length === material.clientCas.length &&
        clientCas.every((pem, i) => pem === material.clientCas[i]);
      if (same) return;
      material = { ...material, clientCas };
      server.setSecureContext({ cert: material.cert, key: material.key, ca: [...clientCas] });
    },
  };
}
