/**
 * The browser tests' harness: Debian's Chromium driven by playwright-core (no browser
 * download), a real `provisio serve` with the built admin UI, and the checks every page gets —
 * no console error, an accessibility scan (axe-core, WCAG 2 A/AA), a screenshot.
 *
 * Screenshots go to a temporary folder, or to docs/screenshots/ with
 * PROVISIO_SCREENSHOTS=1 (how the committed ones are refreshed).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { type ServeProcess, startServeProcess } from "../server/serve_process.ts";

const ROOT = resolve(import.meta.dirname, "../..");
export const CHROMIUM = "/usr/bin/chromium";
/** The flags this machine's closed network needs (no background fetches, no sandbox as root). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOTS =
  process.env.PROVISIO_SCREENSHOTS === "1"
    ? join(ROOT, "docs/screenshots")
    : mkdtempSync(join(tmpdir(), "provisio-screens-"));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A fresh browser profile (no cookies) on a laptop-sized screen. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await context.newPage();
  // A busy machine takes its time to start the UI; a deadline here is no assertion.
  page.setDefaultTimeout(90_000);
  return page;
}

/** Signs in through the UI's API-token tab, from wherever `page` is. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.getByRole("tab", { name: "API token" }).click();
  await page.getByRole("textbox", { name: "API token" }).fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

export interface ConsoleWatch {
  /** Console errors and uncaught page errors seen so far. */
  readonly errors: string[];
}

/** Collects the page's console errors and uncaught exceptions. */
export function watchConsole(page: Page): ConsoleWatch {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  return { errors };
}

const requireFromHere = createRequire(import.meta.url);
const AXE = readFileSync(requireFromHere.resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  readonly id: string;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/** Runs axe-core (WCAG 2 A and AA rules) on the page as it is; returns readable violations. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol rather than added as a script tag, which the
  // UI's Content-Security-Policy rightly refuses.
  await page.evaluate(`(() => { ${AXE}\n})()`);
  // A string, evaluated in the page: the test project has no DOM types.
  const violations: unknown = await page.evaluate(`
    window.axe
      .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
      .then((result) => result.violations)
  `);
  return (violations as AxeViolation[]).map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
}

/**
 * The checks every page gets once it has settled: no loading placeholder left, an
 * accessibility scan with no violation, no console error so far, and a screenshot.
 */
export async function checkPage(page: Page, watch: ConsoleWatch, name: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 60_000 }).toBe(0);
  // A dialog that just opened is still fading in: its text, half transparent, fails the
  // contrast rules on a machine fast enough to scan it mid-transition. The transition begins
  // on the frame after the dialog is mounted, hence two frames before waiting for it. A
  // looping animation (a spinner) never finishes: only the finite ones are waited for.
  await page.evaluate(`new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))
    .then(() => Promise.all(document.getAnimations()
      .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
      .map((a) => a.finished.catch(() => undefined))))`);
  expect(await accessibilityViolations(page), `accessibility of ${name}`).toEqual([]);
  expect(watch.errors, `console of ${name}`).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export interface UiServer {
  readonly serve: ServeProcess;
  readonly dir: string;
  /** The admin listener's base URL, where the UI is. */
  readonly admin: string;
  /** The first admin token the server wrote on first start. */
  readonly adminToken: string;
  /** Runs `provisio <args>` against this installation; returns stdout. */
  cli(args: readonly string[], input?: string): string;
  close(): Promise<void>;
}

/** A real `provisio serve` on a fresh data folder (test/build_ui.global.ts built the UI). */
export async function startUiServer(extraArgs: readonly string[] = []): Promise<UiServer> {
  const dir = mkdtempSync(join(tmpdir(), "provisio-ui-"));
  const data = join(dir, "data");
  const serve = await startServeProcess(data, extraArgs);
  const adminToken = readFileSync(join(data, "initial-admin-token"), "utf8").trim();
  return {
    serve,
    dir,
    admin: serve.admin,
    adminToken,
    cli(args, input) {
      return execFileSync(
        process.execPath,
        [join(ROOT, "bin/provisio.js"), ...args, "--data", data],
        {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, PROVISIO_FROM_SOURCE: "1" },
          ...(input === undefined ? { stdio: ["ignore", "pipe", "pipe"] } : { input }),
        },
      );
    },
    async close() {
      await serve.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
