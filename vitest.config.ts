import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The browser tests need the UI built from the current sources.
    // The CLI runs the sources when they are newer than its bundle.
    globalSetup: ["test/build_ui.global.ts", "test/cli_bundle.global.ts"],
    // Generous: a per-test deadline is an assertion on time, and the suite must pass on a
    // busy 2-core machine (a CPU hog beside it); a test that truly hangs still ends.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Interop and socket tests spawn real processes; two cores is the budget.
    pool: "forks",
    maxWorkers: 2,
    // Under CI, also a JSON report: .ci/run prints the plain "N passed, N failed" line from it.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".ci-results.json" }]]
      : ["default"],
  },
});
