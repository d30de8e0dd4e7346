/**
 * `node bin/provisio.js serve` — what the systemd unit and the container run — stops cleanly
 * on SIGTERM: in-flight connections are let go, the node says `stopped` and the process
 * exits 0 on its own (an open listener or socket would keep it alive).
 */
import { createSocket } from "node:dgram";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../server/helpers.ts";
import { type ServeProcess, startServeProcess } from "../server/serve_process.ts";

const data = tempDir("deploy-signals");
let serve: ServeProcess | undefined;
afterAll(async () => {
  await serve?.stop();
  rmSync(data, { recursive: true, force: true });
});

function portOf(url: string): number {
  return Number(/:(\d+)$/.exec(url)?.[1]);
}

/** Whether a UDP port on 127.0.0.2 can be bound, i.e. nobody holds it any more. */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.2", () => socket.close(() => resolve(true)));
  });
}

describe("SIGTERM to node bin/provisio.js serve", () => {
  it("closes every listener and exits 0, with a keep-alive connection open", async () => {
    serve = await startServeProcess(data, [
      "--host",
      "127.0.0.2",
      "--admin-host",
      "127.0.0.1",
      "--tftp-port",
      "0",
    ]);
    const child = serve.child;
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    expect(serve.http).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(serve.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const listening = serve.logLines().find((l) => l.msg === "provisio listening");
    const tftpPort = Number(/:(\d+)$/.exec(String(listening?.tftp))?.[1]);
    expect(tftpPort).toBeGreaterThan(0);
    expect(await udpFree(tftpPort)).toBe(false);

    // A device's keep-alive connection, one request answered, left open.
    const socket = connect({ host: "127.0.0.2", port: portOf(serve.http) });
    const answered = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d: Buffer) => {
        text += d.toString("latin1");
        if (text.includes("\r\n\r\n")) resolve(text);
      });
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    socket.write(
      "GET /profile/000000000000.xml HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
    );
    expect(await answered).toMatch(/^HTTP\/1\.1 404/);

    child.kill("SIGTERM");
    const { code, signal } = await exited;
    await closed;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const messages = serve.logLines().map((l) => l.msg);
    expect(messages).toContain("signal received");
    expect(messages).toContain("stopped");
    expect(serve.stderr()).not.toMatch(/error/i);
    expect(await udpFree(tftpPort)).toBe(true);
  }, 120_000);
});
