/**
 * The Settings pages in Chromium against a real `provisio serve`: a tenant's settings
 * edited and read back through the API, an API token created whose secret is shown once
 * (and works), a user created who then signs in with their password in a fresh browser
 * context and sees an operator's console (no tokens or users tabs).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleWatch,
  checkPage,
  launchBrowser,
  startUiServer,
  type UiServer,
  watchConsole,
} from "./chromium.ts";
import { signInWithToken, VIEWPORT } from "./token_session.ts";

let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;

async function call(
  path: string,
  token = server.adminToken,
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field.
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.admin}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

async function openTab(name: string): Promise<void> {
  await page.getByRole("tab", { name }).click();
}

beforeAll(async () => {
  server = await startUiServer();
  browser = await launchBrowser();
  ({ context, page, watch } = await signInWithToken(browser, server, "/settings"));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("settings", () => {
  it("edits a tenant's settings", async () => {
    const tenants = page.getByRole("table", { name: "Tenants" });
    await tenants.getByRole("cell", { name: "default", exact: true }).waitFor();
    await checkPage(page, watch, "settings");
    await tenants.getByRole("button", { name: "Edit Default" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Default" });
    await dialog.getByRole("textbox", { name: "Logo text" }).fill("Acme Telecom");
    await dialog
      .getByRole("switch", { name: /Require a client certificate/ })
      .click({ force: true });
    await dialog.getByRole("button", { name: "Save tenant" }).click();
    await page.getByText("Tenant saved").waitFor();
    const { body } = await call("/api/v1/tenants/default");
    expect(body.settings.brandLogoText).toBe("Acme Telecom");
    expect(body.settings.requireClientCert).toBe(true);
    // Settings not touched keep their values.
    expect(body.settings.staging).toBe(true);
    await tenants.getByText("client certificates").waitFor();

    await openTab("Client CAs");
    await page.getByText("No trusted client CAs").waitFor();
    await checkPage(page, watch, "settings-client-cas");
  });

  it("creates an API token whose secret is shown once", async () => {
    await openTab("API tokens");
    const tokens = page.getByRole("table", { name: "API tokens" });
    await tokens.getByText("initial admin token").waitFor();
    await page.getByRole("button", { name: "New token" }).click();
    const dialog = page.getByRole("dialog", { name: "New API token" });
    await dialog.getByRole("textbox", { name: "Name" }).fill("noc");
    await dialog.getByRole("button", { name: "Create token" }).click();
    const field = dialog.getByRole("textbox", { name: "Token", exact: true });
    await field.waitFor();
    const secret = await field.inputValue();
    await dialog.getByRole("button", { name: "Copy token" }).click();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(secret);
    // The secret works, as an operator's.
    const whoami = await call("/api/v1/session", secret);
    expect(whoami.status).toBe(200);
    expect(whoami.body.principal).toMatchObject({ kind: "token", name: "noc", role: "operator" });
    await dialog.getByRole("button", { name: "Done" }).click();
    await tokens.getByRole("cell", { name: "noc", exact: true }).waitFor();
    // Shown once: nowhere on the page any more.
    expect(await page.getByText(secret).count()).toBe(0);
    expect(await page.locator(`input[value="${secret}"]`).count()).toBe(0);
    await checkPage(page, watch, "settings-tokens");
  });

  it("creates a user who signs in with a password in a new browser", async () => {
    await openTab("Users");
    await page.getByText("No users yet").waitFor();
    await page.getByRole("button", { name: "New user" }).click();
    const dialog = page.getByRole("dialog", { name: "New user" });
    await dialog.getByRole("textbox", { name: "Username" }).fill("alice");
    await dialog.getByRole("textbox", { name: "Password" }).fill("correct-horse-battery");
    await dialog.getByRole("button", { name: "Create user" }).click();
    const users = page.getByRole("table", { name: "Users" });
    await users.getByRole("cell", { name: "alice", exact: true }).waitFor();
    const listed = await call("/api/v1/users");
    expect(listed.body.items).toEqual([
      expect.objectContaining({ username: "alice", role: "operator", disabled: false }),
    ]);
    await checkPage(page, watch, "settings-users");

    const other = await browser.newContext({ viewport: VIEWPORT });
    other.setDefaultTimeout(60_000);
    try {
      const alice = await other.newPage();
      const aliceWatch = watchConsole(alice);
      await alice.goto(`${server.admin}/settings`);
      await alice.getByRole("textbox", { name: "Username" }).fill("alice");
      await alice.getByRole("textbox", { name: "Password" }).fill("correct-horse-battery");
      await alice.getByRole("button", { name: "Sign in" }).click();
      await alice.getByRole("navigation", { name: "Sections" }).waitFor();
      await alice.getByRole("banner").getByText("alice").waitFor();
      await alice.getByRole("table", { name: "Tenants" }).waitFor();
      // An operator sees neither tokens nor users, and edits no tenant.
      expect(await alice.getByRole("tab", { name: "API tokens" }).count()).toBe(0);
      expect(await alice.getByRole("tab", { name: "Users" }).count()).toBe(0);
      expect(await alice.getByRole("button", { name: "Edit Default" }).count()).toBe(0);
      expect(aliceWatch.errors).toEqual([]);
    } finally {
      await other.close();
    }

    // Disabling her is one click in the list.
    await users.getByRole("button", { name: "Disable alice" }).click();
    await users.getByText("disabled").waitFor();
    const after = await call("/api/v1/users");
    expect(after.body.items[0].disabled).toBe(true);
  });
});
