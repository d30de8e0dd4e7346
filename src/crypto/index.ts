/**
 * Public surface of the crypto library: profile envelopes (gzip, openssl-compatible
 * AES-256-CBC), secrets (generation, comparison, sealing at rest) and the device PKI.
 * Pure: node:crypto, node:zlib and @peculiar/x509 only; no logging, no global state.
 */

export {
  AES128GCM_CONTENT_ENCODING,
  AES128GCM_DEFAULT_RECORD_SIZE,
  AES128GCM_MIN_RECORD_SIZE,
  type Aes128gcmDecoded,
  type Aes128gcmDecodeOptions,
  type Aes128gcmEncodeOptions,
  type Aes128gcmIkm,
  decodeAes128gcm,
  encodeAes128gcm,
  parseAes128gcmHeader,
} from "./aes128gcm_encoding.ts";
export {
  type DeviceCertificateIdentity,
  parseDeviceCertificateIdentity,
} from "./certificate_identity.ts";
export {
  type CertificateAuthority,
  type CreateDeviceCaOptions,
  createDeviceCa,
  type IssueDeviceCertificateOptions,
  issueDeviceCertificate,
} from "./device_ca.ts";
export {
  type ContentCheck,
  type DecodedEnvelope,
  type DecodedProfile,
  type DecodeEnvelopeOptions,
  type DecodeProfileOptions,
  decodeEnvelope,
  decodeProfileBytes,
  detectEnvelope,
  type EncodeProfileOptions,
  type EnvelopeKind,
  type EnvelopeLayer,
  encodeProfileBytes,
  looksLikeUnsaltedCiphertext,
} from "./envelope.ts";
export { CRYPTO_ERRORS, CryptoErrorCode, cryptoError } from "./errors.ts";
export {
  DEFAULT_MAX_INFLATED_BYTES,
  type GunzipOptions,
  GZIP_MAGIC,
  type GzipOptions,
  gzipCompress,
  gzipDecompress,
  isGzip,
} from "./gzip_envelope.ts";
export {
  AES_BLOCK_BYTES,
  type DerivedKey,
  evpBytesToKey,
  isOpensslEnvelope,
  KDF_DIGESTS,
  type KdfDigest,
  OPENSSL_HEADER_BYTES,
  OPENSSL_MAGIC,
  OPENSSL_SALT_BYTES,
  type OpensslDecryptOptions,
  type OpensslEncryptOptions,
  type OpensslHeader,
  opensslDecrypt,
  opensslEncrypt,
  type Passphrase,
  parseOpensslEnvelope,
} from "./openssl_envelope.ts";
export {
  type CertificateInput,
  type CertificateWithKey,
  checkIssuedBy,
  DEFAULT_KEY_TYPE,
  type IssuedCertificate,
  type IssuerCheck,
  type IssuerCheckOptions,
  type KeyType,
  type ValidityOptions,
} from "./pki.ts";
export { looksLikeProfilePlaintext, looksLikeProfileSource } from "./plaintext_check.ts";
export {
  type GenerateOptions,
  generateDeviceKey,
  generateDirectoryName,
  generateMasterKey,
  generatePassphrase,
  type MasterKey,
  type MasterKeyRing,
  type MasterKeys,
  needsReseal,
  openSecret,
  openSecretBytes,
  parseMasterKey,
  type SealOptions,
  sealedKeyId,
  sealSecret,
  secretsEqual,
} from "./secret.ts";
export {
  type CreateServerCertificateOptions,
  createServerCertificate,
  DEFAULT_SERVER_KEY_TYPE,
} from "./server_certificate.ts";
export {
  ASCII_KEY_ITERATIONS,
  generateInstallationSecret,
  inspectSpcContainer,
  isSpcContainer,
  type MacTarget,
  macTargetShare,
  type OpenedSpcContainer,
  openSpcContainer,
  parseInstallationSecret,
  type RecipientKeyInput,
  type SealSpcOptions,
  SPC_CONTAINER_MAGIC,
  SPC_CONTAINER_VERSION,
  type SpcContainerInfo,
  type SpcContainerModes,
  type SpcOpener,
  sealSpcContainer,
} from "./spc_container.ts";
