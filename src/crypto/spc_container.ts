import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  hkdfSync,
  type KeyObject,
  pbkdf2Sync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  timingSafeEqual,
  X509Certificate,
} from "node:crypto";
import { isProvisioError } from "../errors.ts";
import { tryParseMac } from "../mac_address.ts";
import { CryptoErrorCode, cryptoError } from "./errors.ts";

/**
 * The Provisio SPC container: SPC's semantics (generic, scrambled, targeted to one device,
 * explicit-key AES, combinable), Provisio's own framing — the real SPC binary layout is
 * undocumented, so this format is not byte-compatible with Cisco's tool. Layout (version 1),
 * all integers big-endian:
 *
 *   0   8  magic "PRVSPC1\0"
 *   8   1  version = 1
 *   9   1  mode flags: 0x01 scrambled, 0x02 targeted by MAC, 0x04 targeted by certificate,
 *          0x08 ASCII key, 0x10 hex key (0x08 and 0x10 exclusive; other bits must be 0)
 *   10 16  salt (random per file)
 *   [0x02]  8  MAC check: HMAC-SHA256(macShare, "provisio mac check v1")[0..8]
 *   [0x04]  1  recipient kind: 1 ECDH P-256, 2 ECDH P-384, 3 ECDH P-521, 4 RSA-OAEP-SHA256
 *           8  recipient id: SHA-256(DER SubjectPublicKeyInfo of the device key)[0..8]
 *           ECDH: ephemeral public point, uncompressed (65 / 97 / 133 bytes)
 *           RSA:  2-byte length n, then n bytes of OAEP(SHA-256) ciphertext of a 32-byte share
 *   then    with a key mode: AES-256-GCM ciphertext ‖ 16-byte tag, the header above as AAD;
 *           generic (no flag): the payload in clear ‖ 16-byte HMAC-SHA256 tag (integrity only).
 *
 * Key schedule: every mode contributes a share; ikm = for each mode present, in the order
 * scramble, MAC, certificate, key: id (1 byte) ‖ length (2 bytes) ‖ share;
 * key ‖ nonce = HKDF-SHA256(ikm, salt, "provisio spc container v1", 44). Shares:
 * - scrambled: the public constant "provisio scramble v1" (obfuscation, not secrecy);
 * - MAC: HMAC-SHA256(installation secret, "provisio target mac v1\0" ‖ 12 lower-case hex);
 * - certificate, ECDH: HKDF-SHA256(Z, salt, "provisio target cert v1" ‖ point ‖ id, 32);
 *   RSA: the 32 random bytes the OAEP block carries;
 * - ASCII key: PBKDF2-SHA256(UTF-8 phrase, salt, 100,000, 32); hex key: the key bytes.
 * Generic: HMAC key = HKDF-SHA256("provisio generic v1", salt, same info, 32).
 *
 * Pure functions over bytes; every failure is a ProvisioError with a `CRYPTO_CONTAINER_*`
 * (or `CRYPTO_*`) code, whatever the input.
 */

export const SPC_CONTAINER_MAGIC: Readonly<Uint8Array> = Uint8Array.from(
  Buffer.from("PRVSPC1\0", "latin1"),
);
export const SPC_CONTAINER_VERSION = 1;

const FLAG_SCRAMBLE = 0x01;
const FLAG_TARGET_MAC = 0x02;
const FLAG_TARGET_CERT = 0x04;
const FLAG_KEY_ASCII = 0x08;
const FLAG_KEY_HEX = 0x10;
const KNOWN_FLAGS = 0x1f;
const SALT_BYTES = 16;
const TAG_BYTES = 16;
const CHECK_BYTES = 8;
const FIXED_HEADER_BYTES = 8 + 1 + 1 + SALT_BYTES;
const SHARE_BYTES = 32;
/** PBKDF2 iterations for `--ascii-key` phrases: fixed per version, so a file cannot ask for more. */
export const ASCII_KEY_ITERATIONS = 100_000;
/** An explicit hex key: 1 to 32 bytes (SPC: "up to 256 bits"). */
const MAX_HEX_KEY_BYTES = 32;
const MIN_INSTALLATION_SECRET_BYTES = 16;
const RSA_MIN_WRAP_BYTES = 128;
const RSA_MAX_WRAP_BYTES = 1024;

