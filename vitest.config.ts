import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Interop and socket tests spawn real processes; two cores is the budget.
    pool: "forks",
    maxWorkers: 2,
    // Under CI, also a JSON report: .ci/run prints the plain "N passed, N failed" line from it.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".ci-results.json" }]]
      : ["default"],
  },
});
