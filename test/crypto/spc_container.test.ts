import { createDecipheriv, createHmac, hkdfSync, X509Certificate } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CryptoErrorCode,
  createDeviceCa,
  type IssuedCertificate,
  inspectSpcContainer,
  isSpcContainer,
  issueDeviceCertificate,
  macTargetShare,
  openSpcContainer,
  parseInstallationSecret,
  type SealSpcOptions,
  type SpcOpener,
  sealSpcContainer,
} from "../../src/crypto/index.ts";
import { isProvisioError } from "../../src/errors.ts";

const SECRET = Buffer.from(
  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
  "hex",
);
const OTHER_SECRET = Buffer.alloc(32, 0x5a);
const MAC_A = "000e08aabbcc";
const MAC_B = "000e08aabbcd";
const PROFILE = Buffer.from(
  '<flat-profile><GPP_SA ua="na">8e4ca259</GPP_SA><Profile_Rule ua="na">[--key $SA] tftp://prov.example.com/p/$B/$MA.cfg</Profile_Rule></flat-profile>\n',
);
const SALT = Buffer.alloc(16, 0x42);
const CONTAINER_CODES = new Set<string>([
  CryptoErrorCode.ContainerMalformed,
  CryptoErrorCode.ContainerVersion,
  CryptoErrorCode.ContainerIdentityRequired,
  CryptoErrorCode.ContainerNotForDevice,
  CryptoErrorCode.ContainerAuthFailed,
]);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isProvisioError(e)) return e.code;
    throw e;
  }
  return undefined;
}

let ecA: IssuedCertificate;
let ecB: IssuedCertificate;
let rsaA: IssuedCertificate;
let rsaB: IssuedCertificate;

beforeAll(async () => {
  const ca = await createDeviceCa();
  const rsaCa = await createDeviceCa({ keyType: "rsa-2048" });
  [ecA, ecB, rsaA, rsaB] = await Promise.all([
    issueDeviceCertificate(ca, { mac: MAC_A, product: "SPA-962" }),
    issueDeviceCertificate(ca, { mac: MAC_B, product: "SPA-962" }),
    issueDeviceCertificate(rsaCa, { mac: MAC_A, product: "SPA-962", keyType: "rsa-2048" }),
    issueDeviceCertificate(rsaCa, { mac: MAC_B, product: "SPA-962", keyType: "rsa-2048" }),
  ]);
}, 120_000);

type CertKind = "none" | "ec" | "rsa";
type KeyKind = "none" | "ascii" | "hex";

function combo(scramble: boolean, mac: boolean, cert: CertKind, key: KeyKind) {
  const seal: SealSpcOptions = {
    salt: SALT,
    ...(scramble ? { scramble: true } : {}),
    ...(mac ? { targetMac: { mac: MAC_A, installationSecret: SECRET } } : {}),
    ...(cert === "ec" ? { targetCertificate: ecA.certificatePem } : {}),
    ...(cert === "rsa" ? { targetCertificate: rsaA.certificatePem } : {}),
    ...(key === "ascii" ? { asciiKey: "apple4sale" } : {}),
    ...(key === "hex" ? { hexKey: "8e4ca259aa55" } : {}),
  };
  const open: SpcOpener = {
    ...(mac ? { mac: "00:0E:08:AA:BB:CC", installationSecret: SECRET } : {}),
    ...(cert === "ec" ? { privateKey: ecA.privateKeyPem } : {}),
    ...(cert === "rsa" ? { privateKey: rsaA.privateKeyPem } : {}),
    ...(key === "ascii" ? { key: "apple4sale" } : {}),
    ...(key === "hex" ? { key: "8e4ca259aa55" } : {}),
  };
  return { seal, open, name: `scramble=${scramble} mac=${mac} cert=${cert} key=${key}` };
}

const combos = () =>
  [false, true].flatMap((s) =>
    [false, true].flatMap((m) =>
      (["none", "ec", "rsa"] as const).flatMap((c) =>
        (["none", "ascii", "hex"] as const).map((k) => combo(s, m, c, k)),
      ),
    ),
  );