const INFO_CONTENT = Buffer.from("provisio spc container v1");
const SCRAMBLE_SHARE = Buffer.from("provisio scramble v1");
const GENERIC_IKM = Buffer.from("provisio generic v1");
const MAC_LABEL = Buffer.from("provisio target mac v1\0");
const MAC_CHECK_LABEL = Buffer.from("provisio mac check v1");
const CERT_INFO = Buffer.from("provisio target cert v1");

type EcCurve = "P-256" | "P-384" | "P-521";
const EC_KINDS: Record<EcCurve, { kind: number; node: string; pointBytes: number }> = {
  "P-256": { kind: 1, node: "prime256v1", pointBytes: 65 },
  "P-384": { kind: 2, node: "secp384r1", pointBytes: 97 },
  "P-521": { kind: 3, node: "secp521r1", pointBytes: 133 },
};
const RSA_KIND = 4;

/** Which SPC modes a container uses (any combination; none = generic). */
export interface SpcContainerModes {
  readonly scrambled: boolean;
  readonly targetMac: boolean;
  readonly targetCertificate: boolean;
  /** Explicit `--aes` key: how the device's `--key` string is read. */
  readonly key: "ascii" | "hex" | undefined;
}

/** What the header says, readable without any key. */
export interface SpcContainerInfo {
  readonly version: number;
  readonly modes: SpcContainerModes;
  /** Recipient key id (16 hex digits) of a certificate-targeted file. */
  readonly recipientKeyId: string | undefined;
  readonly recipientKind: "ec-p256" | "ec-p384" | "ec-p521" | "rsa-oaep" | undefined;
  /** Bytes of payload (plaintext) the file carries. */
  readonly payloadBytes: number;
}

export interface MacTarget {
  /** Any MAC spelling {@link tryParseMac} reads. */
  readonly mac: string;
  /** The installation's targeting secret (at least 16 bytes). */
  readonly installationSecret: Uint8Array;
}

/** A certificate (PEM or DER), a public key (PEM SPKI), or a node KeyObject. */
export type RecipientKeyInput = string | Uint8Array | KeyObject;

export interface SealSpcOptions {
  /** `--scramble [phrase]`: `true` or the phrase (the phrase only salts; devices do not need it). */
  readonly scramble?: boolean | string;
  /** `--target MAC`: only a device with this MAC and the installation secret opens it. */
  readonly targetMac?: MacTarget;
  /** `--target-cert FILE`: only the holder of this certificate's private key opens it. */
  readonly targetCertificate?: RecipientKeyInput;
  /** `--aes --ascii-key PHRASE`: the device's rule needs `[--key PHRASE]`. */
  readonly asciiKey?: string;
  /** `--aes --hex-key HEX` (2–64 hex digits): the device's rule needs `[--key HEX]`. */
  readonly hexKey?: string;
  /** Fixed 16-byte salt, for test vectors only. */
  readonly salt?: Uint8Array;
}

/** What the opening side knows: a device's identity, or an operator's keys. */
export interface SpcOpener {
  /** The device's MAC (for MAC-targeted files). */
  readonly mac?: string;
  /** The installation's targeting secret (for MAC-targeted files). */
  readonly installationSecret?: Uint8Array;
  /** The device's private key, PEM PKCS#8 / PKCS#1 / SEC1 or a KeyObject (certificate-targeted). */
  readonly privateKey?: string | KeyObject;
  /** The `--key` string of the rule (explicit-key files). */
  readonly key?: string;
}

export interface OpenedSpcContainer {
  readonly payload: Buffer;
  readonly info: SpcContainerInfo;
}

