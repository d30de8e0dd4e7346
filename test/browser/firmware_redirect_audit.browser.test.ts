/**
 * The admin UI's Firmware, Redirect and Audit sections in Chromium against a real
 * `provisio serve`: units that reported an old version, an image and a staged policy made
 * through the API; the operator starts a rollout in the UI, watches its waves, halts it and
 * resumes it; registers a shipment's MACs to a redirect profile (one held by another
 * provider is reported, not taken); and finds all of it in the audit log.
 */
import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleWatch,
  checkPage,
  launchBrowser,
  newPage,
  signInWithToken,
  startUiServer,
  type UiServer,
  watchConsole,
} from "./chromium.ts";

const MACS = ["000e08aa0001", "000e08aa0002", "000e08aa0003", "000e08aa0004"];
let server: UiServer;
let browser: Browser;
let page: Page;
let watch: ConsoleWatch;

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  type = "application/json",
): Promise<T> {
  const response = await fetch(`${server.admin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      ...(body === undefined ? {} : { "content-type": type }),
    },
    ...(body === undefined
      ? {}
      : { body: body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

beforeAll(async () => {
  server = await startUiServer();
  for (const mac of MACS) server.cli(["device", "add", "--mac", mac, "--model", "SPA962"]);
  // Each unit resyncs once, reporting 7.4.9: below the policy's target, so eligible.
  for (const mac of MACS) {
    const response = await fetch(`${server.serve.http}/profile/${mac}.xml`, {
      headers: { "user-agent": `Cisco/SPA962-7.4.9 (${mac.toUpperCase()})(SN${mac.slice(-4)})` },
    });
    expect(response.status).toBe(200);
  }
  const image = new Uint8Array(8192).fill(7);
  const sha256 = createHash("sha256").update(image).digest("hex");
  await call(
    "POST",
    `/api/v1/firmware?version=7.5.5&models=SPA962&fileName=spa962-7-5-5.bin&sha256=${sha256}`,
    image,
    "application/octet-stream",
  );
  await call("PUT", "/api/v1/upgrade-policies", {
    name: "spa962-to-755",
    model: "SPA962",
    target: "7.5.5",
    staged: true,
  });
  await call("POST", "/api/v1/tenants", { slug: "other", name: "Other provider" });
  await call("PUT", "/api/v1/redirect/profiles/home", {
    profileRule: "https://prov.example.com/profile/$MA.xml",
    restrictedDomains: ["example.com"],
  });
  await call("PUT", "/api/v1/redirect/profiles/theirs", {
    tenant: "other",
    profileRule: "https://prov.example.net/profile/$MA.xml",
  });
  await call("POST", "/api/v1/redirect/units", {
    tenant: "other",
    profile: "theirs",
    macs: ["000e08bb0009"],
  });

  browser = await launchBrowser();
  page = await newPage(browser);
  watch = watchConsole(page);
  await page.goto(`${server.admin}/firmware`);
  await signInWithToken(page, server.adminToken);
  await page.getByRole("heading", { name: "Firmware" }).waitFor();
});

afterAll(async () => {
  await page?.context().close();
  await browser?.close();
  await server?.close();
});

describe("firmware in the admin UI", () => {
  it("lists the image and the policy", async () => {
    await page.getByRole("tab", { name: "Images" }).click();
    await expect
      .poll(() => page.getByRole("cell", { name: "spa962-7-5-5.bin" }).isVisible())
      .toBe(true);
    await checkPage(page, watch, "firmware-images");
    await page.getByRole("tab", { name: "Policies" }).click();
    await expect
      .poll(() => page.getByRole("cell", { name: /spa962-to-755/ }).isVisible())
      .toBe(true);
    await checkPage(page, watch, "firmware-policies");
  });

  it("starts a rollout, shows its waves, halts and resumes it", async () => {
    await page.getByRole("tab", { name: "Rollouts" }).click();
    await checkPage(page, watch, "firmware-rollouts-empty");
    await page.getByRole("button", { name: "Start a rollout" }).click();
    await page.getByRole("combobox", { name: "Upgrade policy" }).click();
    await page.getByRole("option", { name: /spa962-to-755/ }).click();
    await page.getByLabel("Waves").fill("50, 100");
    await page.getByRole("button", { name: "Start", exact: true }).click();
    const link = page.getByRole("table").getByRole("link").first();
    await expect.poll(() => link.isVisible()).toBe(true);
    await checkPage(page, watch, "firmware-rollouts");
    await link.click();
    await expect
      .poll(() =>
        page.getByRole("heading", { name: /Rollout of spa962-to-755 to 7.5.5/ }).isVisible(),
      )
      .toBe(true);
    // Two waves over the four eligible units.
    await expect.poll(() => page.getByLabel(/Wave \d progress/).count()).toBe(2);
    await checkPage(page, watch, "firmware-rollout");
    await page.getByRole("button", { name: "Halt" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Resume" }).isVisible()).toBe(true);
    const [rollout] = await call<{ id: string; state: string }[]>("GET", "/api/v1/rollouts");
    expect(rollout?.state).toBe("halted");
    await checkPage(page, watch, "firmware-rollout-halted");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Halt" }).isVisible()).toBe(true);
    expect((await call<{ state: string }>("GET", `/api/v1/rollouts/${rollout!.id}`)).state).toBe(
      "running",
    );
    // Abort asks first (it cannot be undone): cancelling keeps it running, confirming ends it.
    const state = async () =>
      (await call<{ state: string }>("GET", `/api/v1/rollouts/${rollout!.id}`)).state;
    const dialog = page.getByRole("dialog", { name: "Abort this rollout?" });
    await page.getByRole("button", { name: "Abort" }).click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await state()).toBe("running");
    await page.getByRole("button", { name: "Abort" }).click();
    await dialog.getByRole("button", { name: "Abort" }).click();
    await expect.poll(state).toBe("aborted");
  });
});

describe("redirect in the admin UI", () => {
  it("registers a shipment's MACs and reports the one another provider holds", async () => {
    await page.getByRole("link", { name: "Redirect" }).click();
    await expect.poll(() => page.getByText("No units registered").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Register MACs" }).click();
    await page.getByRole("combobox", { name: "Redirect profile" }).click();
    await page.getByRole("option", { name: "home" }).click();
    await page
      .getByRole("textbox", { name: "MACs" })
      .fill("00:0e:08:cc:00:01\n000e08cc0002, 000e08bb0009");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await expect
      .poll(() => page.getByText("held by another provider").textContent())
      .toContain("00:0e:08:bb:00:09");
    await page.getByRole("button", { name: "Close", exact: true }).click();
    await expect
      .poll(() => page.getByRole("cell", { name: "00:0e:08:cc:00:02" }).isVisible())
      .toBe(true);
    await checkPage(page, watch, "redirect");
    const units = await call<{ items: { mac: string; tenant: string }[] }>(
      "GET",
      "/api/v1/redirect/units?tenant=default",
    );
    expect(units.items.map((u) => u.mac).sort()).toEqual(["000e08cc0001", "000e08cc0002"]);
    await page.getByRole("tab", { name: "Profiles" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "home" }).isVisible()).toBe(true);
    await checkPage(page, watch, "redirect-profiles");
  });
});

describe("the audit log in the admin UI", () => {
  it("shows the halt with who made it, and filters by record type", async () => {
    await page.getByRole("link", { name: "Audit log" }).click();
    await expect.poll(() => page.getByText("rollout.halted").first().isVisible()).toBe(true);
    await checkPage(page, watch, "audit");
    const actions = () => page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect((await actions()).some((a) => a.startsWith("redirect"))).toBe(true);
    await page.getByLabel("Record type").fill("rollout");
    await expect.poll(() => new URL(page.url()).searchParams.get("entity")).toBe("rollout");
    // Until the filtered page has arrived (while it loads there are no rows at all).
    await expect
      .poll(async () => {
        const shown = (await actions()).filter((a) => a !== "");
        return shown.length > 0 && shown.every((a) => a.startsWith("rollout"));
      })
      .toBe(true);
    expect(await actions()).toContain("rollout.halted");
  });
});
