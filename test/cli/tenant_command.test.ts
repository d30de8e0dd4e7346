import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio tenant set / show / rm", () => {
  // Many CLI runs one after another: the suite's default deadline would be tight on a busy machine.
  it("changes every tenant setting from the command line, CAs from PEM files", {
    timeout: 240_000,
  }, async () => {
    const dir = tempDir("tenant");
    const data = join(dir, "data");
    const ca = join(dir, "ca.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, "ca.key"),
        "-out",
        ca,
        "-subj",
        "/CN=acme devices CA",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
      ],
      { stdio: "ignore" },
    );
    expect((await provisio(["tenant", "add", "acme", "-d", data])).code).toBe(0);

    const set = await provisio([
      "tenant",
      "set",
      "acme",
      "--name",
      "Acme Telecom",
      "--profile-path",
      "/acme/$MA.xml",
      "/acme/$PN.cfg",
      "--require-client-cert",
      "on",
      "--auto-create",
      "on",
      "--encryption",
      "aes",
      "--allow-unknown-parameters",
      "on",
      "--aes128gcm-model",
      "CP-8851-3PCC",
      "CP-8845-3PCC",
      "--trusted-client-ca",
      ca,
      "-d",
      data,
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/require client cert\s+on/);
    expect(set.stdout).toMatch(/aes128gcm models\s+CP-8851-3PCC CP-8845-3PCC/);

    const show = await provisio(["tenant", "show", "acme", "--json", "-d", data]);
    expect(show.code, show.stderr).toBe(0);
    const tenant = JSON.parse(show.stdout) as { name: string; settings: Record<string, unknown> };
    expect(tenant.name).toBe("Acme Telecom");
    expect(tenant.settings).toMatchObject({
      profilePaths: ["/acme/$MA.xml", "/acme/$PN.cfg"],
      requireClientCert: true,
      autoCreate: true,
      encryption: "aes",
      allowUnknownParameters: true,
      aes128gcmModels: ["CP-8851-3PCC", "CP-8845-3PCC"],
    });
    expect(tenant.settings.trustedClientCas).toHaveLength(1);

    const off = await provisio([
      "tenant",
      "set",
      "acme",
      "--require-client-cert",
      "off",
      "--clear-trusted-client-cas",
      "--clear-profile-paths",
      "--clear-aes128gcm-models",
      "--json",
      "-d",
      data,
    ]);
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout).settings).toMatchObject({
      profilePaths: [],
      requireClientCert: false,
      trustedClientCas: [],
      aes128gcmModels: [],
    });

    const bad = await provisio(["tenant", "set", "acme", "--encryption", "rot13", "-d", data]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--encryption takes none, gzip, aes");

    const rm = await provisio(["tenant", "rm", "acme", "-d", data]);
    expect(rm.code, rm.stderr).toBe(0);
    const list = await provisio(["tenant", "list", "-d", data]);
    expect(list.stdout).not.toContain("acme");
    const rmDefault = await provisio(["tenant", "rm", "default", "-d", data]);
    expect(rmDefault.code).toBe(1);
    expect(rmDefault.stderr).toContain("STORE_CONFLICT");
  });
});
