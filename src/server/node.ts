/**
 * One Provisio server node: bootstrap the data directory, open the store, wire the caches to
 * the change feed, start the device-facing listeners (HTTP, HTTPS, TFTP) and the admin
 * listener, and shut all of it down gracefully.
 *
 * The admin application (REST API, UI) lives in `src/api`, which depends on this module; so
 * the CLI passes its factory in (`createAdmin`) and this module never imports `src/api`.
 * Without one, the admin listener serves `/healthz` and `/metrics` only.
 */

import { createServer as createPlainServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo, Socket } from "node:net";
import { isatty } from "node:tty";
import pino, { type DestinationStream, type Logger } from "pino";
import { defaultCatalogue } from "../profile/index.ts";
import type { Tenant } from "../store/index.ts";
import { openStore, readCaBundle, type Store } from "../store/index.ts";
import { nativeEndpointStatus, type TftpServer } from "../tftp/index.ts";
import { AccessLog } from "./access_log.ts";
import { ActivationPage, defaultActivationUiDir } from "./activation_page.ts";
import { ActivationStatus } from "./activation_status.ts";
import { type Bootstrapped, bootstrapDataDir } from "./bootstrap.ts";
import { ClearProfileWarning } from "./clear_profiles.ts";
import { describeConfig, type ServeConfig } from "./config.ts";
import { type ConnectionLimits, limitConnections, refusalReporter } from "./connection_limit.ts";
import { createDeviceFlows } from "./device_flows.ts";
import { serverError } from "./errors.ts";
import { EventRetention } from "./event_retention.ts";
import { createHttpServer } from "./http_adapter.ts";
import { createHttpsServer, type HttpsServer } from "./https_adapter.ts";
import { DeviceLifecycles, LIFECYCLE_MEMORY_DEVICES } from "./lifecycle.ts";
import { lifecycleTransitionCounter, registerLifecycleGauge } from "./lifecycle_metrics.ts";
import { LoadShedder } from "./load_shedding.ts";
import { ServerMetrics } from "./metrics.ts";
import { RouteTable } from "./path_pattern.ts";
import { ConfigCache } from "./profile_cache.ts";
import { ProfileRenderer } from "./profile_renderer.ts";
import { type CachedProfile, ResyncPipeline } from "./resync_pipeline.ts";
import { warnSecureProvisioning } from "./secure_provisioning_flow.ts";
import { warnStaging } from "./staging_flow.ts";
import { StatusWriter } from "./status_writer.ts";
import { storeOptionsFor } from "./store_access.ts";
import { startTftpListener } from "./tftp_adapter.ts";
import { ValueTemplates } from "./value_template.ts";

/** What an admin application factory gets (`createAdminApp` in src/api satisfies it). */
export interface AdminDeps {
  readonly store: Store;
  readonly registry: ServerMetrics["registry"];
  readonly logger: Logger;
  readonly dataDir: string;
  readonly config: ServeConfig;
  readonly pipeline: ResyncPipeline;
  readonly cache: ConfigCache<CachedProfile>;
}

/** The part of a Fastify instance the node uses. */
export interface AdminApp {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
  readonly server: Server;
}

export interface StartNodeOptions {
  readonly logger?: Logger;
  /** Use this store instead of opening the configured one (tests). */
  readonly store?: Store;
  readonly createAdmin?: (deps: AdminDeps) => Promise<AdminApp>;
  /** Issue the first admin token when the database has none (default true). */
  readonly issueInitialToken?: boolean;
  /** Count into these metrics (a primary's merged registry) instead of new ones. */
  readonly metrics?: ServerMetrics;
  /**
   * A device-plane worker (device_workers.ts): no event retention and no start-up warnings,
   * which its primary runs once for the node.
   */
  readonly worker?: boolean;
  /** The start-up line's message, or false to write none (default `provisio listening`). */
  readonly announce?: string | false;
  /**
   * HTTPS session-ticket keys from a primary that rotates them for all its workers (then
   * `setTicketKeys` on each rotation); without them the listener rotates its own.
   */
  readonly ticketKeys?: Buffer;
  /**
   * The part of the node's memory settings this process takes (default 1, all of it): the
   * `cache.*` budgets and the devices whose state it remembers are the node's, not each
   * process's, so adding workers does not multiply the node's memory.
   */
  readonly memoryShare?: number;
}

export interface NodeAddresses {
  readonly http: AddressInfo | undefined;
  readonly https: AddressInfo | undefined;
  readonly admin: AddressInfo | undefined;
  readonly tftp: AddressInfo | undefined;
}

