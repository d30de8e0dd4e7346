/** TFTP (RFC 1350, 2347, 2348, 2349, 7440): packets, server, client, resolvers. */

export { type AdmissionOptions, eventLoopUtilization } from "./admission.ts";
export {
  TftpClient,
  type TftpClientOptions,
  type TftpClientStats,
  type TftpGetOptions,
  type TftpGetResult,
  type TftpPutResult,
  tftpGet,
  tftpPut,
} from "./client.ts";
export { systemClock, type TftpClock } from "./clock.ts";
export {
  errorFromWire,
  TFTP_ERROR_TEXT,
  TFTP_ERRORS,
  type TftpError,
  TftpErrorCode,
  type TftpProvisioCode,
  tftpError,
} from "./errors.ts";
export { type NativeStatus, nativeEndpointStatus } from "./native_endpoint.ts";
export { NetasciiDecoder, netasciiDecode, netasciiEncode } from "./netascii.ts";
export {
  BLKSIZE_MAX,
  BLKSIZE_MIN,
  negotiateServerOptions,
  type RequestedOptions,
  type TransferParams,
  WINDOWSIZE_MAX,
} from "./options.ts";
export {
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodeRequest,
  Opcode,
  parsePacket,
  type TftpPacket,
  type TransferMode,
} from "./packet.ts";
export {
  startTftpServer,
  type TftpRejection,
  type TftpRemote,
  type TftpRequest,
  type TftpResolver,
  TftpServer,
  type TftpServerEvents,
  type TftpServerOptions,
  type TftpTransferInfo,
  type TftpTransferStats,
  type TftpUploadResolver,
  type TftpUploadTarget,
} from "./server.ts";
export { bytesSource, errorSource, fileSource, type TftpSource } from "./source.ts";
export {
  safeSegments,
  staticRootResolver,
  type UploadRootOptions,
  uploadRootResolver,
} from "./static_root.ts";
export type { TransferCounters, TransferOutcome } from "./transfer.ts";
