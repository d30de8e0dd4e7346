import type { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProvisioError } from "../../src/errors.ts";

// How `provisio` reports failures (src/cli/main.ts): input problems as one
// `file:line:col: message [CODE]` line with exit 1; bugs as one line plus a hint, exit 70.
vi.mock("../../src/cli/commands.ts", () => ({
  COMMAND_LOADERS: {},
  loadAllCommands: async () => [
    (program: Command) =>
      program.command("bad-input").action(() => {
        throw new ProvisioError("PROFILE_XML_MALFORMED", "malformed XML profile: oops", {
          line: 2,
          column: 7,
          details: { reason: "mismatched-tag", file: "spa.xml" },
        });
      }),
    (program: Command) =>
      program.command("no-file").action(() => {
        throw new ProvisioError("CRYPTO_BAD_KEY", "cannot decrypt profile: wrong key");
      }),
    (program: Command) =>
      program.command("bug").action(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      }),
  ],
}));

const { main, EXIT_INTERNAL_ERROR } = await import("../../src/cli/main.ts");

async function runMain(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(["node", "provisio", ...args]);
    return { code, stderr };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("provisio error reporting", () => {
  it("a ProvisioError naming its file prints file:line:col: message [CODE], exit 1", async () => {
    expect(await runMain("bad-input")).toEqual({
      code: 1,
      stderr: "spa.xml:2:7: malformed XML profile: oops [PROFILE_XML_MALFORMED]\n",
    });
  });

  it("a ProvisioError without a file prints provisio: message [CODE], exit 1", async () => {
    expect(await runMain("no-file")).toEqual({
      code: 1,
      stderr: "provisio: cannot decrypt profile: wrong key [CRYPTO_BAD_KEY]\n",
    });
  });

  it("anything else is an internal error: one line and a hint, no stack, exit 70", async () => {
    const { code, stderr } = await runMain("bug");
    expect(code).toBe(EXIT_INTERNAL_ERROR);
    expect(code).toBe(70);
    const lines = stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "provisio: internal error: TypeError: Cannot read properties of undefined (reading 'x')",
    );
    expect(lines[1]).toMatch(/please report it/);
    expect(lines).toHaveLength(2);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("PROVISIO_DEBUG=1 adds the stack trace for a bug report", async () => {
    vi.stubEnv("PROVISIO_DEBUG", "1");
    try {
      const { stderr } = await runMain("bug");
      expect(stderr).toMatch(/\n\s+at /);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