/** True when the bytes start with the container magic (how a device tells it apart). */
export function isSpcContainer(bytes: Uint8Array): boolean {
  if (bytes.length < SPC_CONTAINER_MAGIC.length) return false;
  for (let i = 0; i < SPC_CONTAINER_MAGIC.length; i++) {
    if (bytes[i] !== SPC_CONTAINER_MAGIC[i]) return false;
  }
  return true;
}

/** A fresh installation targeting secret: 32 random bytes, and the 64 hex digits stored. */
export function generateInstallationSecret(): { readonly bytes: Buffer; readonly text: string } {
  const bytes = randomBytes(32);
  return { bytes, text: bytes.toString("hex") };
}

/** The installation targeting secret from its stored text: 32 to 128 hex digits (16–64 bytes). */
export function parseInstallationSecret(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^(?:[0-9a-fA-F]{2}){16,64}$/.test(trimmed)) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      "the installation targeting secret must be 32 to 128 hex digits",
    );
  }
  return Buffer.from(trimmed, "hex");
}

/** The share a MAC-targeted file is keyed with (documented KDF above). */
export function macTargetShare(mac: string, installationSecret: Uint8Array): Buffer {
  const canonical = tryParseMac(mac);
  if (canonical === undefined) {
    throw cryptoError(CryptoErrorCode.MacInvalid, "target is not a MAC address (12 hex digits)");
  }
  if (installationSecret.length < MIN_INSTALLATION_SECRET_BYTES) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `the installation secret must be at least ${MIN_INSTALLATION_SECRET_BYTES} bytes`,
    );
  }
  return createHmac("sha256", installationSecret)
    .update(MAC_LABEL)
    .update(canonical, "ascii")
    .digest();
}

