/**
 * Cost of the PKI operations the server and emulator run: issuing certificates (fleet
 * simulations issue one per emulated device) and reading the identity from a client
 * certificate (once per HTTPS request, unless the server caches by fingerprint).
 * Run: npx tsx bench/crypto_pki.ts
 */
import { X509Certificate } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  createDeviceCa,
  createServerCertificate,
  issueDeviceCertificate,
  type KeyType,
  parseDeviceCertificateIdentity,
} from "../src/crypto/index.ts";

/** Best of 5 rounds: on a shared machine the mean measures the neighbours. */
async function time(name: string, runs: number, fn: () => unknown): Promise<void> {
  await fn(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < runs; i++) await fn();
    best = Math.min(best, (performance.now() - start) / runs);
  }
  const unit = best < 1 ? `${(best * 1000).toFixed(1)} µs` : `${best.toFixed(2)} ms`;
  console.log(`${name.padEnd(52)} ${unit.padStart(12)}/op  (best of 5 × ${runs})`);
}

for (const keyType of ["ec-p256", "rsa-2048"] as KeyType[]) {
  const ca = await createDeviceCa({ keyType });
  const runs = keyType === "rsa-2048" ? 4 : 50;
  await time(`createDeviceCa ${keyType}`, runs, () => createDeviceCa({ keyType }));
  await time(`issueDeviceCertificate ${keyType}`, runs, () =>
    issueDeviceCertificate(ca, { mac: "000e08abcdef", serial: "88012BA01234", keyType }),
  );
  await time(`createServerCertificate ${keyType}`, runs, () =>
    createServerCertificate({ keyType }),
  );
  const device = await issueDeviceCertificate(ca, { mac: "000e08abcdef", keyType });
  const node = new X509Certificate(device.certificatePem);
  await time(`parseDeviceCertificateIdentity(node cert) ${keyType}`, 1000, () =>
    parseDeviceCertificateIdentity(node),
  );
  await time(`parseDeviceCertificateIdentity(PEM) ${keyType}`, 1000, () =>
    parseDeviceCertificateIdentity(device.certificatePem),
  );
}
