/**
 * The Dashboard and Devices sections in Chromium against a real `provisio serve`: the empty
 * dashboard of a new installation; a CSV imported through the file input with its progress
 * and a refused row; search by a MAC fragment and by account, held in the address bar (the
 * back button returns to the previous search); a device page showing a value set in a group
 * layer with that layer as its origin; a device fetching its profile shown on the dashboard.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleWatch,
  checkPage,
  launchBrowser,
  startUiServer,
  type UiServer,
  watchConsole,
} from "./chromium.ts";

let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;
let lobby: string;

const DEVICES = 24;
const macOf = (i: number) => `000e08ab10${i.toString(16).padStart(2, "0")}`;
const colons = (mac: string) => mac.match(/../g)!.join(":");

beforeAll(async () => {
  server = await startUiServer();
  browser = await launchBrowser();
  // The admin listener's CSP refuses inline scripts, which is how the harness injects axe-core.
  context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  page = await context.newPage();
  watch = watchConsole(page);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

/** A call to the admin API with the installation's admin token. */
async function adminApi(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${server.admin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
  return response.status === 204 ? undefined : response.json();
}

/** What a locator shows, laid out (Playwright's innerText, not the DOM property). */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with its line breaks
const shown = (locator: Locator) => locator.innerText();
const text = (selector = "main") => shown(page.locator(selector));
/** Waits for what the page shows (a loaded machine renders slowly). */
const until = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 90_000 });