/** Seal profile bytes into a container. Random salt (and ephemeral key) unless fixed. */
export function sealSpcContainer(payload: Uint8Array, options: SealSpcOptions = {}): Buffer {
  if (options.asciiKey !== undefined && options.hexKey !== undefined) {
    throw cryptoError(CryptoErrorCode.OptionInvalid, "give --ascii-key or --hex-key, not both");
  }
  let salt: Buffer;
  if (options.salt !== undefined) {
    if (options.salt.length !== SALT_BYTES) {
      throw cryptoError(CryptoErrorCode.OptionInvalid, `salt must be ${SALT_BYTES} bytes`);
    }
    salt = Buffer.from(options.salt);
  } else if (typeof options.scramble === "string" && options.scramble !== "") {
    // SPC's "randomising argument": mixed into the salt, never needed to open.
    salt = createHmac("sha256", options.scramble)
      .update(randomBytes(SALT_BYTES))
      .digest()
      .subarray(0, SALT_BYTES);
  } else {
    salt = randomBytes(SALT_BYTES);
  }
  let flags = 0;
  const extra: Buffer[] = [];
  const shares: Array<[number, Buffer]> = [];
  if (options.scramble !== undefined && options.scramble !== false) {
    flags |= FLAG_SCRAMBLE;
    shares.push([FLAG_SCRAMBLE, SCRAMBLE_SHARE]);
  }
  if (options.targetMac !== undefined) {
    flags |= FLAG_TARGET_MAC;
    const share = macTargetShare(options.targetMac.mac, options.targetMac.installationSecret);
    extra.push(macCheck(share));
    shares.push([FLAG_TARGET_MAC, share]);
  }
  if (options.targetCertificate !== undefined) {
    flags |= FLAG_TARGET_CERT;
    const { block, share } = wrapForRecipient(recipientPublicKey(options.targetCertificate), salt);
    extra.push(block);
    shares.push([FLAG_TARGET_CERT, share]);
  }
  if (options.asciiKey !== undefined) {
    flags |= FLAG_KEY_ASCII;
    shares.push([FLAG_KEY_ASCII, asciiKeyShare(options.asciiKey, salt)]);
  }
  if (options.hexKey !== undefined) {
    flags |= FLAG_KEY_HEX;
    shares.push([FLAG_KEY_HEX, hexKeyShare(options.hexKey)]);
  }
  const header = Buffer.concat([
    SPC_CONTAINER_MAGIC,
    Buffer.from([SPC_CONTAINER_VERSION, flags]),
    salt,
    ...extra,
  ]);
  if (shares.length === 0) {
    const tag = genericTag(salt, header, payload);
    return Buffer.concat([header, payload, tag]);
  }
  const { key, nonce } = contentKey(shares, salt);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

interface ParsedHeader {
  readonly info: SpcContainerInfo;
  readonly flags: number;
  readonly salt: Buffer;
  readonly header: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
  readonly macCheck: Buffer | undefined;
  readonly recipientKind: number | undefined;
  readonly recipientId: Buffer | undefined;
  readonly recipientData: Buffer | undefined;
}

function malformed(message: string) {
  return cryptoError(CryptoErrorCode.ContainerMalformed, message);
}

function parseHeader(bytes: Uint8Array): ParsedHeader {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isSpcContainer(data)) throw malformed("not a Provisio SPC container (no PRVSPC1 magic)");
  if (data.length < FIXED_HEADER_BYTES + TAG_BYTES) throw malformed("container is truncated");
  const version = data[8]!;
  if (version !== SPC_CONTAINER_VERSION) {
    throw cryptoError(
      CryptoErrorCode.ContainerVersion,
      `container version ${version} is not supported (this build reads version ${SPC_CONTAINER_VERSION})`,
    );
  }
  const flags = data[9]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) throw malformed("container sets unknown mode flags");
  if ((flags & FLAG_KEY_ASCII) !== 0 && (flags & FLAG_KEY_HEX) !== 0) {
    throw malformed("container claims both an ASCII and a hex key");
  }
  const salt = data.subarray(10, FIXED_HEADER_BYTES);
  let at = FIXED_HEADER_BYTES;
  const need = (n: number) => {
    if (data.length - at < n + TAG_BYTES) throw malformed("container is truncated");
  };
  let check: Buffer | undefined;
  if ((flags & FLAG_TARGET_MAC) !== 0) {
    need(CHECK_BYTES);
    check = data.subarray(at, at + CHECK_BYTES);
    at += CHECK_BYTES;
  }
  let recipientKind: number | undefined;
  let recipientId: Buffer | undefined;
  let recipientData: Buffer | undefined;
  if ((flags & FLAG_TARGET_CERT) !== 0) {
    need(1 + CHECK_BYTES);
    recipientKind = data[at]!;
    recipientId = data.subarray(at + 1, at + 1 + CHECK_BYTES);
    at += 1 + CHECK_BYTES;
    const curve = curveOfKind(recipientKind);
    if (curve !== undefined) {
      const n = EC_KINDS[curve].pointBytes;
      need(n);
      recipientData = data.subarray(at, at + n);
      at += n;
    } else if (recipientKind === RSA_KIND) {
      need(2);
      const n = data.readUInt16BE(at);
      if (n < RSA_MIN_WRAP_BYTES || n > RSA_MAX_WRAP_BYTES) {
        throw malformed("container's RSA key block has an impossible length");
      }
      at += 2;
      need(n);
      recipientData = data.subarray(at, at + n);
      at += n;
    } else {
      throw malformed("container names an unknown recipient key kind");
    }
  }
  const body = data.subarray(at, data.length - TAG_BYTES);
  return {
    info: {
      version,
      modes: modesOf(flags),
      recipientKeyId: recipientId?.toString("hex"),
      recipientKind: recipientKindName(recipientKind),
      payloadBytes: body.length,
    },
    flags,
    salt,
    header: data.subarray(0, at),
    body,
    tag: data.subarray(data.length - TAG_BYTES),
    macCheck: check,
    recipientKind,
    recipientId,
    recipientData,
  };
}

