/**
 * Certificates made by the real openssl CLI, for client-certificate tests: CAs (optionally a
 * look-alike with a forced Subject Key Identifier), intermediates and device leaves.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

export function openssl(dir: string, ...args: string[]): string {
  return execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: "pipe" });
}

/**
 * A self-signed CA `<name>.crt`/`<name>.key`; `ski` forces its Subject Key Identifier (hex)
 * — and then no Authority Key Identifier, so OpenSSL takes the look-alike for a root.
 */
export function makeCa(dir: string, name: string, subject: string, ski = "hash"): void {
  openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "365",
    "-subj",
    subject,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-addext",
    `subjectKeyIdentifier=${ski}`,
    ...(ski === "hash" ? [] : ["-addext", "authorityKeyIdentifier=none"]),
  );
}

/** A certificate `<name>.crt` issued by `ca`: a device leaf (`ST=<mac>`), or a CA. */
export function issue(
  dir: string,
  name: string,
  ca: string,
  options: { mac?: string; subject?: string; isCa?: boolean; days?: number } = {},
): void {
  const subject = options.subject ?? `/OU=SPA504G/L=SER${name.toUpperCase()}/ST=${options.mac}`;
  openssl(
    dir,
    "req",
    "-new",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  );
  writeFileSync(
    join(dir, `${name}.ext`),
    options.isCa
      ? "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
      : "basicConstraints=CA:FALSE\nauthorityKeyIdentifier=keyid\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
  );
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-days",
    String(options.days ?? 30),
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  );
}

export function skiOf(dir: string, cert: string): string {
  const text = openssl(dir, "x509", "-in", cert, "-noout", "-ext", "subjectKeyIdentifier");
  return text.split("\n")[1]!.trim();
}
