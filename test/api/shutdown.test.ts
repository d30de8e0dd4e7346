import { describe, expect, it } from "vitest";
import { OperationRegistry } from "../../src/api/index.ts";
import { startApi } from "./helpers.ts";

describe("admin app shutdown", () => {
  it("stops a running import between batches instead of holding the shutdown", async () => {
    const operations = new OperationRegistry();
    const api = await startApi({ deps: { operations } });
    const rows = ["mac"];
    for (let i = 0; i < 200_000; i++) rows.push(`02${i.toString(16).padStart(10, "0")}`);
    const res = await api.request("POST", "/api/v1/devices/import?batchSize=1000", {
      raw: rows.join("\n"),
    });
    expect(res.status).toBe(202);
    const operation = operations.get(res.body.operation.id)!;
    while (operation.progress.committed < 2000) await new Promise((r) => setTimeout(r, 5));
    const closing = performance.now();
    await api.close();
    expect(performance.now() - closing).toBeLessThan(5_000);
    expect(operation.status).toBe("failed");
    expect(operation.error?.code).toBe("API_UNAVAILABLE");
    expect(operation.progress.committed).toBeLessThan(200_000);
    expect(operation.progress.committed % 1000).toBe(0);
  }, 120_000);
});