/** Read the header only (no key needed): modes, recipient, size. Throws on bad framing. */
export function inspectSpcContainer(bytes: Uint8Array): SpcContainerInfo {
  return parseHeader(bytes).info;
}

/**
 * Open a container with what the opener knows. Errors, all ProvisioErrors:
 * `CRYPTO_CONTAINER_MALFORMED` / `_VERSION` (framing), `CRYPTO_CONTAINER_IDENTITY_REQUIRED`
 * (the file needs a MAC + secret, a private key or a `--key` the opener lacks),
 * `CRYPTO_CONTAINER_NOT_FOR_DEVICE` (targeted to another device),
 * `CRYPTO_CONTAINER_AUTH_FAILED` (wrong key or modified bytes).
 */
export function openSpcContainer(bytes: Uint8Array, opener: SpcOpener = {}): OpenedSpcContainer {
  const parsed = parseHeader(bytes);
  const { flags, salt, info } = parsed;
  if (flags === 0) {
    const expected = genericTag(salt, parsed.header, parsed.body);
    if (!timingSafeEqual(expected, parsed.tag)) throw authFailed(info);
    return { payload: Buffer.from(parsed.body), info };
  }
  const shares: Array<[number, Buffer]> = [];
  if ((flags & FLAG_SCRAMBLE) !== 0) shares.push([FLAG_SCRAMBLE, SCRAMBLE_SHARE]);
  if ((flags & FLAG_TARGET_MAC) !== 0) {
    if (opener.mac === undefined || opener.installationSecret === undefined) {
      throw cryptoError(
        CryptoErrorCode.ContainerIdentityRequired,
        "the file is targeted to one device by MAC: opening it needs the device's MAC and the installation's targeting secret",
      );
    }
    const share = macTargetShare(opener.mac, opener.installationSecret);
    if (!timingSafeEqual(macCheck(share), parsed.macCheck!)) {
      throw cryptoError(
        CryptoErrorCode.ContainerNotForDevice,
        "the file is targeted to another device (MAC check does not match this MAC and installation secret)",
      );
    }
    shares.push([FLAG_TARGET_MAC, share]);
  }
  if ((flags & FLAG_TARGET_CERT) !== 0) {
    if (opener.privateKey === undefined) {
      throw cryptoError(
        CryptoErrorCode.ContainerIdentityRequired,
        "the file is targeted to one device's certificate: opening it needs that device's private key",
      );
    }
    shares.push([FLAG_TARGET_CERT, unwrapAsRecipient(parsed, devicePrivateKey(opener.privateKey))]);
  }
  if ((flags & (FLAG_KEY_ASCII | FLAG_KEY_HEX)) !== 0) {
    if (opener.key === undefined) {
      throw cryptoError(
        CryptoErrorCode.ContainerIdentityRequired,
        "the file is encrypted with an explicit key: opening it needs the rule's --key",
      );
    }
    if ((flags & FLAG_KEY_ASCII) !== 0) {
      shares.push([FLAG_KEY_ASCII, asciiKeyShare(opener.key, salt)]);
    } else {
      let share: Buffer;
      try {
        share = hexKeyShare(opener.key);
      } catch {
        throw authFailed(info); // a --key that is not hex cannot be this file's hex key
      }
      shares.push([FLAG_KEY_HEX, share]);
    }
  }
  const { key, nonce } = contentKey(shares, salt);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(parsed.header);
  decipher.setAuthTag(parsed.tag);
  let payload: Buffer;
  try {
    payload = Buffer.concat([decipher.update(parsed.body), decipher.final()]);
  } catch {
    throw authFailed(info);
  }
  return { payload, info };
}

function authFailed(info: SpcContainerInfo) {
  const explicit = info.modes.key !== undefined;
  return cryptoError(
    CryptoErrorCode.ContainerAuthFailed,
    explicit
      ? "the file does not authenticate: wrong --key, or the file was modified"
      : "the file does not authenticate: it was modified or truncated",
  );
}

