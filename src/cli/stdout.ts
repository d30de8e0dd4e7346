import { writeSync } from "node:fs";

/**
 * Standard output for the management commands, written straight to file descriptor 1.
 * `process.stdout` is built on first use, and building it loads Node's stream machinery (and,
 * for a pipe or a terminal, its socket layer): a fifth of what `device list` costs above
 * Node's own start (D49). Node writes a pipe, a file or a terminal synchronously on Linux
 * anyway, so writing the descriptor directly keeps the order and the blocking of
 * `process.stdout.write`.
 */
export function writeStdout(data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A descriptor its owner made non-blocking (a shared terminal or pipe): wait, retry.
      if (code === "EAGAIN") pause(1);
      // The reader went away (`provisio device list | head -1`): stop quietly, as `cat` does.
      else if (code === "EPIPE") readerGone();
      else throw error;
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Ends the process with the status it has so far: what a closed stdout means to a command. */
export function readerGone(): never {
  process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
}
