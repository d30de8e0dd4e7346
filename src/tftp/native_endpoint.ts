/**
 * Loader and types for the native transfer endpoint (native/udp_endpoint.c): a UDP socket
 * polled by the Node event loop that reads with recvmmsg, hands ACKs to JavaScript as a
 * bare block number and sends runs of ring slots with one sendmmsg. It exists because
 * node:dgram's per-datagram cost (allocation, address object, event dispatch, JS send
 * path) made a lock-step transfer slower than tftpd-hpa (measured: see src/tftp/README).
 *
 * Built by scripts/build_native.mjs into build/udp_endpoint.node (on `npm ci`). Absent
 * (not Linux, no compiler) or disabled with PROVISIO_NATIVE=0, the server falls back to
 * node:dgram with identical behaviour.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { tftpError } from "./errors.ts";
import type { Presender } from "./transfer.ts";

/** The lock-step chain (`setRing`, `arm`, `drain`, `disarm`) is the sender's Presender
 * (transfer.ts), implemented in C. */
export interface NativeEndpoint extends Presender {
  readonly localPort: number;
  /** False when the address cannot be used (then use node:dgram for this transfer). */
  setPeer(address: string, port: number): boolean;
  /** Bytes sent, or -errno (the datagram is dropped, as UDP may). */
  send(packet: Buffer): number;
  sendTo(packet: Buffer, address: string, port: number): number;
  /** Sends DATA packets for slots (first + k) % slots, k < count: 4 header bytes at
   * slot × 4 + `blksize` payload bytes at slot × blksize (`tail` for the last); returns
   * how many went out. */
  sendSlots(
    headers: Buffer,
    payloads: Buffer,
    first: number,
    count: number,
    slots: number,
    blksize: number,
    tail: number,
  ): number;
  close(): void;
}

export interface NativeEndpointConstructor {
  new (
    family: 4 | 6,
    bindAddress: string,
    /** A 4-byte ACK from the peer (`answered` 0), or `answered` ACKs up to `block` that
     * the armed chain answered; null: ACKs arrive through onPeer. */
    onAck: ((block: number, answered: number) => void) | null,
    onPeer: (packet: Buffer) => void,
    onForeign: (packet: Buffer, address: string, port: number) => void,
    onError: (message: string) => void,
  ): NativeEndpoint;
}

export interface NativeStatus {
  readonly loaded: boolean;
  /** Why not, when not loaded. */
  readonly reason?: string;
  readonly path?: string;
}

let cached: { Endpoint: NativeEndpointConstructor | undefined; status: NativeStatus } | undefined;

/** Candidate locations: from src/tftp/ (sources) and from dist/ (the bundle). */
function candidates(): string[] {
  return ["../../build/udp_endpoint.node", "../build/udp_endpoint.node"].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
}

function load(): { Endpoint: NativeEndpointConstructor | undefined; status: NativeStatus } {
  if (process.env.PROVISIO_NATIVE === "0")
    return { Endpoint: undefined, status: { loaded: false, reason: "PROVISIO_NATIVE=0" } };
  if (process.platform !== "linux")
    return { Endpoint: undefined, status: { loaded: false, reason: `${process.platform}` } };
  const path = candidates().find((p) => existsSync(p));
  if (!path) {
    return {
      Endpoint: undefined,
      status: { loaded: false, reason: "build/udp_endpoint.node not built" },
    };
  }
  try {
    const binding = createRequire(import.meta.url)(path) as { Endpoint?: unknown };
    if (typeof binding.Endpoint !== "function")
      throw tftpError("TFTP_NATIVE_UNAVAILABLE", "no Endpoint export");
    return {
      Endpoint: binding.Endpoint as NativeEndpointConstructor,
      status: { loaded: true, path },
    };
  } catch (error) {
    return {
      Endpoint: undefined,
      status: { loaded: false, reason: (error as Error).message, path },
    };
  }
}

/** The native endpoint class, or undefined (see nativeEndpointStatus for why). */
export function nativeEndpoint(): NativeEndpointConstructor | undefined {
  cached ??= load();
  return cached.Endpoint;
}

export function nativeEndpointStatus(): NativeStatus {
  cached ??= load();
  return cached.status;
}
