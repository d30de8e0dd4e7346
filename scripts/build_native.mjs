// Compiles the TFTP fast-path endpoint (src/tftp/native/udp_endpoint.c) into
// build/udp_endpoint.node with the machine's C compiler and Node's own headers. Linux
// only (recvmmsg/sendmmsg). Optional by design: when it cannot be built the TFTP server
// uses node:dgram and says so at start-up; `PROVISIO_NATIVE=required` makes a failed
// build fail this script (CI sets it, so the measured fast path is the tested one).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src/tftp/native/udp_endpoint.c");
const out = join(root, "build/udp_endpoint.node");
const required = process.env.PROVISIO_NATIVE === "required";

function fail(message) {
  if (required) {
    process.stderr.write(`build_native: ${message}\n`);
    process.exit(1);
  }
  process.stderr.write(`build_native: ${message}; the TFTP server will use node:dgram\n`);
  process.exit(0);
}

if (process.platform !== "linux") fail(`not built on ${process.platform} (needs Linux)`);
if (process.env.PROVISIO_NATIVE === "0") fail("skipped (PROVISIO_NATIVE=0)");

// Node's headers ship with the binary (<prefix>/include/node); npm's nodedir otherwise.
const candidates = [
  resolve(dirname(process.execPath), "../include/node"),
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, "include/node"),
].filter(Boolean);
const include = candidates.find((dir) => existsSync(join(dir, "node_api.h")));
if (!include) fail(`node_api.h not found (looked in ${candidates.join(", ")})`);

if (existsSync(out) && statSync(out).mtimeMs > statSync(source).mtimeMs) process.exit(0);

mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const cc = process.env.CC ?? "cc";
try {
  execFileSync(
    cc,
    ["-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror", "-std=gnu11"]
      .concat(["-I", include, "-o", tmp, source]),
    { stdio: ["ignore", "inherit", "inherit"] },
  );
} catch (error) {
  fail(`${cc} failed: ${error.message.split("\n")[0]}`);
}
renameSync(tmp, out);
process.stdout.write(`build_native: ${out}\n`);
