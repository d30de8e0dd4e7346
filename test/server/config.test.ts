import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadServeConfig, redactUrl } from "../../src/server/config.ts";
import { tempDir } from "./helpers.ts";

describe("loadServeConfig", () => {
  it("defaults: HTTP 8080, HTTPS 8443, admin 8081, TFTP 6969, ./data, SQLite", () => {
    const cwd = tempDir("cfg");
    const c = loadServeConfig({ env: {}, cwd });
    expect([c.httpPort, c.httpsPort, c.adminPort, c.tftpPort]).toEqual([8080, 8443, 8081, 6969]);
    expect(c.dataDir).toBe(join(cwd, "data"));
    expect(c.database).toEqual({ kind: "sqlite", file: join(cwd, "data", "provisio.db") });
    expect(c.masterKeyFile).toBe(join(cwd, "data", "master.key"));
  });

  it("layers YAML < environment < flags", () => {
    const cwd = tempDir("cfg");
    writeFileSync(
      join(cwd, "provisio.yaml"),
      "http:\n  port: 9000\nhttps:\n  port: 9443\ndatabase:\n  url: postgres://u:pw@db/prov\n  schema: prov\ntftp:\n  port: off\n",
    );
    const c = loadServeConfig({
      env: { PROVISIO_HTTPS_PORT: "9444", PROVISIO_LOG_LEVEL: "warn" },
      flags: { httpPort: "9001" },
      cwd,
    });
    expect(c.configFile).toBe(join(cwd, "provisio.yaml"));
    expect(c.httpPort).toBe(9001);
    expect(c.httpsPort).toBe(9444);
    expect(c.tftpPort).toBeNull();
    expect(c.logLevel).toBe("warn");
    expect(c.database).toEqual({
      kind: "postgres",
      url: "postgres://u:pw@db/prov",
      schema: "prov",
    });
    expect(redactUrl("postgres://u:pw@db/prov")).toBe("postgres://u:***@db/prov");
  });

  it("names the culprit of an invalid value", () => {
    const cwd = tempDir("cfg");
    expect(() => loadServeConfig({ env: { PROVISIO_HTTP_PORT: "80a" }, cwd })).toThrow(
      /PROVISIO_HTTP_PORT: expected an integer/,
    );
    expect(() => loadServeConfig({ flags: { adminPort: "8080" }, env: {}, cwd })).toThrow(
      /distinct/,
    );
    writeFileSync(join(cwd, "bad.yaml"), "http: [\n");
    expect(() => loadServeConfig({ flags: { config: "bad.yaml" }, env: {}, cwd })).toThrow(/YAML/);
  });
});
