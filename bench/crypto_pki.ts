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

async function time(name: string, runs: number, fn: () => unknown): Promise<void> {
  await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  const perOp = (performance.now() - start) / runs;
  const unit = perOp < 1 ? `${(perOp * 1000).toFixed(1)} µs` : `${perOp.toFixed(2)} ms`;
  console.log(`${name.padEnd(52)} ${unit.padStart(12)}/op  (${runs} runs)`);
}

for (const keyType of ["ec-p256", "rsa-2048"] as KeyType[]) {
  const ca = await createDeviceCa({ keyType });
  const runs = keyType === "rsa-2048" ? 10 : 200;
  await time(`createDeviceCa ${keyType}`, runs, () => createDeviceCa({ keyType }));
  await time(`issueDeviceCertificate ${keyType}`, runs, () =>
    issueDeviceCertificate(ca, { mac: "000e08abcdef", serial: "88012BA01234", keyType }),
  );
  await time(`createServerCertificate ${keyType}`, runs, () =>
    createServerCertificate({ keyType }),
  );
  const device = await issueDeviceCertificate(ca, { mac: "000e08abcdef", keyType });
  const node = new X509Certificate(device.certificatePem);
  await time(`parseDeviceCertificateIdentity(node cert) ${keyType}`, 5000, () =>
    parseDeviceCertificateIdentity(node),
  );
  await time(`parseDeviceCertificateIdentity(PEM) ${keyType}`, 5000, () =>
    parseDeviceCertificateIdentity(device.certificatePem),
  );
}
