/**
 * `provisio serve` as one process or as a primary with device-plane workers
 * (`device_workers.ts`), from the same configuration: the operator's command starts the
 * primary, which forks the workers running the same command.
 */
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { ServeConfig } from "./config.ts";
import {
  answerMetricsRequests,
  ClusterRegistry,
  isDeviceWorker,
  receiveTicketKeys,
  reportFailed,
  reportReady,
  startWorkerPool,
  type TicketKeysMessage,
} from "./device_workers.ts";
import { ServerMetrics } from "./metrics.ts";
import {
  createLogger,
  listeningFields,
  type NodeAddresses,
  type StartNodeOptions,
  startNode,
} from "./node.ts";
import { isTicketKeys, TicketKeyRotation } from "./tls_sessions.ts";

export interface RunningServer {
  /** This process's part: `primary` and `worker` when the node runs workers. */
  readonly role: "single" | "primary" | "worker";
  readonly addresses: NodeAddresses;
  /** The admin token issued on this (first) start, if any — show it once, never log it. */
  readonly initialAdminToken: string | undefined;
  /** Live workers' process ids (none for a single process or a worker). */
  workerPids(): number[];
  /** Graceful shutdown of this process (a primary stops its workers first). */
  close(): Promise<void>;
}

/**
 * Starts this process's part of the node: everything when `config.workers` is 1; otherwise,
 * in the operator's process, the admin listener, TFTP and the workers, and in a worker, the
 * HTTP and HTTPS listeners.
 */
export async function startServing(
  config: ServeConfig,
  options: StartNodeOptions & { readonly logger: Logger },
): Promise<RunningServer> {
  const { logger } = options;
  if (isDeviceWorker()) return startWorker(config, options);
  if (config.workers <= 1 || (config.httpPort === null && config.httpsPort === null)) {
    const node = await startNode(config, options);
    return {
      role: "single",
      addresses: node.addresses,
      initialAdminToken: node.initialAdminToken,
      workerPids: () => [],
      close: () => node.close(),
    };
  }
  const registry = new ClusterRegistry();
  const node = await startNode(
    { ...config, httpPort: null, httpsPort: null },
    {
      ...options,
      metrics: new ServerMetrics({ registry }),
      announce: false,
      memoryShare: memoryShare(config),
    },
  );
  // One set of session-ticket keys for every worker: a device resumes its HTTPS session
  // whichever worker its next connection lands on.
  const keysMessage = (keys: Buffer): TicketKeysMessage => ({
    provisio: "ticket-keys",
    keys: keys.toString("base64"),
  });
  let pool: Awaited<ReturnType<typeof startWorkerPool>> | undefined;
  const rotation = new TicketKeyRotation((keys) => pool?.broadcast(keysMessage(keys)));
  try {
    pool = await startWorkerPool({
      count: config.workers,
      logger,
      onWorkerReady: (send) => send(keysMessage(rotation.current)),
    });
  } catch (error) {
    rotation.stop();
    await node.close();
    throw error;
  }
  const workers = pool;
  registry.askWorkersWith(() => workers.metrics());
  const addresses: NodeAddresses = {
    ...node.addresses,
    http: workers.addresses.http,
    https: workers.addresses.https,
  };
  logger.info(
    { ...listeningFields(config, addresses), workers: config.workers },
    "provisio listening",
  );
  let closing: Promise<void> | undefined;
  return {
    role: "primary",
    addresses,
    initialAdminToken: node.initialAdminToken,
    workerPids: () => workers.pids(),
    close() {
      closing ??= (async () => {
        rotation.stop();
        await workers.close();
        await node.close();
      })();
      return closing;
    },
  };
}

/**
 * Each process's part of the node's memory settings when it runs workers: the workers and the
 * primary (TFTP, the admin API's renders) take one equal part each. A device's resyncs land on
 * any worker, so each would otherwise cache the same profiles up to the whole budget.
 */
function memoryShare(config: ServeConfig): number {
  return 1 / (config.workers + 1);
}

async function startWorker(
  config: ServeConfig,
  options: StartNodeOptions & { readonly logger: Logger },
): Promise<RunningServer> {
  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    node = await startNode(
      { ...config, adminPort: null, tftpPort: null },
      {
        ...options,
        logger: options.logger ?? createLogger(config),
        issueInitialToken: false,
        worker: true,
        announce: "device-plane worker listening",
        memoryShare: memoryShare(config),
      },
    );
  } catch (error) {
    reportFailed(error);
    throw error;
  }
  const stopAnswering = answerMetricsRequests(node.metrics.registry);
  const stopReceiving = receiveTicketKeys((keys) => {
    if (isTicketKeys(keys)) node.setTicketKeys(keys);
  });
  const address = (a: AddressInfo | undefined): AddressInfo | undefined =>
    a === undefined ? undefined : { address: a.address, family: a.family, port: a.port };
  reportReady({ http: address(node.addresses.http), https: address(node.addresses.https) });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopAnswering();
      stopReceiving();
      await node.close();
      // The IPC channel would keep the process up.
      if (process.connected) process.disconnect();
    })();
    return closing;
  };
  // The primary is gone (killed): nobody hands out connections any more.
  process.once("disconnect", () => void close());
  return {
    role: "worker",
    addresses: node.addresses,
    initialAdminToken: undefined,
    workerPids: () => [],
    close,
  };
}
