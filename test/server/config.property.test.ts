/**
 * Property tests of `provisio serve` configuration (src/server/config.ts): random environment
 * values, flags and YAML files give a typed, valid configuration or SERVER_CONFIG_INVALID —
 * never another exception.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { isProvisioError } from "../../src/errors.ts";
import { loadServeConfig, type ServeConfig } from "../../src/server/config.ts";

const dir = mkdtempSync(join(tmpdir(), "provisio-config-prop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV_KEYS = [
  "PROVISIO_HOST",
  "PROVISIO_DATA_DIR",
  "PROVISIO_HTTP_PORT",
  "PROVISIO_HTTPS_PORT",
  "PROVISIO_ADMIN_PORT",
  "PROVISIO_TFTP_PORT",
  "PROVISIO_DATABASE_URL",
  "PROVISIO_DATABASE_SCHEMA",
  "PROVISIO_MASTER_KEY_FILE",
  "PROVISIO_TLS_CERT",
  "PROVISIO_TLS_KEY",
  "PROVISIO_LOG_LEVEL",
  "PROVISIO_MAX_URL_BYTES",
  "PROVISIO_MAX_BODY_BYTES",
  "PROVISIO_MAX_HEADER_BYTES",
  "PROVISIO_REQUEST_TIMEOUT_MS",
  "PROVISIO_KEEP_ALIVE_TIMEOUT_MS",
  "PROVISIO_FLUSH_INTERVAL_MS",
  "PROVISIO_REPEAT_EVENT_WINDOW_MS",
  "PROVISIO_REPEAT_STATUS_WINDOW_MS",
  "PROVISIO_SHUTDOWN_GRACE_MS",
] as const;

const text = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "0",
    "1",
    "80",
    "8080",
    "65535",
    "65536",
    "-1",
    "1e3",
    "0x50",
    "08080",
    "99999999999999999999999",
    "off",
    "OFF",
    "false",
    "none",
    "NaN",
    "Infinity",
    "info",
    "DEBUG",
    "verbose",
    "postgres://u:p@127.0.0.1/db",
    "postgresql://h/db",
    "sqlite:",
    "sqlite://",
    "sqlite:///tmp/x.db",
    "public",
    "Bad-Schema",
    "__proto__",
    "constructor",
    "\u0000",
    "٣",
  ),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.integer({ min: -10, max: 4_000_000 }).map(String),
);

/** A YAML scalar or structure where the file has a value. */
const yamlValue: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer({ min: -100, max: 5_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("port", "url", "x"), text, { maxKeys: 2 }),
);

const section = (keys: readonly string[]) =>
  fc.oneof(
    yamlValue,
    fc.record(Object.fromEntries(keys.map((k) => [k, yamlValue])), { requiredKeys: [] }),
  );

const yamlDoc = fc.record(
  {
    host: yamlValue,
    data_dir: yamlValue,
    master_key_file: yamlValue,
    shutdown_grace_ms: yamlValue,
    http: section(["port"]),
    https: section(["port", "cert", "key"]),
    admin: section(["port"]),
    tftp: section(["port"]),
    database: section(["url", "schema"]),
    log: section(["level"]),
    limits: section([
      "max_url_bytes",
      "max_body_bytes",
      "max_header_bytes",
      "request_timeout_ms",
      "keep_alive_timeout_ms",
    ]),
    writes: section(["flush_interval_ms", "repeat_event_window_ms", "repeat_status_window_ms"]),
  },
  { requiredKeys: [] },
);

