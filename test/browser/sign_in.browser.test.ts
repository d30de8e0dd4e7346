/**
 * Signing in to the admin UI in Chromium against a real `provisio serve`: the sign-in page,
 * a wrong token refused with the server's message, an API token exchanged for a session,
 * the shell and its navigation, a reload that keeps the session, signing out.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleWatch,
  checkPage,
  launchBrowser,
  newPage,
  startUiServer,
  type UiServer,
  watchConsole,
} from "./chromium.ts";

let server: UiServer;
let browser: Browser;
let page: Page;
let watch: ConsoleWatch;

beforeAll(async () => {
  server = await startUiServer();
  browser = await launchBrowser();
  page = await newPage(browser);
  watch = watchConsole(page);
});

afterAll(async () => {
  await page?.context().close();
  await browser?.close();
  await server?.close();
});

describe("signing in to the admin UI", () => {
  it("serves the UI at / on the admin port, with headers that keep it out of frames", async () => {
    const response = await fetch(`${server.admin}/`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain('<div id="root">');
    // Its script loads without a session (the sign-in page is made of it), cached for good.
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${server.admin}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    // The API keeps its JSON answers.
    const api = await fetch(`${server.admin}/api/v1/nothing`, { headers: { accept: "text/html" } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("API_NOT_FOUND");
  });

  it("shows the sign-in page and refuses a wrong token with the server's message", async () => {
    await page.goto(`${server.admin}/devices`);
    await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isVisible()).toBe(true);
    await checkPage(page, watch, "sign-in");
    await page.getByRole("tab", { name: "API token" }).click();
    await page.getByRole("textbox", { name: "API token" }).fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Sign-in failed");
    watch.errors.length = 0; // the browser logs the refused request's 401 itself
  });

  it("signs in with the admin token, keeps the session across a reload, and signs out", async () => {
    await page.getByRole("textbox", { name: "API token" }).fill(server.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("navigation", { name: "Sections" }).isVisible())
      .toBe(true);
    // The address asked for before signing in is kept.
    expect(new URL(page.url()).pathname).toBe("/devices");
    await page.reload();
    await expect.poll(() => page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isVisible()).toBe(true);
  });
});