function modesOf(flags: number): SpcContainerModes {
  return {
    scrambled: (flags & FLAG_SCRAMBLE) !== 0,
    targetMac: (flags & FLAG_TARGET_MAC) !== 0,
    targetCertificate: (flags & FLAG_TARGET_CERT) !== 0,
    key:
      (flags & FLAG_KEY_ASCII) !== 0 ? "ascii" : (flags & FLAG_KEY_HEX) !== 0 ? "hex" : undefined,
  };
}

function recipientKindName(kind: number | undefined): SpcContainerInfo["recipientKind"] {
  if (kind === 1) return "ec-p256";
  if (kind === 2) return "ec-p384";
  if (kind === 3) return "ec-p521";
  if (kind === RSA_KIND) return "rsa-oaep";
  return undefined;
}

function curveOfKind(kind: number): EcCurve | undefined {
  for (const [curve, spec] of Object.entries(EC_KINDS) as Array<[EcCurve, { kind: number }]>) {
    if (spec.kind === kind) return curve;
  }
  return undefined;
}

function macCheck(share: Buffer): Buffer {
  return createHmac("sha256", share).update(MAC_CHECK_LABEL).digest().subarray(0, CHECK_BYTES);
}

function asciiKeyShare(phrase: string, salt: Buffer): Buffer {
  if (phrase.length === 0) {
    throw cryptoError(CryptoErrorCode.KeyEmpty, "refusing an empty --ascii-key");
  }
  return pbkdf2Sync(Buffer.from(phrase, "utf8"), salt, ASCII_KEY_ITERATIONS, SHARE_BYTES, "sha256");
}

function hexKeyShare(hex: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2}){1,32}$/.test(hex)) {
    throw cryptoError(
      CryptoErrorCode.OptionInvalid,
      `a hex key is an even number of hex digits, 2 to ${MAX_HEX_KEY_BYTES * 2}`,
    );
  }
  return Buffer.from(hex, "hex");
}

function contentKey(shares: ReadonlyArray<[number, Buffer]>, salt: Buffer) {
  const parts: Buffer[] = [];
  for (const [id, share] of shares) {
    const head = Buffer.alloc(3);
    head[0] = id;
    head.writeUInt16BE(share.length, 1);
    parts.push(head, share);
  }
  const okm = Buffer.from(hkdfSync("sha256", Buffer.concat(parts), salt, INFO_CONTENT, 44));
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32, 44) };
}

function genericTag(salt: Buffer, header: Buffer, payload: Uint8Array): Buffer {
  const key = Buffer.from(hkdfSync("sha256", GENERIC_IKM, salt, INFO_CONTENT, 32));
  return createHmac("sha256", key).update(header).update(payload).digest().subarray(0, TAG_BYTES);
}

function spkiId(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest().subarray(0, CHECK_BYTES);
}

/** A device certificate, or its public key, as a node KeyObject. */
function recipientPublicKey(input: RecipientKeyInput): KeyObject {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) {
    return input.type === "private" ? createPublicKey(input) : input;
  }
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
  try {
    return new X509Certificate(bytes).publicKey;
  } catch {
    // not a certificate: a public key, PEM or DER SPKI
  }
  try {
    const pem = typeof input === "string" || bytes.includes("-----BEGIN");
    return pem
      ? createPublicKey(bytes.toString("utf8"))
      : createPublicKey({ key: bytes, format: "der", type: "spki" });
  } catch {
    throw cryptoError(
      CryptoErrorCode.CertificateInvalid,
      "the target certificate cannot be parsed (PEM or DER certificate, or a public key)",
    );
  }
}

function devicePrivateKey(input: string | KeyObject): KeyObject {
  if (typeof input !== "string") {
    if (input.type !== "private") {
      throw cryptoError(CryptoErrorCode.CertificateInvalid, "the device key is not a private key");
    }
    return input;
  }
  try {
    return createPrivateKey(input);
  } catch {
    throw cryptoError(
      CryptoErrorCode.CertificateInvalid,
      "the device's private key cannot be parsed",
    );
  }
}

