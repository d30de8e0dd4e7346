/**
 * The files in deploy/ hold together: the systemd unit passes `systemd-analyze verify` and
 * has the settings docs/deployment.md promises; every COPY source of the Dockerfile is in
 * its build context (the repository root, minus .dockerignore); the compose file parses and
 * its services, ports, volumes and environment agree with each other and with the image.
 * No container engine runs here, so no image is built.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (path: string): string => readFileSync(resolve(ROOT, path), "utf8");

/** `[Section]` → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current === undefined || eq < 0) throw new Error(`unit: stray line ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

function run(
  cmd: string,
  args: readonly string[],
  cwd = ROOT,
): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe("deploy/provisio.service", () => {
  const unit = parseUnit(read("deploy/provisio.service"));
  const service = unit.get("Service")!;
  const one = (key: string): string | undefined => service.get(key)?.at(-1);

  it("passes systemd-analyze verify without a warning", async () => {
    // scripts/test_peers.sh installs systemd (for systemd-analyze) when it is missing.
    const { code, out } = await run("systemd-analyze", [
      "verify",
      resolve(ROOT, "deploy/provisio.service"),
    ]);
    expect(out).toBe("");
    expect(code).toBe(0);
  });

  it("keeps systemd's exposure estimate at 2.0 or below (0 = locked down, 10 = none)", async () => {
    // Measured 1.7 (systemd 252); a dropped hardening option raises it above the threshold.
    const { code, out } = await run("systemd-analyze", [
      "security",
      "--offline=true",
      "--threshold=20",
      resolve(ROOT, "deploy/provisio.service"),
    ]);
    expect(code, out.split("\n").slice(-2).join("\n")).toBe(0);
  });

  it("runs node itself (signals reach the server) as an unprivileged user", () => {
    const exec = one("ExecStart")!.split(/\s+/);
    expect(exec.slice(0, 3)).toEqual(["/usr/bin/node", "/opt/provisio/bin/provisio.js", "serve"]);
    expect(one("ExecStart")).not.toMatch(/\bnpm\b/);
    expect(one("User")).toBe("provisio");
    const data = exec[exec.indexOf("--data") + 1];
    expect(data).toBe("/var/lib/provisio");
    expect(one("ReadWritePaths")?.split(/\s+/)).toContain(data);
    expect(one("StateDirectory")).toBe("provisio");
  });

  it("may bind ports below 1024 and nothing else privileged", () => {
    expect(one("AmbientCapabilities")).toBe("CAP_NET_BIND_SERVICE");
    expect(one("CapabilityBoundingSet")).toBe("CAP_NET_BIND_SERVICE");
    for (const [key, value] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["PrivateTmp", "yes"],
      ["ProtectHome", "yes"],
      ["KillSignal", "SIGTERM"],
      ["Restart", "on-failure"],
    ] as const) {
      expect(one(key), key).toBe(value);
    }
    expect(unit.get("Install")?.get("WantedBy")).toEqual(["multi-user.target"]);
  });
});

describe("deploy/Dockerfile and its build context", () => {
  const dockerfile = read("deploy/Dockerfile");
  const lines = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const ignore = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

  /** Whether .dockerignore drops `path` (plain names and `**`/`*` globs are all it uses). */
  const ignored = (path: string): boolean =>
    ignore.some((pattern) => {
      const re = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*\*\//g, "(?:.*/)?")
          .replace(/\*/g, "[^/]*")}(?:/.*)?$`,
      );
      return re.test(path);
    });

  it("keeps node_modules, data and dist (and keys) out of the context", () => {
    for (const path of ["node_modules", "data", "dist", "build", "data/master.key", "x/a.key"]) {
      expect(ignored(path), path).toBe(true);
    }
    expect(ignored("src")).toBe(false);
  });

  it("copies only sources that exist in the context", () => {
    const copies = lines.filter((l) => /^COPY\s/i.test(l) && !/--from=/i.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const args = copy
        .split(/\s+/)
        .slice(1)
        .filter((a) => !a.startsWith("--"));
      for (const source of args.slice(0, -1)) {
        expect(existsSync(resolve(ROOT, source)), `${copy}: ${source}`).toBe(true);
        expect(ignored(source), `${copy}: ${source} is in .dockerignore`).toBe(false);
      }
    }
  });

  it("builds the bundle from the build stage's COPY sources alone, and runs from it", async () => {
    // The build stage up to `npm ci`: its COPY sources into an empty directory. npm ci
    // itself needs the registry, so the installed node_modules stands in for it; then the
    // `prepare` script npm ci runs, and the CLI from the bundle as the image starts it.
    const stage = lines.slice(
      0,
      lines.findIndex((l, i) => i > 0 && /^FROM\s/i.test(l)),
    );
    const dir = mkdtempSync(join(tmpdir(), "provisio-image-"));
    try {
      for (const copy of stage.filter((l) => /^COPY\s/i.test(l))) {
        const args = copy.split(/\s+/).slice(1);
        const target = args.at(-1)!;
        for (const source of args.slice(0, -1)) {
          const into = target.endsWith("/") ? join(dir, target, source) : join(dir, target);
          cpSync(resolve(ROOT, source), into, { recursive: true });
        }
      }
      symlinkSync(resolve(ROOT, "node_modules"), join(dir, "node_modules"));
      const prepare = (JSON.parse(read("package.json")) as { scripts: Record<string, string> })
        .scripts.prepare!;
      expect(prepare).toBe("node scripts/build.mjs && node scripts/build_ui.mjs");
      // npm runs `prepare` in the package's directory.
      for (const script of ["scripts/build.mjs", "scripts/build_ui.mjs"]) {
        const built = await run(process.execPath, [script], dir);
        expect(built.code, built.out).toBe(0);
      }
      expect(existsSync(join(dir, "dist/main.js"))).toBe(true);
      // The UI the admin listener serves, and the customer's activation page.
      expect(existsSync(join(dir, "dist/ui/admin/index.html"))).toBe(true);
      expect(existsSync(join(dir, "dist/ui/activation/index.html"))).toBe(true);
      const env = { ...process.env, PROVISIO_FROM_SOURCE: "0" };
      const version = await new Promise<string>((done) =>
        execFile(
          process.execPath,
          [join(dir, "bin/provisio.js"), "--version"],
          { env },
          (_e, out) => done(out.trim()),
        ),
      );
      expect(version).toBe((JSON.parse(read("package.json")) as { version: string }).version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("runs node bin/provisio.js as a non-root user, with the data volume and a health check", () => {
    const last = (instr: string): string =>
      lines.filter((l) => l.toUpperCase().startsWith(`${instr} `)).at(-1) ?? "";
    expect(last("USER")).toBe("USER provisio");
    expect(last("ENTRYPOINT")).toBe('ENTRYPOINT ["node", "/opt/provisio/bin/provisio.js"]');
    expect(last("CMD")).toBe('CMD ["serve"]');
    expect(last("VOLUME")).toBe('VOLUME ["/var/lib/provisio"]');
    expect(dockerfile).toMatch(/PROVISIO_DATA_DIR=\/var\/lib\/provisio/);
    expect(last("HEALTHCHECK")).toContain("/healthz");
    expect(read("src/server/node.ts")).toContain('"/healthz"');
    expect(read("src/api/admin_app.ts")).toContain('"/healthz"');
    expect(last("EXPOSE").split(/\s+/).slice(1).sort()).toEqual(
      ["69/udp", "8080/tcp", "8081/tcp", "8443/tcp"].sort(),
    );
  });
});

describe("deploy/compose.yaml", () => {
  interface Service {
    image?: string;
    build?: { context: string; dockerfile: string };
    environment?: Record<string, string>;
    ports?: string[];
    volumes?: string[];
    depends_on?: Record<string, unknown>;
  }
  const compose = parse(read("deploy/compose.yaml")) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const app = compose.services.provisio!;
  const env = app.environment!;

  it("names a PostgreSQL service the node's database URL points at", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["db", "provisio"]);
    const db = compose.services.db!;
    expect(db.image).toMatch(/^postgres:/);
    expect(Object.keys(app.depends_on ?? {})).toEqual(["db"]);
    const url = new URL(env.PROVISIO_DATABASE_URL!.replace(/\$\{[^}]*\}/g, "x"));
    expect(url.protocol).toBe("postgres:");
    expect(url.hostname).toBe("db");
    expect(url.pathname).toBe(`/${(db.environment as Record<string, string>).POSTGRES_DB}`);
  });

  it("builds the Dockerfile from the repository root", () => {
    const context = resolve(ROOT, "deploy", app.build!.context);
    expect(context).toBe(ROOT);
    expect(existsSync(resolve(context, app.build!.dockerfile))).toBe(true);
  });

  it("publishes the ports the node listens on, the admin API on loopback only", () => {
    const published = new Map<string, string>();
    for (const mapping of app.ports!) {
      const parts = mapping.split(":");
      published.set(parts.at(-1)!, parts.slice(0, -1).join(":"));
    }
    expect(published.get(`${env.PROVISIO_TFTP_PORT}/udp`)).toBe("69");
    expect(published.has(`${env.PROVISIO_HTTP_PORT}/tcp`)).toBe(true);
    expect(published.has(`${env.PROVISIO_HTTPS_PORT}/tcp`)).toBe(true);
    expect(published.get(`${env.PROVISIO_ADMIN_PORT}/tcp`)).toMatch(/^127\.0\.0\.1:/);
  });

  it("mounts declared volumes, the data volume where the image keeps its data", () => {
    const declared = Object.keys(compose.volumes);
    const mounts = Object.values(compose.services).flatMap((s) => s.volumes ?? []);
    for (const mount of mounts) expect(declared).toContain(mount.split(":")[0]);
    expect(app.volumes).toContain(`provisio-data:${env.PROVISIO_DATA_DIR}`);
    expect(env.PROVISIO_DATA_DIR).toBe("/var/lib/provisio");
  });
});
