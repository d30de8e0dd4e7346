import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio … add of something that exists", () => {
  it("names the set command that changes it", { timeout: 120_000 }, async () => {
    const data = join(tempDir("conflict"), "data");
    const twice = async (...args: string[]) => {
      const first = await provisio([...args, "-d", data]);
      expect(first.code, first.stderr).toBe(0);
      const again = await provisio([...args, "-d", data]);
      expect(again.code).toBe(1);
      return again.stderr;
    };
    expect(await twice("device", "add", "--mac", "000e08000001", "--model", "SPA112")).toBe(
      "provisio: device 000e08000001 already exists; change it with provisio device set 000e08000001 [STORE_CONFLICT]\n",
    );
    expect(await twice("group", "add", "lobby")).toContain(
      "; change it with provisio group set lobby [STORE_CONFLICT]",
    );
    expect(await twice("tenant", "add", "acme")).toContain(
      "; change it with provisio tenant set acme [STORE_CONFLICT]",
    );
  });
});
