import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

const run = promisify(execFile);

describe("provisio pki issue-device", () => {
  it("initialises a fresh data dir like serve and issues a certificate openssl verifies", async () => {
    const dir = tempDir("pki");
    const data = join(dir, "data");
    const out = join(dir, "certs");
    const res = await provisio([
      "pki",
      "issue-device",
      "--mac",
      "00:0E:08:AB:CD:EF",
      "--serial",
      "CBT123",
      "--out",
      out,
      "-d",
      data,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`initialised ${data}`);
    // The data dir holds what serve creates on first start.
    for (const file of ["master.key", "pki/device-ca.crt", "pki/device-ca.key", "tls/server.crt"]) {
      expect(existsSync(join(data, file)), file).toBe(true);
    }
    expect(statSync(join(out, "device.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, "ca.crt"), "utf8")).toBe(
      readFileSync(join(data, "pki/device-ca.crt"), "utf8"),
    );

    const verify = await run("openssl", [
      "verify",
      "-CAfile",
      join(out, "ca.crt"),
      join(out, "device.crt"),
    ]);
    expect(verify.stdout).toContain(": OK");
    const subject = await run("openssl", [
      "x509",
      "-in",
      join(out, "device.crt"),
      "-noout",
      "-subject",
    ]);
    expect(subject.stdout.toLowerCase()).toMatch(/000e08abcdef|00:0e:08:ab:cd:ef/);
    expect(subject.stdout).toContain("CBT123");
    const key = await run("openssl", ["pkey", "-in", join(out, "device.key"), "-pubout"]);
    const certKey = await run("openssl", [
      "x509",
      "-in",
      join(out, "device.crt"),
      "-noout",
      "-pubkey",
    ]);
    expect(key.stdout).toBe(certKey.stdout);

    // A second certificate comes from the same CA (not a new one).
    const again = await provisio([
      "pki",
      "issue-device",
      "--mac",
      "000e08abcd01",
      "--out",
      join(dir, "c2"),
      "-d",
      data,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, "c2", "ca.crt"), "utf8")).toBe(
      readFileSync(join(out, "ca.crt"), "utf8"),
    );

    const bad = await provisio(["pki", "issue-device", "--mac", "nope", "--out", out, "-d", data]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("not a MAC address");
  }, 120_000);
});
