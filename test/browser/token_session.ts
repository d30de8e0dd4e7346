/** A browser context signed in to the admin UI with the server's first admin token. */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type ConsoleWatch, type UiServer, watchConsole } from "./chromium.ts";

export const VIEWPORT = { width: 1366, height: 800 };

export interface SignedIn {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly watch: ConsoleWatch;
}

/** Opens `path`, signs in on the API-token tab and waits for the shell; clipboard allowed. */
export async function signInWithToken(
  browser: Browser,
  server: UiServer,
  path: string,
): Promise<SignedIn> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const watch = watchConsole(page);
  await page.goto(`${server.admin}${path}`);
  await page.getByRole("tab", { name: "API token" }).click();
  await page.getByRole("textbox", { name: "API token" }).fill(server.adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
  return { context, page, watch };
}
