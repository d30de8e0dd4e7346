/**
 * End to end with the real binaries: README's first command (`node bin/provisio.js serve`)
 * on an empty data directory starts a working server — database, master key (0600),
 * self-signed server certificate, device CA, an admin token shown once and never on the log stream —
 * and a certificate from `provisio pki issue-device`, used by the real `curl`, fetches that
 * device's profile over HTTPS while another device's certificate gets 404, as an unknown device would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curl } from "../server/helpers.ts";
import { provisio, tempDir } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = tempDir("first-start");
const data = join(dir, "data");
let child: ChildProcess;
let output = "";
let exited: Promise<number | null>;
let http = "";
let https = "";
let admin = "";

beforeAll(async () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PROVISIO_") && !k.startsWith("npm_")) env[k] = v;
  }
  // README: `npm ci && node bin/provisio.js serve`. The dependencies are installed; ports
  // are free ones here.
  child = spawn(
    process.execPath,
    [
      "bin/provisio.js",
      "serve",
      "--data",
      data,
      "--host",
      "127.0.0.1",
      "--http-port",
      "0",
      "--https-port",
      "0",
      "--admin-port",
      "0",
      "--tftp-port",
      "0",
    ],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  exited = new Promise((r) => child.on("exit", (code) => r(code)));
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    for (const line of output.split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Record<string, string>;
      if (entry.msg === "provisio listening") {
        http = entry.http!;
        https = entry.https!;
        admin = entry.admin!;
      }
    }
    if (admin !== "") return;
    if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not listen:\n${output}`);
}, 180_000);

/** A signal to the server process itself, as systemd or a container runtime sends it. */
function stop(signal: NodeJS.Signals): void {
  if (child.exitCode === null) child.kill(signal);
}

afterAll(async () => {
  if (child === undefined) return;
  if (!output.includes('"msg":"stopped"')) {
    stop("SIGTERM");
    await new Promise((r) => setTimeout(r, 3_000));
    stop("SIGKILL");
  }
});

describe("README's first command on an empty data directory", () => {
  it("creates database, master key (0600), server certificate, device CA, and listens", () => {
    for (const file of ["provisio.db", "master.key", "tls/server.crt", "pki/device-ca.crt"]) {
      expect(existsSync(join(data, file)), file).toBe(true);
    }
    expect(statSync(join(data, "master.key")).mode & 0o777).toBe(0o600);
    expect(http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(https).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("writes the admin token to a 0600 file, not to stdout (the log stream) or stderr, and the token works", async () => {
    // No terminal here: the token goes to a file the log names, never into the output. The
    // line may reach the pipe after the listening line (workers start first): wait for it.
    for (let i = 0; i < 100 && !output.includes("first admin token"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const line = output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => String(l.msg).startsWith("first admin token"));
    expect(line?.file).toBe(join(data, "initial-admin-token"));
    const file = join(data, "initial-admin-token");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, "utf8").trim();
    expect(token).toMatch(/^pvo_\S+$/);
    expect(output).not.toContain(token);
    expect((await curl([`${admin}/healthz`])).status).toBe(200);
    const who = await curl(["-H", `Authorization: Bearer ${token}`, `${admin}/api/v1/whoami`]);
    expect(who.status).toBe(200);
    expect(who.body).toContain('"role":"admin"');
  });

  // Seven CLI runs: on a busy machine that takes well over vitest's default 5 s.
  it("serves a device's profile over HTTPS to curl with the certificate from pki issue-device", {
    timeout: 300_000,
  }, async () => {
    const A = "000e08f1a001";
    const B = "000e08f1a002";
    const model = await provisio(["model", "add", "SPA112", "--family", "spa", "-d", data]);
    expect(model.code, model.stderr).toBe(0);
    for (const mac of [A, B]) {
      const add = await provisio(["device", "add", "--mac", mac, "--model", "SPA112", "-d", data]);
      expect(add.code, add.stderr).toBe(0);
    }
    const layer = await provisio([
      "layer",
      "set",
      "--device",
      A,
      "Station_Name=A-desk",
      "-d",
      data,
    ]);
    expect(layer.code, layer.stderr).toBe(0);
    const issue = async (mac: string) => {
      const out = join(dir, mac);
      const res = await provisio(["pki", "issue-device", "--mac", mac, "--out", out, "-d", data]);
      expect(res.code, res.stderr).toBe(0);
      return { cert: join(out, "device.crt"), key: join(out, "device.key") };
    };
    const certA = await issue(A);
    const certB = await issue(B);
    const tls = (c: { cert: string; key: string }) => [
      "--cacert",
      join(data, "tls/server.crt"),
      "--cert",
      c.cert,
      "--key",
      c.key,
    ];
    // A management command's change is served within one second by the running server.
    let r = await curl([...tls(certA), `${https}/profile/${A}.xml`]);
    for (let i = 0; i < 20 && !r.body.includes("A-desk"); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await curl([...tls(certA), `${https}/profile/${A}.xml`]);
    }
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<Station_Name ua="\w+">A-desk<\/Station_Name>/);
    // Another device's certificate gets the unknown device's answer (no oracle).
    const wrong = await curl([...tls(certB), `${https}/profile/${A}.xml`]);
    expect(wrong.status).toBe(404);
    expect(wrong.body).not.toContain("A-desk");
  });

  it("stops cleanly on SIGTERM", async () => {
    stop("SIGTERM");
    await exited;
    // The server finishes in-flight work and says so.
    for (let i = 0; i < 50 && !output.includes('"msg":"stopped"'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('"msg":"stopped"');
  });
});
