import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TftpRequest } from "../../src/tftp/index.ts";
import { safeSegments, staticRootResolver } from "../../src/tftp/static_root.ts";

let base: string;
let root: string;
const req = (filename: string): TftpRequest => ({
  kind: "read",
  filename,
  mode: "octet",
  options: {},
  remote: { address: "127.0.0.1", port: 1 },
});

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "tftp-root-"));
  root = join(base, "root");
  await mkdir(join(root, "cisco"), { recursive: true });
  await writeFile(join(root, "spa2102.cfg"), "profile");
  await writeFile(join(root, "cisco", "fw.bin"), "firmware");
  await writeFile(join(base, "secret.txt"), "secret");
  await symlink(join(base, "secret.txt"), join(root, "escape.txt"));
  await symlink(base, join(root, "updir"));
  await symlink(join(root, "cisco", "fw.bin"), join(root, "inside.bin"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function outcome(filename: string): Promise<string> {
  const source = await staticRootResolver(root)(req(filename));
  if (source.kind === "error") return `error ${source.code}`;
  if (source.kind === "handle") {
    const text = (await source.handle.readFile()).toString();
    await source.handle.close();
    return text;
  }
  return source.kind;
}

describe("staticRootResolver", () => {
  it("serves files under the root; a leading / is the root (devices ask /spa2102.cfg)", async () => {
    expect(await outcome("spa2102.cfg")).toBe("profile");
    expect(await outcome("/spa2102.cfg")).toBe("profile");
    expect(await outcome("cisco/fw.bin")).toBe("firmware");
    expect(await outcome("inside.bin")).toBe("firmware");
  });

  it("answers File not found (1) for a missing file", async () => {
    expect(await outcome("nope.cfg")).toBe("error 1");
    expect(await outcome("/etc/passwd")).toBe("error 1");
  });

  it.each([
    "../secret.txt",
    "cisco/../../secret.txt",
    "/../secret.txt",
    "..",
    "cisco/..",
    "./spa2102.cfg",
    "//etc/passwd",
    "cisco//fw.bin",
    "..\\secret.txt",
    "cisco\\..\\..\\secret.txt",
    "C:\\Windows\\win.ini",
    "c:secret.txt",
    "%2e%2e/secret.txt",
    "%2E%2E%2Fsecret.txt",
    "..%2fsecret.txt",
    "%252e%252e/secret.txt",
    "spa2102.cfg\0.png",
    "spa\n2102.cfg",
    "escape.txt",
    "updir/secret.txt",
    "cisco",
    "/",
  ])("refuses %j with Access violation (2)", async (name) => {
    expect(await outcome(name)).toBe("error 2");
  });

  it("safeSegments splits clean names only", () => {
    expect(safeSegments("/a/b.cfg")).toEqual(["a", "b.cfg"]);
    expect(safeSegments("a/../b")).toBeUndefined();
  });
});

describe("uploadRootResolver (WRQ upload area)", () => {
  it("stores uploads under the root, refuses traversal, missing directories and (optionally) overwrites", async () => {
    const { TftpServer, tftpPut, uploadRootResolver } = await import("../../src/tftp/index.ts");
    const { readFile, mkdir: mk } = await import("node:fs/promises");
    const area = join(base, "uploads");
    await mk(join(area, "reports"), { recursive: true });
    const stored: string[] = [];
    const server = new TftpServer({
      port: 0,
      address: "127.0.0.1",
      resolver: staticRootResolver(root),
      upload: uploadRootResolver(area, { onStored: (p) => stored.push(p) }),
    });
    const { port } = await server.listen();
    const strict = new TftpServer({
      port: 0,
      address: "127.0.0.1",
      resolver: staticRootResolver(root),
      upload: uploadRootResolver(area, { overwrite: false }),
    });
    const strictPort = (await strict.listen()).port;
    try {
      const put = (name: string, p = port) =>
        tftpPut(name, Buffer.from(`report for ${name}\n`), { host: "127.0.0.1", port: p }).then(
          () => "ok",
          (e: { code: string }) => e.code,
        );
      expect(await put("/reports/0011223344aa.xml")).toBe("ok");
      expect(await put("reports/0011223344aa.xml")).toBe("ok");
      for (let i = 0; i < 100 && stored.length < 2; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect((await readFile(join(area, "reports", "0011223344aa.xml"))).toString()).toBe(
        "report for reports/0011223344aa.xml\n",
      );
      expect(await put("../escape.xml")).toBe("TFTP_ACCESS_VIOLATION");
      expect(await put("reports/../../escape.xml")).toBe("TFTP_ACCESS_VIOLATION");
      expect(await put("nodir/x.xml")).toBe("TFTP_ACCESS_VIOLATION");
      expect(await put("reports")).toBe("TFTP_ACCESS_VIOLATION");
      expect(await put("reports/0011223344aa.xml", strictPort)).toBe("TFTP_FILE_EXISTS");
    } finally {
      await server.close();
      await strict.close();
    }
  });
});
