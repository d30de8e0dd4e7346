import type { ChildProcess } from "node:child_process";

/**
 * Waits until a child process prints `text` (on stdout or stderr); resolves with what it
 * printed so far, rejects with it after `timeoutMs`. The benches start servers this way.
 */
export function waitForLog(child: ChildProcess, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes(text)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        resolve(output);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
}
