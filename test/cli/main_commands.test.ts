import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildProgram, commandsFor } from "../../src/cli/main.ts";

// A run loads only the command it names (its own chunk in the bundle), so `provisio compile`
// does not pay for the server's libraries (issue 3) and `provisio device list` not for
// Fastify or the server node (issue 9); `--version` loads none; help loads every command.
const names = async (...args: string[]) =>
  buildProgram(await commandsFor(["node", "provisio", ...args])).commands.map((c) => c.name());

const ALL = ["serve", "compile", "decode", "rule", "device", "account", "layer", "token", "pki"];

describe("which commands a run loads", () => {
  it.each([
    ["compile"],
    ["decode"],
    ["rule"],
    ["serve"],
    ["device"],
    ["layer"],
    ["tenant"],
    ["audit"],
  ])("provisio %s loads just that command", async (command) => {
    expect(await names(command, "x")).toEqual([command]);
  });
  it("--version loads no command, and says package.json's version (as bin/provisio.js does)", async () => {
    expect(await names("--version")).toEqual([]);
    expect(await names("-V")).toEqual([]);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(buildProgram([]).version()).toBe((pkg as { version: string }).version);
  });
  it("--help, help, no command and a name that is not a command load every command", async () => {
    for (const args of [["--help"], [], ["help", "compile"], ["constructor"], ["devise"]]) {
      expect(await names(...args)).toEqual(expect.arrayContaining(ALL));
    }
  });
});
