/**
 * The customer's activation page in Chromium against a real `provisio serve`: a customer
 * opens `/activate/` on the device-facing HTTP listener, enters a code issued through the API,
 * is told the provider's name (the tenant's branding), gives the address of an emulated unit
 * whose web server listens on loopback, and follows the page's link — the unit's own
 * `/admin/resync?https://…/init/CODE` — in a new tab; the unit (with its device certificate)
 * fetches the init URL and is bound, and the page, polling the status endpoint, says so.
 * The admin port does not serve the page.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Device,
  type DeviceWebServer,
  startWebServer,
  VirtualClock,
} from "../../src/device/index.ts";
import { dataPaths } from "../../src/server/index.ts";
import { issueCert } from "../server/helpers.ts";
import {
  type ConsoleWatch,
  checkPage,
  launchBrowser,
  startUiServer,
  type UiServer,
  watchConsole,
} from "./chromium.ts";

const UNIT = "000e08ae0001";

let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;
let unit: Device;
let web: DeviceWebServer;
let code: string;

beforeAll(async () => {
  server = await startUiServer();
  const data = join(server.dir, "data");
  const api = async <T>(method: string, path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${server.admin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
    expect(response.status, `${method} ${path}`).toBeLessThan(300);
    return (await response.json()) as T;
  };
  // The provider's name and branding, as an operator sets them.
  await api("PATCH", "/api/v1/tenants/default", {
    name: "Nimbus Voice",
    settings: {
      profilePaths: ["/profile/$MA.xml"],
      brandAccent: "#0b6e4f",
      brandLogoText: "NIMBUS",
    },
  });
  const account = await api<{ id: string }>("POST", "/api/v1/accounts", {
    reference: "SHOP-42",
    lines: [{ line: 1, userId: "4085550142", password: "sip-0142", displayName: "Shop 42" }],
  });
  const issued = await api<{ code: string }>(
    "POST",
    `/api/v1/accounts/${account.id}/activation-codes`,
    {},
  );
  code = issued.code;

  // A SPA962 fresh from the shop: its device certificate from the installation's device CA,
  // the server's certificate trusted, no DHCP answer (nothing to fetch by itself).
  const clock = new VirtualClock();
  const files = await issueCert(data, server.dir, UNIT, { mac: UNIT, serial: "SN0001" });
  unit = new Device({
    mac: UNIT,
    productName: "SPA962",
    clock,
    trustedServerCas: [readFileSync(dataPaths(data).serverCert, "utf8")],
    clientCertificate: {
      certificatePem: readFileSync(files.cert, "utf8"),
      privateKeyPem: readFileSync(files.key, "utf8"),
    },
  });
  unit.powerOn();
  await clock.advance(60_000);
  web = await startWebServer(unit);

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  page = await context.newPage();
  watch = watchConsole(page);
}, 300_000);

afterAll(async () => {
  unit?.powerOff();
  await web?.close();
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe("the customer's activation page", () => {
  it("is neutral before a code is entered, and says an unknown code is not known", async () => {
    await page.goto(`${server.serve.http}/activate/`);
    await expect
      .poll(() => page.getByRole("textbox", { name: "Activation code" }).isVisible())
      .toBe(true);
    await expect.poll(() => page.locator(".provider").textContent()).toBe("Phone activation");
    await checkPage(page, watch, "activation-code");
    await page.getByRole("textbox", { name: "Activation code" }).fill("1234 5678 9012 3456");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.locator("#code-error").textContent())
      .toContain("This code is not known");
    expect(
      await page.getByRole("textbox", { name: "Activation code" }).getAttribute("aria-invalid"),
    ).toBe("true");
  });

  it("runs under its own CSP: the provider's branding is applied, nothing is refused", async () => {
    const strict = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const phone = await strict.newPage();
      const refused = watchConsole(phone);
      await phone.goto(`${server.serve.http}/activate/`);
      await phone.getByRole("textbox", { name: "Activation code" }).fill(code);
      await phone.getByRole("button", { name: "Continue" }).click();
      await expect.poll(() => phone.locator(".provider").textContent()).toBe("Nimbus Voice");
      // The accent reaches the page's style (a checked colour set through the CSSOM).
      const accent = await phone.evaluate(
        "getComputedStyle(document.querySelector('.brand')).borderTopColor",
      );
      expect(accent).toBe("rgb(11, 110, 79)");
      expect(refused.errors).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it("takes the code and the unit's address, the unit fetches its init URL, and the page shows it bound", async () => {
    const grouped = code.replace(/(\d{4})(?=\d)/g, "$1 ");
    await page.getByRole("textbox", { name: "Activation code" }).fill(grouped);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.getByRole("textbox", { name: "Your phone's IP address" }).isVisible())
      .toBe(true);
    // The provider's branding, from the code's tenant.
    expect(await page.locator(".provider").textContent()).toBe("Nimbus Voice");
    expect(await page.locator("#logo").textContent()).toBe("NIMBUS");
    expect(await page.locator("#code-for").textContent()).toBe("Code accepted for Nimbus Voice.");

    // A public address is refused: the code must not leave for the Internet by a typo.
    await page.getByRole("textbox", { name: "Your phone's IP address" }).fill("8.8.8.8");
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.locator("#address-error").textContent())
      .toContain("not an address on a home or office network");

    await page
      .getByRole("textbox", { name: "Your phone's IP address" })
      .fill(`127.0.0.1:${web.port}`);
    await page.getByRole("button", { name: "Continue" }).click();
    const link = page.getByRole("link", { name: "Send the activation to my phone" });
    await expect.poll(() => link.isVisible()).toBe(true);
    const https = server.serve.https;
    expect(await link.getAttribute("href")).toBe(
      `http://127.0.0.1:${web.port}/admin/resync?${https}/init/${code}`,
    );
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    await checkPage(page, watch, "activation-send");

    const resynced = new Promise<boolean>((r) => unit.once("resync", (report) => r(report.ok)));
    const [tab] = await Promise.all([context.waitForEvent("page"), link.click()]);
    // The unit's own page acknowledges the request.
    await expect.poll(() => tab.textContent("body")).toContain("The unit will resync");
    expect(await resynced).toBe(true);
    await tab.close();

    await expect
      .poll(() => page.getByRole("status").textContent(), { timeout: 60_000 })
      .toContain("Your phone is activated with Nimbus Voice");
    await checkPage(page, watch, "activation-done");

    // What the unit got: the account's line and its permanent rule; the server bound it.
    expect(unit.params.get("User_ID_1_")).toBe("4085550142");
    expect(unit.params.get("Profile_Rule")).toBe(`${https}/profile/$MA.xml`);
    const device = await fetch(`${server.admin}/api/v1/devices/${UNIT}`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(device.status).toBe(200);
    const body = (await device.json()) as { accountId: string | null; serial: string | null };
    expect(body.accountId).not.toBeNull();
    expect(body.serial).toBe("SN0001");
  });

  it("a used code, entered again, says it has activated a phone", async () => {
    await page.goto(`${server.serve.http}/activate/`);
    await page.getByRole("textbox", { name: "Activation code" }).fill(code);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toContain("This code has already activated a phone with Nimbus Voice");
  });

  it("the admin port does not serve the page or its status endpoint", async () => {
    const pageThere = await fetch(`${server.admin}/activate/`, {
      headers: { accept: "text/html" },
    });
    expect(await pageThere.text()).not.toContain("Activation code");
    const statusThere = await fetch(`${server.admin}/activate/status`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
    });
    expect(statusThere.status).toBe(404);
    expect(await statusThere.text()).not.toContain("state");
  });
});