/** YAML text: a generated document, raw YAML oddities, or plain noise. */
const yamlText = fc.oneof(
  { weight: 5, arbitrary: yamlDoc.map((doc) => stringify(doc)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "host: &a [*a]\n",
      "http: &h {port: *h}\n",
      "database: &d\n  url: *d\n",
      "limits: &l\n  max_url_bytes: [*l]\n",
      "a: &a [*a, *a]\nb: &b [*a, *a]\nc: [*b, *b]\nhost: [*c, *c, *c]\n",
      "host: !!str 8080\n",
      "host: !!map {a: 1}\n",
      "http:\n  port: !!int 8080\n",
      "http:\n  port: 0o17\n",
      "http:\n  port: 1_000\n",
      "- a\n- b\n",
      "just a string\n",
      "42\n",
      "http: {port: 8080\n",
      "host: 'unterminated\n",
      "%YAML 1.2\n---\nhost: x\n",
      "host: x\n---\nhost: y\n",
      "__proto__: {host: x}\n",
      "<<: {host: x}\n",
      "\ufeffhost: x\n",
      "log: {level: !!str 1}\n",
      "http: {port: .inf}\n",
      "http: {port: .nan}\n",
      "http: {port: 12345678901234567890}\n",
      "http: {port: -0}\n",
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
);

function checkTyped(config: ServeConfig): void {
  for (const port of [config.httpPort, config.httpsPort, config.adminPort, config.tftpPort]) {
    if (port !== null) {
      expect(Number.isInteger(port)).toBe(true);
      expect(port).toBeGreaterThanOrEqual(0);
      expect(port).toBeLessThanOrEqual(65535);
    }
  }
  expect(typeof config.host).toBe("string");
  expect(config.host.length).toBeGreaterThan(0);
  expect(isAbsolute(config.dataDir)).toBe(true);
  expect(isAbsolute(config.masterKeyFile)).toBe(true);
  expect(isAbsolute(config.tlsCertFile)).toBe(true);
  if (config.database.kind === "sqlite") expect(isAbsolute(config.database.file)).toBe(true);
  else expect(config.database.url).toMatch(/^postgres(ql)?:\/\//i);
  const l = config.limits;
  for (const [v, min, max] of [
    [l.maxUrlBytes, 64, 65536],
    [l.maxBodyBytes, 0, 64 * 1024 * 1024],
    [l.maxHeaderBytes, 1024, 65536],
    [l.requestTimeoutMs, 100, 3_600_000],
    [l.keepAliveTimeoutMs, 100, 3_600_000],
    [config.flushIntervalMs, 10, 60_000],
    [config.shutdownGraceMs, 0, 600_000],
  ] as const) {
    expect(Number.isInteger(v)).toBe(true);
    expect(v).toBeGreaterThanOrEqual(min);
    expect(v).toBeLessThanOrEqual(max);
  }
}

function loadOrCode(run: () => ServeConfig): void {
  let config: ServeConfig;
  try {
    config = run();
  } catch (error) {
    if (!isProvisioError(error)) throw error;
    expect(error.code).toBe("SERVER_CONFIG_INVALID");
    expect(error.message.length).toBeLessThan(100_000);
    return;
  }
  checkTyped(config);
}

describe("loadServeConfig (property)", () => {
  it("random environment values and flags → typed config or SERVER_CONFIG_INVALID", () => {
    const env = fc.dictionary(fc.constantFrom(...ENV_KEYS), text, { maxKeys: 8 });
    const flags = fc.record(
      {
        host: text,
        httpPort: text,
        httpsPort: text,
        adminPort: text,
        tftpPort: text,
        database: text,
        logLevel: text,
        data: text,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(env, flags, (e, f) => {
        loadOrCode(() => loadServeConfig({ env: e, flags: f, cwd: dir }));
      }),
      { numRuns: 10_000 },
    );
  });

  it("random YAML files (with env on top) → typed config or SERVER_CONFIG_INVALID", () => {
    const file = join(dir, "provisio.yaml");
    fc.assert(
      fc.property(
        yamlText,
        fc.dictionary(fc.constantFrom(...ENV_KEYS), text, { maxKeys: 3 }),
        (yaml, env) => {
          writeFileSync(file, yaml);
          loadOrCode(() => loadServeConfig({ env, flags: { config: file }, cwd: dir }));
        },
      ),
      // Each run writes and reads a file: sized to finish well inside the timeout on a busy
      // 2-core machine (10,000 took 30–40 s there).
      { numRuns: 2_000 },
    );
  });
});
