import { describe, expect, it } from "vitest";
import { buildProgram, commandsFor } from "../../src/cli/main.ts";

// `provisio compile|decode|rule` load only their own command, so the process does not pay
// for the server's libraries (issue 3: compile of 10,000 parameters in < 200 ms); every
// other invocation sees every command.
const names = async (...args: string[]) =>
  buildProgram(await commandsFor(["node", "provisio", ...args])).commands.map((c) => c.name());

describe("which commands a run loads", () => {
  it.each([["compile"], ["decode"], ["rule"]])(
    "provisio %s loads just that command",
    async (command) => {
      expect(await names(command, "x")).toEqual([command]);
    },
  );
  it("anything else, --help and no command at all load every command", async () => {
    for (const args of [["--help"], [], ["help", "compile"], ["serve"], ["constructor"]]) {
      const all = await names(...args);
      expect(all).toEqual(expect.arrayContaining(["serve", "compile", "decode", "rule"]));
    }
  });
});