export interface ProvisioNode {
  readonly config: ServeConfig;
  readonly store: Store;
  readonly metrics: ServerMetrics;
  readonly pipeline: ResyncPipeline;
  readonly cache: ConfigCache<CachedProfile>;
  readonly writer: StatusWriter;
  /** Devices' lifecycle states (MFG-RESET, SP-CUST, …) as this process saw them. */
  readonly lifecycles: DeviceLifecycles;
  /** Overload admission of this process's device requests. */
  readonly shedding: LoadShedder;
  readonly boot: Bootstrapped;
  readonly addresses: NodeAddresses;
  /** The admin token issued on this (first) start, if any — show it once, never log it. */
  readonly initialAdminToken: string | undefined;
  /** Replaces the HTTPS session-ticket keys (48 bytes; see `newTicketKeys`). */
  setTicketKeys(keys: Buffer): void;
  /** Stops accepting, lets in-flight requests finish, flushes writes, closes the store. */
  close(): Promise<void>;
}

/** Log redaction: never write secrets, whatever object ends up in a log line. */
export const LOG_REDACT_PATHS = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "key",
  "*.key",
  "*.deviceKey",
  "*.masterKey",
  "*.privateKeyPem",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.*.headers.authorization",
  "*.headers.cookie",
  "*.*.headers.cookie",
  // Device keys, the master key, private keys and SIP passwords, top level and nested.
  "deviceKey",
  "masterKey",
  "privateKeyPem",
  "*.*.password",
  "lines[*].password",
  "*.lines[*].password",
  "*.*.deviceKey",
  "*.*.secret",
  "*.*.token",
];

/**
 * The server's logger: JSON lines with ISO times for log shippers; on a terminal (or with
 * `log.format: pretty`) coloured, one line per entry, for people. Secrets are redacted
 * either way (`LOG_REDACT_PATHS`), before any formatting.
 */
export function createLogger(
  config: Pick<ServeConfig, "logLevel"> & Partial<Pick<ServeConfig, "logFormat">>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: LOG_REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const format = config.logFormat ?? "auto";
  const pretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  if (destination === undefined && pretty) return pino(options, prettyStream(1));
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * pino-pretty, in-process and synchronous (no worker thread: lines are not lost when the
 * process exits). Loaded only when used: it is CommonJS, hence `require`. The access line's
 * fields that its message already says are not repeated below it.
 */
export function prettyStream(fd: number | DestinationStream): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require("pino-pretty") as (options: Record<string, unknown>) => DestinationStream;
  const colorize = typeof fd === "number" ? isatty(fd) : false;
  return pretty({
    colorize,
    singleLine: true,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    ignore: "pid,hostname,access,method,status,result,bytes,ms",
    ...(typeof fd === "number" ? { destination: fd, sync: true } : { destination: fd }),
  });
}

/** A listener that could not bind (port taken, no permission): the operator's to fix, not a bug. */
function listenFailed(what: string, host: string, port: number, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // Not a socket error: thrown on as it came (a bug, reported as one).
  if (code === undefined) return error;
  return serverError(
    "SERVER_LISTEN_FAILED",
    `${what}: cannot listen on ${host}:${port} (${code})`,
    {
      cause: error,
      status: 500,
    },
  );
}

function listen(server: Server, port: number, host: string, what: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(listenFailed(what, host, port, error));
    };
    server.once("error", onError);
    // A deeper accept queue than Node's 511 (the kernel caps it at net.core.somaxconn): under
    // a flood of connections the caps reset, a device's connection still finds room.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

const openSockets = new WeakMap<Server, Set<Socket>>();

/**
 * Remembers every TCP connection of a listener. `closeAllConnections` only knows sockets
 * that carry HTTP requests; a socket detached by CONNECT, or stuck before its first request,
 * would otherwise keep `close()` waiting for ever.
 */
function trackConnections<S extends Server>(server: S): S {
  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return server;
}

/** Closes a listener: no new connections, idle ones closed, busy ones after `graceMs`. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => {
      server.closeAllConnections();
      for (const socket of openSockets.get(server) ?? []) socket.destroy();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * The admin listener's deadlines (its server comes from Fastify or `minimalAdmin`): headers
 * as fast as on the device plane, requests and silence up to `admin.request_timeout_ms`, so
 * a large CSV import can upload and run.
 */