describe("Provisio SPC container", () => {
  it("every combination of modes round-trips and says which modes it used", () => {
    for (const c of combos()) {
      const sealed = sealSpcContainer(PROFILE, c.seal);
      expect(isSpcContainer(sealed), c.name).toBe(true);
      const opened = openSpcContainer(sealed, c.open);
      expect(opened.payload.equals(PROFILE), c.name).toBe(true);
      expect(opened.info.modes.targetMac, c.name).toBe(c.seal.targetMac !== undefined);
      expect(opened.info.modes.targetCertificate, c.name).toBe(
        c.seal.targetCertificate !== undefined,
      );
    }
  });

  it("a generic file carries the profile in clear; every other mode does not", () => {
    for (const c of combos()) {
      const sealed = sealSpcContainer(PROFILE, c.seal);
      const clear = sealed.includes(Buffer.from("Profile_Rule"));
      const generic =
        c.seal.scramble === undefined &&
        c.seal.targetMac === undefined &&
        c.seal.targetCertificate === undefined &&
        c.seal.asciiKey === undefined &&
        c.seal.hexKey === undefined;
      expect(clear, c.name).toBe(generic);
    }
  });

  it("the header names no MAC: a MAC-targeted file does not contain its target", () => {
    const sealed = sealSpcContainer(PROFILE, {
      targetMac: { mac: MAC_A, installationSecret: SECRET },
    });
    expect(sealed.includes(Buffer.from(MAC_A))).toBe(false);
    expect(sealed.includes(Buffer.from(MAC_A, "hex"))).toBe(false);
  });

  it("device A's MAC-targeted file is refused by device B, and by A under another installation", () => {
    const sealed = sealSpcContainer(PROFILE, {
      targetMac: { mac: MAC_A, installationSecret: SECRET },
    });
    expect(codeOf(() => openSpcContainer(sealed, { mac: MAC_B, installationSecret: SECRET }))).toBe(
      CryptoErrorCode.ContainerNotForDevice,
    );
    expect(
      codeOf(() => openSpcContainer(sealed, { mac: MAC_A, installationSecret: OTHER_SECRET })),
    ).toBe(CryptoErrorCode.ContainerNotForDevice);
    expect(codeOf(() => openSpcContainer(sealed, {}))).toBe(
      CryptoErrorCode.ContainerIdentityRequired,
    );
  });

  it("device A's certificate-targeted file is refused by device B's key (EC and RSA)", () => {
    for (const [a, others] of [
      [ecA, [ecB, rsaA, rsaB]],
      [rsaA, [rsaB, ecA, ecB]],
    ] as const) {
      const sealed = sealSpcContainer(PROFILE, { targetCertificate: a.certificatePem });
      expect(openSpcContainer(sealed, { privateKey: a.privateKeyPem }).payload).toEqual(PROFILE);
      for (const b of others) {
        expect(codeOf(() => openSpcContainer(sealed, { privateKey: b.privateKeyPem }))).toBe(
          CryptoErrorCode.ContainerNotForDevice,
        );
      }
      expect(
        codeOf(() => openSpcContainer(sealed, { mac: MAC_A, installationSecret: SECRET })),
      ).toBe(CryptoErrorCode.ContainerIdentityRequired);
    }
  });

  it("a certificate, DER or PEM, or just the public key (PEM text or bytes, DER) all target the same key", () => {
    const cert = new X509Certificate(ecA.certificatePem);
    const inputs = [
      ecA.certificatePem,
      Buffer.from(ecA.certificatePem),
      cert.raw,
      cert.publicKey.export({ type: "spki", format: "pem" }).toString(),
      Buffer.from(cert.publicKey.export({ type: "spki", format: "pem" })),
      cert.publicKey.export({ type: "spki", format: "der" }),
      cert.publicKey,
    ];
    for (const input of inputs) {
      const sealed = sealSpcContainer(PROFILE, { targetCertificate: input });
      expect(openSpcContainer(sealed, { privateKey: ecA.privateKeyPem }).payload).toEqual(PROFILE);
    }
  });

  it("targeted by both MAC and certificate needs both", () => {
    const sealed = sealSpcContainer(PROFILE, {
      targetMac: { mac: MAC_A, installationSecret: SECRET },
      targetCertificate: ecA.certificatePem,
    });
    expect(codeOf(() => openSpcContainer(sealed, { privateKey: ecA.privateKeyPem }))).toBe(
      CryptoErrorCode.ContainerIdentityRequired,
    );
    expect(
      openSpcContainer(sealed, {
        privateKey: ecA.privateKeyPem,
        mac: MAC_A,
        installationSecret: SECRET,
      }).payload,
    ).toEqual(PROFILE);
  });

  it("explicit keys: the wrong --key fails authentication; a non-hex --key cannot open a hex file", () => {
    const ascii = sealSpcContainer(PROFILE, { asciiKey: "apple4sale" });
    expect(codeOf(() => openSpcContainer(ascii, { key: "apple4sal" }))).toBe(
      CryptoErrorCode.ContainerAuthFailed,
    );
    expect(codeOf(() => openSpcContainer(ascii, {}))).toBe(
      CryptoErrorCode.ContainerIdentityRequired,
    );
    const hex = sealSpcContainer(PROFILE, { hexKey: "00ff" });
    expect(openSpcContainer(hex, { key: "00FF" }).payload).toEqual(PROFILE);
    expect(codeOf(() => openSpcContainer(hex, { key: "00fe" }))).toBe(
      CryptoErrorCode.ContainerAuthFailed,
    );
    expect(codeOf(() => openSpcContainer(hex, { key: "zz" }))).toBe(
      CryptoErrorCode.ContainerAuthFailed,
    );
  });

  it("refuses bad sealing input with stable codes", () => {
    expect(codeOf(() => sealSpcContainer(PROFILE, { hexKey: "abc" }))).toBe(
      CryptoErrorCode.OptionInvalid,
    );
    expect(codeOf(() => sealSpcContainer(PROFILE, { asciiKey: "" }))).toBe(
      CryptoErrorCode.KeyEmpty,
    );
    expect(codeOf(() => sealSpcContainer(PROFILE, { asciiKey: "a", hexKey: "00" }))).toBe(
      CryptoErrorCode.OptionInvalid,
    );
    expect(
      codeOf(() =>
        sealSpcContainer(PROFILE, { targetMac: { mac: "nope", installationSecret: SECRET } }),
      ),
    ).toBe(CryptoErrorCode.MacInvalid);
    expect(
      codeOf(() =>
        sealSpcContainer(PROFILE, {
          targetMac: { mac: MAC_A, installationSecret: Buffer.alloc(8) },
        }),
      ),
    ).toBe(CryptoErrorCode.OptionInvalid);
    expect(codeOf(() => sealSpcContainer(PROFILE, { targetCertificate: "not a cert" }))).toBe(
      CryptoErrorCode.CertificateInvalid,
    );
    expect(codeOf(() => parseInstallationSecret("00"))).toBe(CryptoErrorCode.OptionInvalid);
  });

  it("the MAC key schedule is the documented one (independent re-derivation decrypts the file)", () => {
    const sealed = sealSpcContainer(PROFILE, {
      salt: SALT,
      targetMac: { mac: MAC_A, installationSecret: SECRET },
    });
    const share = createHmac("sha256", SECRET)
      .update(Buffer.from(`provisio target mac v1\0${MAC_A}`, "latin1"))
      .digest();
    expect(macTargetShare("00-0E-08-AA-BB-CC", SECRET)).toEqual(share);
    const check = createHmac("sha256", share)
      .update("provisio mac check v1")
      .digest()
      .subarray(0, 8);
    const header = sealed.subarray(0, 26 + 8);
    expect(header.subarray(0, 10)).toEqual(Buffer.from([...Buffer.from("PRVSPC1\0"), 1, 0x02]));
    expect(header.subarray(10, 26)).toEqual(SALT);
    expect(header.subarray(26)).toEqual(check);
    const ikm = Buffer.concat([Buffer.from([0x02, 0x00, 0x20]), share]);
    const okm = Buffer.from(hkdfSync("sha256", ikm, SALT, "provisio spc container v1", 44));
    const decipher = createDecipheriv("aes-256-gcm", okm.subarray(0, 32), okm.subarray(32));
    decipher.setAAD(header);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(header.length, sealed.length - 16)),
      decipher.final(),
    ]);
    expect(plain).toEqual(PROFILE);
  });

  it("inspect reads the header without a key", () => {
    const sealed = sealSpcContainer(PROFILE, {
      targetCertificate: rsaA.certificatePem,
      scramble: "x",
    });
    const info = inspectSpcContainer(sealed);
    expect(info).toMatchObject({
      version: 1,
      modes: { scrambled: true, targetMac: false, targetCertificate: true, key: undefined },
      recipientKind: "rsa-oaep",
      payloadBytes: PROFILE.length,
    });
    expect(info.recipientKeyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("flipping any byte of any kind of container fails cleanly, never opens", () => {
    // Cheap modes get many runs; PBKDF2 (ASCII key) opens cost ~tens of ms, so fewer.
    const cheap = combos().filter((c) => c.seal.asciiKey === undefined);
    const costly = combos().filter((c) => c.seal.asciiKey !== undefined);
    const sealedCheap = cheap.map((c) => ({ c, bytes: sealSpcContainer(PROFILE, c.seal) }));
    const sealedCostly = costly.map((c) => ({ c, bytes: sealSpcContainer(PROFILE, c.seal) }));
    const flip = (list: typeof sealedCheap, runs: number) =>
      fc.assert(
        fc.property(
          fc.nat({ max: list.length - 1 }),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (which, position, mask) => {
            const { c, bytes } = list[which]!;
            const mutated = Buffer.from(bytes);
            const i = position % mutated.length;
            mutated[i] = mutated[i]! ^ mask;
            const code = codeOf(() => openSpcContainer(mutated, c.open));
            expect(code, `${c.name} byte ${i}`).toBeDefined();
            expect(CONTAINER_CODES.has(code!), `${c.name} byte ${i}: ${code}`).toBe(true);
          },
        ),
        { numRuns: runs },
      );
    flip(sealedCheap, 400);
    flip(sealedCostly, 25);
  }, 120_000);

  it("truncating or extending a container fails cleanly", () => {
    const sealed = sealSpcContainer(PROFILE, combo(true, true, "ec", "hex").seal);
    const opener = combo(true, true, "ec", "hex").open;
    for (let n = 0; n < sealed.length; n++) {
      const code = codeOf(() => openSpcContainer(sealed.subarray(0, n), opener));
      expect(CONTAINER_CODES.has(code ?? "none"), `length ${n}: ${code}`).toBe(true);
    }
    const longer = Buffer.concat([sealed, Buffer.from([0])]);
    expect(codeOf(() => openSpcContainer(longer, opener))).toBe(
      CryptoErrorCode.ContainerAuthFailed,
    );
  });

  it("fuzz: random bytes, with or without the magic, always give a container error code", () => {
    const opener: SpcOpener = {
      mac: MAC_A,
      installationSecret: SECRET,
      privateKey: ecA.privateKeyPem,
      key: "00ff",
    };
    const magic = Buffer.from("PRVSPC1\0", "latin1");
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.boolean(),
        fc.nat({ max: 0x1f }),
        (tail, withMagic, flags) => {
          const bytes = withMagic
            ? Buffer.concat([magic, Buffer.from([1, flags]), tail])
            : Buffer.from(tail);
          const code = codeOf(() => openSpcContainer(bytes, opener));
          expect(CONTAINER_CODES.has(code ?? "none"), String(code)).toBe(true);
          const inspected = codeOf(() => inspectSpcContainer(bytes));
          if (inspected !== undefined) expect(CONTAINER_CODES.has(inspected)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
