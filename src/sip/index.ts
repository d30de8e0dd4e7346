/**
 * Public surface of the SIP library (`src/sip`): the message codec, HTTP Digest for SIP
 * (RFC 2617 / 8760), the non-INVITE client transaction on an injected clock, and the UDP
 * NOTIFY client the push resync uses. No database, no logging, no global state.
 */
export {
  DEFAULT_SIP_TIMERS,
  NonInviteClientTransaction,
  type SipClock,
  type SipTimers,
  systemSipClock,
  type TransactionResult,
} from "./client_transaction.ts";
export {
  chooseChallenge,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestChallenge,
  type DigestCredentials,
  type DigestInput,
  digestAuthorization,
  digestResponse,
  parseDigestChallenge,
} from "./digest.ts";
export { SIP_ERRORS, type SipError, type SipErrorCode, sipError } from "./errors.ts";
export {
  isNotifyEvent,
  NOTIFY_EVENTS,
  type NotifyEvent,
  type NotifyOutcome,
  type NotifyRequest,
  type NotifyResult,
  type SipContact,
  SipUdpClient,
  type SipUdpClientOptions,
} from "./notify_client.ts";
export {
  headerKey,
  headerParam,
  headerValue,
  headerValues,
  MAX_SIP_HEADER_LINE,
  MAX_SIP_HEADERS,
  MAX_SIP_MESSAGE_BYTES,
  parseSipMessage,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  serializeSipMessage,
} from "./sip_message.ts";
