import pg from "pg";

/**
 * LISTENs on a dedicated connection; every NOTIFY (sent by `announce` in the writer's
 * transaction, delivered at commit) wakes the change feed, which then reads the change log.
 * The connection reconnects with back-off, and wakes the feed after each reconnect so nothing
 * committed while it was down is missed. A slow safety poll covers a silently dead socket.
 */
export function watchPostgres(
  config: pg.ClientConfig,
  channel: string,
  wake: () => void,
  safetyPollMs: number,
): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoff = 100;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client(config);
    next.on("notification", (message) => {
      if (message.channel === channel) wake();
    });
    next.on("error", () => scheduleReconnect(next));
    next.on("end", () => scheduleReconnect(next));
    try {
      await next.connect();
      await next.query(`listen "${channel}"`);
      if (stopped) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      backoff = 100;
      wake();
    } catch {
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (failed: pg.Client): void => {
    if (stopped || retryTimer !== undefined) return;
    if (client !== undefined && client !== failed) return;
    client = undefined;
    failed.removeAllListeners("end");
    failed.end().catch(() => undefined);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, backoff);
    retryTimer.unref();
    backoff = Math.min(backoff * 2, 5_000);
  };

  void connect();
  const poll = setInterval(wake, safetyPollMs);
  poll.unref();

  return async () => {
    stopped = true;
    clearInterval(poll);
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    const current = client;
    client = undefined;
    if (current !== undefined) {
      current.removeAllListeners("end");
      await current.end().catch(() => undefined);
    }
  };
}