function curveOf(key: KeyObject): EcCurve | undefined {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === "prime256v1") return "P-256";
  if (curve === "secp384r1") return "P-384";
  if (curve === "secp521r1") return "P-521";
  return undefined;
}

function ecPoint(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  const x = Buffer.from(jwk.x ?? "", "base64url");
  const y = Buffer.from(jwk.y ?? "", "base64url");
  return Buffer.concat([Buffer.from([4]), x, y]);
}

function certShare(z: Buffer, salt: Buffer, point: Buffer, id: Buffer): Buffer {
  return Buffer.from(
    hkdfSync("sha256", z, salt, Buffer.concat([CERT_INFO, point, id]), SHARE_BYTES),
  );
}

function wrapForRecipient(publicKey: KeyObject, salt: Buffer): { block: Buffer; share: Buffer } {
  const id = spkiId(publicKey);
  if (publicKey.asymmetricKeyType === "ec") {
    const curve = curveOf(publicKey);
    if (curve === undefined) {
      throw cryptoError(
        CryptoErrorCode.CertificateInvalid,
        "the target certificate's EC curve is not P-256, P-384 or P-521",
      );
    }
    const spec = EC_KINDS[curve];
    const ephemeral = createECDH(spec.node);
    const point = ephemeral.generateKeys();
    const z = ephemeral.computeSecret(ecPoint(publicKey));
    return {
      block: Buffer.concat([Buffer.from([spec.kind]), id, point]),
      share: certShare(z, salt, point, id),
    };
  }
  if (publicKey.asymmetricKeyType === "rsa") {
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048 || bits / 8 > RSA_MAX_WRAP_BYTES) {
      throw cryptoError(
        CryptoErrorCode.CertificateInvalid,
        "the target certificate's RSA key must be 2048 to 8192 bits",
      );
    }
    const share = randomBytes(SHARE_BYTES);
    const wrapped = publicEncrypt(
      { key: publicKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      share,
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(wrapped.length);
    return { block: Buffer.concat([Buffer.from([RSA_KIND]), id, length, wrapped]), share };
  }
  throw cryptoError(
    CryptoErrorCode.CertificateInvalid,
    "the target certificate's key is neither EC (P-256/384/521) nor RSA",
  );
}

function notForDevice() {
  return cryptoError(
    CryptoErrorCode.ContainerNotForDevice,
    "the file is targeted to another device's certificate (its recipient key id is not this device's key)",
  );
}

function unwrapAsRecipient(parsed: ParsedHeader, privateKey: KeyObject): Buffer {
  const publicKey = createPublicKey(privateKey);
  const id = spkiId(publicKey);
  if (!timingSafeEqual(id, parsed.recipientId!)) throw notForDevice();
  const kind = parsed.recipientKind!;
  const data = parsed.recipientData!;
  const curve = curveOfKind(kind);
  if (curve !== undefined) {
    if (publicKey.asymmetricKeyType !== "ec" || curveOf(publicKey) !== curve) throw notForDevice();
    const ecdh = createECDH(EC_KINDS[curve].node);
    const d = privateKey.export({ format: "jwk" }).d;
    ecdh.setPrivateKey(Buffer.from(d ?? "", "base64url"));
    let z: Buffer;
    try {
      z = ecdh.computeSecret(data);
    } catch {
      throw authFailed(parsed.info); // not a point on the curve: the file was modified
    }
    return certShare(z, parsed.salt, data, id);
  }
  if (publicKey.asymmetricKeyType !== "rsa") throw notForDevice();
  try {
    const share = privateDecrypt(
      { key: privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      data,
    );
    if (share.length !== SHARE_BYTES) throw authFailed(parsed.info);
    return share;
  } catch (error) {
    if (isProvisioError(error)) throw error;
    throw authFailed(parsed.info);
  }
}
