import { spawn } from "node:child_process";
import { waitForLog } from "./wait_for_log.ts";

/**
 * Starts the built server once on `dataDir` with every listener off, so it creates and
 * migrates the installation, and stops it when it is up (the benches import into it next).
 */
export async function installDataDir(runner: string, dataDir: string): Promise<void> {
  const off = ["--http-port", "--https-port", "--admin-port", "--tftp-port"].flatMap((f) => [
    f,
    "off",
  ]);
  const boot = spawn(
    process.execPath,
    [runner, "serve", "--data", dataDir, ...off, "--log-level", "info"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PROVISIO_WORKERS: "1" } },
  );
  await waitForLog(boot, "provisio listening", 120_000);
  boot.kill("SIGTERM");
  await new Promise((r) => boot.on("exit", r));
}