describe("the dashboard and the devices", () => {
  it("signs in and shows the empty dashboard of a new installation", async () => {
    await page.goto(`${server.admin}/`);
    await page.getByRole("tab", { name: "API token" }).click();
    await page.getByRole("textbox", { name: "API token" }).fill(server.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await until(() => page.getByRole("navigation", { name: "Sections" }).isVisible()).toBe(true);
    await until(() => page.getByText("No devices yet").isVisible()).toBe(true);
    await until(() => text()).toContain("No resyncs in the last 24 hours");
    await until(() => text()).toContain("No rollout is running");
    await checkPage(page, watch, "dashboard-empty");
  });

  it("imports devices from a CSV file and shows the import's progress and refused rows", async () => {
    await adminApi("POST", "/api/v1/accounts", { reference: "C-1001", name: "Acme Dental" });
    await adminApi("POST", "/api/v1/accounts", { reference: "C-2002" });
    const group = (await adminApi("POST", "/api/v1/groups", { name: "lobby" })) as { id: string };
    lobby = group.id;
    await page.getByRole("link", { name: "Devices", exact: true }).click();
    await until(() => page.getByText("No devices yet").isVisible()).toBe(true);
    const rows = Array.from({ length: DEVICES }, (_, i) => {
      const account = i < 4 ? "C-1001" : i < 10 ? "C-2002" : "";
      return `${colons(macOf(i))},SPA112,SN${i},${account},${i % 2 === 0 ? "lobby" : ""},Desk ${i}`;
    });
    const csv = `mac,model,serial,account,group,label\n${rows.join("\n")}\nnot-a-mac,SPA112,,,,\n`;
    await page.getByRole("button", { name: "Import CSV" }).click();
    await page.locator('input[type="file"]').setInputFiles({
      name: "shipment.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Import devices from CSV" });
    await until(() => shown(dialog)).toContain("Finished");
    const result = await shown(dialog);
    expect(result).toContain(`${DEVICES + 1} of ${DEVICES + 1} rows`);
    expect(result).toMatch(new RegExp(`${DEVICES} devices imported or updated, 1 rows? refused`));
    expect(result).toMatch(/Refused rows[\s\S]*\n\s*26\s/);
    await checkPage(page, watch, "device-import");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await until(() => text()).toContain(`${DEVICES} of ${DEVICES} devices`);
  });

  it("searches by a MAC fragment and by account, the search held in the address bar", async () => {
    await page.getByRole("textbox", { name: "Search", exact: true }).fill("AB-10-1");
    await until(() => new URL(page.url()).searchParams.get("q")).toBe("AB-10-1");
    await until(() => text()).toContain("8 of 8 devices");
    expect(await text()).toContain(colons(macOf(16)));
    expect(await text()).not.toContain(colons(macOf(15)));

    await page.getByRole("textbox", { name: "Search", exact: true }).fill("");
    await page.getByRole("textbox", { name: "Account", exact: true }).fill("C-1001");
    await until(() => new URL(page.url()).searchParams.get("account")).toBe("C-1001");
    await until(() => text()).toContain("4 of 4 devices");
    const table = await text("main table");
    expect(table).toContain("C-1001");
    expect(table).not.toContain("C-2002");

    // A filter chosen from a list is a history entry: back returns to the list before it.
    await page.getByRole("combobox", { name: "Last seen" }).click();
    await page.getByRole("option", { name: "Never" }).click();
    await until(() => new URL(page.url()).searchParams.get("seen")).toBe("never");
    await page.goBack();
    await until(() => new URL(page.url()).searchParams.get("seen")).toBe(null);
    expect(new URL(page.url()).searchParams.get("account")).toBe("C-1001");
    await until(() => text()).toContain("4 of 4 devices");
    await checkPage(page, watch, "devices");
  });

  it("opens a device page and shows a layer's value with its provenance", async () => {
    const mac = macOf(2);
    await adminApi("PATCH", `/api/v1/groups/${lobby}/layer`, {
      set: [{ name: "Station_Name", value: "Lobby phone", access: "rw" }],
    });
    await adminApi("PATCH", `/api/v1/devices/${mac}/layer`, {
      set: [{ name: "Resync_Periodic", value: "7200" }],
    });
    await page.getByRole("link", { name: colons(mac) }).click();
    await until(() => page.getByRole("heading", { name: colons(mac) }).isVisible()).toBe(true);
    await until(() => text()).toContain("C-1001 — Acme Dental");
    await until(() => text()).toMatch(/Group\s+lobby/);
    const identity = await text();
    expect(identity).toContain("C-1001 — Acme Dental");
    expect(identity).toContain("lobby");
    expect(identity).toContain("never seen by the server");
    const config = page.getByRole("table", { name: "Effective configuration" });
    await until(() => config.isVisible()).toBe(true);
    const station = config.getByRole("row").filter({ hasText: "Station_Name" });
    expect(await shown(station)).toMatch(/Lobby phone\s+rw\s+group lobby/);
    const resync = config.getByRole("row").filter({ hasText: "Resync_Periodic" });
    expect(await shown(resync)).toMatch(/7200\s+\S+.*\s+this device/);
    await until(() => page.getByRole("button", { name: "Resync now" }).isVisible()).toBe(true);
    await checkPage(page, watch, "device");
  });

  it("shows a device that fetched its profile as seen on the dashboard", async () => {
    const mac = macOf(2);
    const response = await fetch(`${server.serve.http}/profile/${mac}.xml`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Lobby phone");
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.mouse.move(1300, 790); // not hovering the navigation (its hover colour is not the page's)
    // The status reaches the store off the request path; the dashboard refreshes itself.
    const states = page.getByRole("table", { name: "Devices by provisioning state" });
    await until(() => shown(states.getByRole("row").filter({ hasText: "SP-CUST" }))).toMatch(
      /SP-CUST.*\s1\s/s,
    );
    await until(() => text()).not.toContain("No resyncs in the last 24 hours");
    const totals = await text();
    expect(totals).toMatch(/Devices\s+24/);
    expect(totals).toMatch(/Never seen\s+23/);
    await checkPage(page, watch, "dashboard");

    await page.goto(`${server.admin}/devices/${mac}`);
    await until(() => text()).toContain("SP-CUST");
    await page.getByRole("tab", { name: "History" }).click();
    await until(() => shown(page.getByRole("table", { name: "Resync history" }))).toContain(
      `/profile/${mac}.xml`,
    );
  });
});