function adminTimeouts(server: Server, config: ServeConfig): void {
  const headersTimeout = Math.min(
    config.limits.headersTimeoutMs,
    config.adminLimits.requestTimeoutMs,
  );
  server.headersTimeout = headersTimeout;
  server.requestTimeout = config.adminLimits.requestTimeoutMs;
  server.keepAliveTimeout = config.limits.keepAliveTimeoutMs;
  // Read when the server starts listening (Node's default is 30 s; not in @types/node).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(1_000, headersTimeout);
  server.setTimeout(config.adminLimits.requestTimeoutMs);
}

/** A minimal admin listener: `/healthz` and `/metrics`. */
function minimalAdmin(metrics: ServerMetrics, logger: Logger): AdminApp {
  const server = createPlainServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok"}\n');
      return;
    }
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          logger.error({ err: error }, "metrics failed");
          res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"error":{"code":"NOT_FOUND","message":"not found"}}\n');
  });
  return {
    server,
    listen: async ({ port, host }) => {
      const address = await listen(server, port, host, "admin");
      return `http://${address.address}:${address.port}`;
    },
    close: () => closeServer(server, 1000),
  };
}

export async function startNode(
  config: ServeConfig,
  options: StartNodeOptions = {},
): Promise<ProvisioNode> {
  const logger = options.logger ?? createLogger(config);
  const boot = await bootstrapDataDir(config);
  // The master keys' notices (an online rotation this node follows, a key it lacks) go to its log.
  boot.sealer.keyRing?.onNotice(({ level, message, details }) =>
    logger[level]({ masterKey: details ?? {} }, message),
  );
  for (const file of boot.created) logger.info({ file }, "created");
  for (const { path, from, to, failed } of boot.tightened) {
    if (failed === undefined)
      logger.warn({ path, from, to }, "was accessible to other users: mode tightened");
    else
      logger.warn(
        { path, mode: from, failed },
        "is accessible to other users and cannot be tightened",
      );
  }
  const store =
    options.store ??
    (await openStore(storeOptionsFor(config), {
      sealer: boot.sealer,
      reservedClientCas: [boot.deviceCaPem],
    }));

  let initialAdminToken: string | undefined;
  if (options.issueInitialToken !== false && (await store.tokens.list()).length === 0) {
    const issued = await store.tokens.issue({ name: "initial admin token", role: "admin" });
    initialAdminToken = issued.secret;
  }

  const metrics = options.metrics ?? new ServerMetrics();
  let routes = new RouteTable([]);
  let https: HttpsServer | undefined;
  // OpenSSL gets the certificates the store's reader accepts, re-encoded, never the stored
  // text: it would also load armors the store does not check (`X509 CERTIFICATE`, …).
  // Each bundle is read once: a tenant edit re-reads only bundles not seen before.
  let bundles = new Map<string, readonly string[]>();
  const trustedCas = (tenants: Iterable<Tenant>): string[] => {
    const pems = new Set([boot.deviceCaPem]);
    const seen = new Map<string, readonly string[]>();
    for (const t of tenants)
      for (const entry of t.settings.trustedClientCas) {
        let certs = seen.get(entry) ?? bundles.get(entry);
        certs ??= readCaBundle(entry).certificates.map((cert) => cert.toString());
        seen.set(entry, certs);
        for (const pem of certs) pems.add(pem);
      }
    bundles = seen;
    return [...pems];
  };
  // At start-up and on every tenant change seen (workers leave it to the primary).
  const clearProfiles = options.worker === true ? undefined : new ClearProfileWarning(logger);
  const share = options.memoryShare ?? 1;
  const shareOf = (whole: number): number => Math.max(1, Math.floor(whole * share));
  const cache = new ConfigCache<CachedProfile>(store, {
    maxProfileBytes: shareOf(config.profileCacheBytes),
    maxDeviceBytes: shareOf(config.deviceCacheBytes),
    maxLayerBytes: shareOf(config.layerCacheBytes),
    profileBytes: cachedProfileBytes,
    onTenantsChanged: (tenants) => {
      clearProfiles?.check(tenants);
      const previous = routes;
      routes = new RouteTable(tenants, previous);
      const known = new Set(previous.problems);
      for (const problem of routes.problems) {
        if (!known.has(problem)) logger.warn({ problem }, "profile path ignored");
      }
      try {
        https?.updateTrust(trustedCas(tenants));
      } catch (error) {
        logger.error({ err: error }, "cannot update trusted client CAs");
      }
    },
  });
  const unsubscribe = store.changes.subscribe((notice) => cache.invalidate(notice));
  await cache.start();

  const noRoutes = new RouteTable([]);
  const writer = new StatusWriter({
    sink: { write: (batch) => store.devices.recordActivity(batch) },
    intervalMs: config.flushIntervalMs,
    onFlush: (result) => {
      metrics.flush(result.ok);
      if (!result.ok) logger.warn({ err: result.error }, "batched status write failed; will retry");
    },
  });
  metrics.observe({
    cacheSize: () => cache.profileCount,
    cacheBytes: () => cache.profileBytes,
    pendingWrites: () => writer.pending,
  });

  const renderer = new ProfileRenderer({
    catalogue: defaultCatalogue,
    templates: new ValueTemplates(),
  });
  // Redirect service, activation, redirect status (device_flows.ts); a redirect-only server
  // answers no tenant profile path.
  const lifecycles = new DeviceLifecycles({
    events: writer,
    // Written with the statuses and events, one transaction a flush.
    record: (updates) => writer.lifecycle(updates),
    logger,
    onTransition: lifecycleTransitionCounter(metrics.registry),
    intervalMs: config.flushIntervalMs,
    maxDevices: shareOf(LIFECYCLE_MEMORY_DEVICES),
    changes: store.changes,
  });
  if (options.worker !== true) {
    registerLifecycleGauge(metrics.registry, {
      perState: () => store.lifecycle.counts(),
      total: () => store.devices.count(),
    });
    warnStaging(cache.tenants.values(), config, logger);
    warnSecureProvisioning(cache.tenants.values(), logger);
  }
  const flows = createDeviceFlows({
    config,
    store,
    cache,
    renderer,
    builtInClientCas: [boot.deviceCaPem],
    logger,
    lifecycles,
    routes: () => (config.role === "redirect" ? noRoutes : routes),
    events: writer,
    registry: options.worker === true ? undefined : metrics.registry,
    httpPort: () => addresses.http?.port,
  });
  await flows.ready;
  const pipeline = new ResyncPipeline({
    cache,
    routes: () => (config.role === "redirect" ? noRoutes : routes),
    renderer,
    hooks: flows.hooks,
    writer,
    metrics,
    logger,
    catalogue: defaultCatalogue,
    builtInClientCas: [boot.deviceCaPem],
    createDevice: (input) => store.devices.create(input, { actor: "system:auto-create" }),
    maxUrlBytes: config.limits.maxUrlBytes,
    repeatEventWindowMs: config.repeatEventWindowMs,
    repeatStatusWindowMs: config.repeatStatusWindowMs,
    missesPerMinute: config.missesPerMinute,
    accessLog: new AccessLog({ logger, enabled: config.logAccess }),
  });
  const retention = new EventRetention({
    events: store.events,
    horizonDays: config.eventRetentionDays,
    logger,
  });

  const shedding = new LoadShedder({
    settings: config.shedding,
    logger,
    registry: metrics.registry,
  });
  // The customer's activation page answers its own paths on HTTP/HTTPS (activation_page.ts).
  const page =
    config.role === "redirect"
      ? undefined
      : new ActivationPage({
          dir: defaultActivationUiDir(),
          status: new ActivationStatus({
            store,
            tenant: (id) => cache.tenant(id),
            logger,
            publicUrls: { http: config.publicHttpUrl, https: config.publicHttpsUrl },
            httpsPort: () => addresses.https?.port,
          }),
        });
  const handler = page?.wrap(pipeline) ?? pipeline;
  const listenerOptions = { handler, limits: config.limits, logger, shedding };
  const limitListener = (server: Server, limits: ConnectionLimits, listener: string): void => {
    limitConnections(
      server,
      limits,
      refusalReporter(listener, logger, (reason) =>
        metrics.securityEvent(`connection-limit-${reason}`),
      ),
    );
  };
  const servers: Server[] = [];
  let admin: AdminApp | undefined;
  let tftp: TftpServer | undefined;
  const addresses: { -readonly [K in keyof NodeAddresses]: NodeAddresses[K] } = {
    http: undefined,
    https: undefined,
    admin: undefined,
    tftp: undefined,
  };
  const shutdownListeners = async (): Promise<void> => {
    await Promise.all([
      ...servers.map((s) => closeServer(s, config.shutdownGraceMs)),
      admin?.close(),
      tftp?.close(),
    ]);
  };
  try {
    if (config.httpPort !== null) {
      const server = trackConnections(createHttpServer(listenerOptions));
      limitListener(server, config.limits, "http");
      servers.push(server);
      addresses.http = await listen(server, config.httpPort, config.host, "HTTP");
    }
    if (config.httpsPort !== null) {
      const [first, ...others] = boot.serverCertificates.map((p) => ({
        cert: p.certPem,
        key: p.keyPem,
      }));
      if (!boot.hasRsaServerCertificate) {
        logger.warn(
          { cert: config.tlsCertFile },
          "the HTTPS certificate has no RSA key: SPA/MPP units offer only RSA suites and cannot connect",
        );
      }
      if (config.httpsLegacyTls) {
        logger.warn("HTTPS accepts TLS 1.0 and 1.1 (https.legacy_tls): for old unit firmware only");
      }
      https = createHttpsServer(listenerOptions, {
        cert: first?.cert ?? boot.serverCertPem,
        key: first?.key ?? boot.serverKeyPem,
        alternates: others,
        clientCas: trustedCas(cache.tenants.values()),
        legacyTls: config.httpsLegacyTls,
        ...(options.ticketKeys === undefined ? {} : { ticketKeys: options.ticketKeys }),
      });
      limitListener(https.server, config.limits, "https");
      servers.push(trackConnections(https.server));
      addresses.https = await listen(https.server, config.httpsPort, config.host, "HTTPS");
    }
    if (config.adminPort !== null) {
      const deps: AdminDeps = {
        store,
        registry: metrics.registry,
        logger,
        dataDir: config.dataDir,
        config,
        pipeline,
        cache,
      };
      admin = options.createAdmin ? await options.createAdmin(deps) : minimalAdmin(metrics, logger);
      adminTimeouts(admin.server, config);
      limitListener(admin.server, config.adminLimits, "admin");
      const adminPort = config.adminPort;
      await admin.listen({ port: adminPort, host: config.adminHost }).catch((error: unknown) => {
        throw listenFailed("admin", config.adminHost, adminPort, error);
      });
      addresses.admin = admin.server.address() as AddressInfo;
    }
    if (config.tftpPort !== null) {
      const tftpPort = config.tftpPort;
      const started = await startTftpListener({
        handler: pipeline,
        filesDir: config.filesDir,
        port: tftpPort,
        host: config.host,
        limits: config.tftpLimits,
        logger,
        metrics,
        shedding,
        maxUploadBytes: config.limits.maxBodyBytes,
      }).catch((error: unknown) => {
        throw listenFailed("TFTP", config.host, tftpPort, error);
      });
      tftp = started.server;
      addresses.tftp = started.address;
    }
  } catch (error) {
    await shutdownListeners();
    pipeline.close();
    shedding.close();
    await lifecycles.close();
    await writer.close();
    unsubscribe();
    flows.close();
    if (options.store === undefined) await store.close();
    throw error;
  }

  if (options.announce !== false) {
    logger.info(listeningFields(config, addresses), options.announce ?? "provisio listening");
  }

  if (options.worker !== true) retention.start();
  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    metrics,
    pipeline,
    cache,
    writer,
    lifecycles,
    shedding,
    boot,
    addresses,
    initialAdminToken,
    setTicketKeys(keys) {
      https?.setTicketKeys(keys);
    },
    close() {
      closing ??= (async () => {
        logger.info("shutting down: finishing in-flight requests");
        await shutdownListeners();
        await retention.stop();
        pipeline.close();
        shedding.close();
        await lifecycles.close();
        await writer.close();
        unsubscribe();
        flows.close();
        if (options.store === undefined) await store.close();
        logger.info("stopped");
      })();
      return closing;
    },
  };
}

/**
 * What a cached profile holds in memory: its bytes, plus its two ready-made answers, their
 * headers and its dependency list (measured: about 1 KB beside the body, docs/decisions.md).
 */
function cachedProfileBytes(profile: CachedProfile): number {
  return profile.rendered.body.byteLength + 1024;
}

/** Which transfer I/O TFTP uses, for the start-up log line. */
function tftpIoDescription(): string {
  const native = nativeEndpointStatus();
  return native.loaded ? "native (recvmmsg/sendmmsg)" : `node:dgram (${native.reason})`;
}

/** The start-up line's fields: the configuration as it may be logged, and the listeners' URLs. */
export function listeningFields(
  config: ServeConfig,
  addresses: NodeAddresses,
): Record<string, unknown> {
  const url = (scheme: string, a: AddressInfo | undefined): string | null =>
    a === undefined
      ? null
      : `${scheme}://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  return {
    ...describeConfig(config),
    http: url("http", addresses.http),
    https: url("https", addresses.https),
    admin: url("http", addresses.admin),
    tftp:
      addresses.tftp === undefined ? null : `udp ${addresses.tftp.address}:${addresses.tftp.port}`,
    ...(addresses.tftp === undefined ? {} : { tftpIo: tftpIoDescription() }),
  };
}
