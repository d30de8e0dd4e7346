import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio layer unset", () => {
  it("warns about a parameter the layer does not hold, and still removes the others", {
    timeout: 90_000,
  }, async () => {
    const data = join(tempDir("unset"), "data");
    const add = await provisio([
      "device",
      "add",
      "--mac",
      "000e08000001",
      "--model",
      "SPA112",
      "-d",
      data,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const set = await provisio([
      "layer",
      "set",
      "--device",
      "000e08000001",
      "Resync_Periodic=600",
      "-d",
      data,
    ]);
    expect(set.code, set.stderr).toBe(0);
    const unset = await provisio([
      "layer",
      "unset",
      "--device",
      "000e08000001",
      "Nonexistent_Param",
      "Resync_Periodic",
      "-d",
      data,
    ]);
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stderr).toBe(
      "warning: Nonexistent_Param is not set in this layer; nothing to unset\n",
    );
    expect(unset.stdout).toContain("layer removed");
  });
});
