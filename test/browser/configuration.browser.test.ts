/**
 * The Configuration, Accounts and Activation codes pages in Chromium against a real
 * `provisio serve`: a tenant layer edited in the layer editor (a parameter name completed
 * from the catalogue, a bad value refused by the server as it is typed, the preview's count
 * of affected devices, saved and read back through the API with its ua tag), an account
 * created with a line and opened with its device, an activation code issued and its device
 * URL copied from the page.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleWatch,
  checkPage,
  launchBrowser,
  startUiServer,
  type UiServer,
} from "./chromium.ts";
import { signInWithToken } from "./token_session.ts";

let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;

const MAC = "000e08c0ffee";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field.
async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.admin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

beforeAll(async () => {
  server = await startUiServer();
  await call("POST", "/api/v1/devices", { mac: MAC, model: "SPA112", label: "Front desk" });
  browser = await launchBrowser();
  ({ context, page, watch } = await signInWithToken(browser, server, "/configuration"));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the layer editor", () => {
  it("edits the tenant layer: autocomplete, a refused value, the preview, save", async () => {
    await page.getByText("No parameters in this layer").waitFor();
    await page.getByRole("button", { name: "Add parameter" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a parameter" });
    await dialog.getByLabel("Parameter").fill("Resync_Perio");
    await page.getByRole("option", { name: "Resync_Periodic", exact: true }).click();
    expect(await dialog.getByLabel("Parameter").inputValue()).toBe("Resync_Periodic");

    // A value that is not a number of seconds: the server's message under the field.
    await dialog.getByRole("textbox", { name: "Value", exact: true }).fill("every hour");
    const valueError = dialog.locator(".mantine-InputWrapper-error");
    await expect.poll(() => valueError.textContent(), { timeout: 60_000 }).toMatch(/\S/);
    expect(await dialog.getByRole("button", { name: "Add to changes" }).isDisabled()).toBe(true);

    await dialog.getByRole("textbox", { name: "Value", exact: true }).fill("7200");
    await dialog.getByText("The server accepts this parameter.").waitFor();
    await dialog.getByRole("combobox", { name: "User access (ua)" }).click();
    await page.getByRole("option", { name: /^rw/ }).click();
    await dialog.getByRole("button", { name: "Add to changes" }).click();

    const changes = page.getByRole("region", { name: "Unsaved changes" });
    await changes.getByText("1 unsaved change").waitFor();
    await changes.getByRole("button", { name: "Preview affected devices" }).click();
    await expect
      .poll(() => page.getByTestId("preview-summary").textContent(), { timeout: 60_000 })
      .toContain("1 device gets a different effective value");
    await changes.getByRole("link", { name: "00:0e:08:c0:ff:ee" }).waitFor();
    await checkPage(page, watch, "configuration");

    await changes.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Layer saved").waitFor();
    const layer = await call("GET", "/api/v1/tenants/default/layer");
    expect(layer.parameters).toContainEqual({
      name: "Resync_Periodic",
      value: "7200",
      access: "rw",
      secret: false,
    });
    expect(
      await page
        .getByRole("table", { name: /Parameters of/ })
        .getByText("7200")
        .isVisible(),
    ).toBe(true);
  });
});

describe("accounts", () => {
  it("creates an account with a line and shows it with its device", async () => {
    await page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Accounts" })
      .click();
    await page.getByText("No accounts yet").waitFor();
    await page.getByRole("button", { name: "New account" }).click();
    const dialog = page.getByRole("dialog", { name: "New account" });
    await dialog.getByLabel("Reference").fill("C-1001");
    await dialog.getByLabel("Name", { exact: true }).fill("Alice Martin");
    const line = dialog.getByRole("group", { name: "Line 1" });
    await line.getByLabel("User ID").fill("1001");
    await line.getByRole("textbox", { name: "Password" }).fill("Secret-1001");
    await line.getByLabel("Proxy", { exact: true }).fill("sip.example.com");
    await dialog.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Account C-1001" }).waitFor();

    const account = await call("GET", "/api/v1/accounts/C-1001");
    expect(account.lines).toEqual([
      expect.objectContaining({
        line: 1,
        userId: "1001",
        proxy: "sip.example.com",
        hasPassword: true,
      }),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/accounts/${account.id}`);

    await call("PATCH", `/api/v1/devices/${MAC}`, { account: account.id });
    await page.reload();
    const device = page.getByRole("link", { name: "00:0e:08:c0:ff:ee" });
    await device.waitFor();
    expect(await device.getAttribute("href")).toBe(`/devices/${MAC}`);
    expect(await page.getByText("Secret-1001").count()).toBe(0);
    await checkPage(page, watch, "account");

    await page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Accounts" })
      .click();
    await page.getByLabel("Search accounts").fill("alice");
    await page
      .getByRole("table", { name: "Accounts" })
      .getByRole("link", { name: "C-1001" })
      .waitFor();
    await page.getByLabel("Search accounts").fill("");
    // Off the navigation link just clicked (its hover shade is not the page's).
    await page.mouse.move(1300, 780);
    await checkPage(page, watch, "accounts");
  });
});

describe("activation codes", () => {
  it("issues a code for the account and copies its device URL", async () => {
    await page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Activation codes" })
      .click();
    await page.getByText("No activation codes").waitFor();
    await page.getByRole("button", { name: "Issue code" }).click();
    const dialog = page.getByRole("dialog", { name: "Issue an activation code" });
    await dialog.getByRole("combobox", { name: "Account" }).fill("C-10");
    await page.getByRole("option", { name: "C-1001 — Alice Martin" }).click();
    await dialog.getByLabel("Provisioning server").fill("https://prov.example.com");
    await dialog.getByRole("button", { name: "Issue code" }).click();

    const deviceUrl = dialog.getByRole("textbox", { name: "Device URL" });
    await deviceUrl.waitFor();
    const url = await deviceUrl.inputValue();
    expect(url).toMatch(
      /^http:\/\/DEVICE\/admin\/resync\?https:\/\/prov\.example\.com\/init\/\d{16}$/,
    );
    await dialog.getByRole("button", { name: "Copy device url" }).click();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(url);
    const code = await dialog.getByRole("textbox", { name: "Activation code" }).inputValue();
    expect(url.endsWith(`/init/${code}`)).toBe(true);
    await dialog.getByRole("button", { name: "Done" }).click();

    const codes = page.getByRole("table", { name: "Activation codes" });
    await codes.getByText("active").waitFor();
    expect(await codes.getByRole("link", { name: "C-1001 — Alice Martin" }).isVisible()).toBe(true);
    // The code itself is never listed.
    expect(await page.getByText(code).count()).toBe(0);
    await checkPage(page, watch, "activation-codes");
  });
});
