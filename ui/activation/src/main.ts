/**
 * The customer's activation page: (1) the code is checked with the server, which names the
 * provider; (2) the customer gives the unit's address on their network; (3) a link opens the
 * unit's own `http://<unit>/admin/resync?<init URL>` in a new tab — a top-level navigation the
 * customer starts, which needs no CORS from the unit, is not blocked as mixed content from an
 * HTTPS page, and lets the browser ask for the unit's admin password when it has one — and the
 * page polls the server until the unit has fetched the init URL and is bound.
 *
 * Everything the server or the tenant supplies is set as text (never markup); the accent is
 * applied only when it is a `#rrggbb` colour.
 */
import "./style.css";
import { parseDeviceAddress, resyncUrl } from "./device_address.ts";
import { type CodeStatus, fetchStatus, StatusError } from "./status.ts";

const POLL_MS = 2_000;
const HELP_AFTER_MS = 60_000;
const GIVE_UP_AFTER_MS = 10 * 60_000;

/** The page's own elements (index.html); each id is there. */
function element<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const ui = {
  logo: element("logo"),
  provider: element("provider"),
  stepCode: element("step-code"),
  codeForm: element<HTMLFormElement>("code-form"),
  code: element<HTMLInputElement>("code"),
  codeError: element("code-error"),
  codeSubmit: element<HTMLButtonElement>("code-submit"),
  stepDevice: element("step-device"),
  stepDeviceTitle: element("step-device-title"),
  codeFor: element("code-for"),
  deviceForm: element<HTMLFormElement>("device-form"),
  address: element<HTMLInputElement>("address"),
  addressError: element("address-error"),
  stepSend: element("step-send"),
  stepSendTitle: element("step-send-title"),
  link: element<HTMLAnchorElement>("resync-link"),
  changeAddress: element<HTMLButtonElement>("change-address"),
  progress: element("progress"),
  progressTitle: element("progress-title"),
  progressText: element("progress-text"),
  progressHelp: element("progress-help"),
};

let code = "";
let initUrl = "";
let providerName = "your provider";
let polling: ReturnType<typeof setTimeout> | undefined;

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
function textOn(hex: string): string {
  const channel = (i: number): number => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
}

function applyBrand(brand: CodeStatus["brand"]): void {
  if (brand === undefined) return;
  providerName = brand.name;
  ui.provider.textContent = brand.name;
  if (brand.logoText !== null && brand.logoText !== "") {
    ui.logo.textContent = brand.logoText;
    ui.logo.hidden = false;
  }
  if (brand.accent !== null && /^#[0-9a-fA-F]{6}$/.test(brand.accent)) {
    const root = document.documentElement;
    root.style.setProperty("--accent", brand.accent);
    root.style.setProperty("--on-accent", textOn(brand.accent));
  }
}

function show(section: HTMLElement, focus?: HTMLElement): void {
  section.hidden = false;
  focus?.focus();
}

function busy(form: HTMLFormElement, on: boolean): void {
  form.setAttribute("aria-busy", String(on));
  for (const button of form.querySelectorAll("button")) button.disabled = on;
}

function finish(text: string, title = "Activation"): void {
  stopPolling();
  ui.progressTitle.textContent = title;
  ui.progressText.textContent = text;
  ui.progressHelp.hidden = true;
  show(ui.progress);
}

async function checkCode(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  ui.codeError.textContent = "";
  const typed = ui.code.value.replace(/[\s-]+/g, "");
  if (!/^[0-9]{10,32}$/.test(typed)) {
    ui.codeError.textContent = "An activation code is 10 to 32 digits; check what you typed.";
    ui.code.setAttribute("aria-invalid", "true");
    ui.code.focus();
    return;
  }
  ui.code.removeAttribute("aria-invalid");
  busy(ui.codeForm, true);
  let status: CodeStatus;
  try {
    status = await fetchStatus(typed);
  } catch (error) {
    ui.codeError.textContent =
      error instanceof StatusError ? error.message : "Something went wrong; please try again.";
    return;
  } finally {
    busy(ui.codeForm, false);
  }
  applyBrand(status.brand);
  switch (status.state) {
    case "unknown":
      ui.codeError.textContent =
        "This code is not known. Check the digits, or ask your provider for a new code.";
      ui.code.setAttribute("aria-invalid", "true");
      ui.code.focus();
      return;
    case "expired":
      ui.codeError.textContent = `This code has expired. Ask ${providerName} for a new one.`;
      return;
    case "bound":
      ui.stepCode.hidden = true;
      finish(`This code has already activated a phone with ${providerName}.`, "Already used");
      ui.progressTitle.focus();
      return;
    case "waiting":
      if (status.initUrl === undefined) {
        ui.codeError.textContent = `This server cannot tell your phone where to go. Please contact ${providerName}.`;
        return;
      }
      code = typed;
      initUrl = status.initUrl;
      ui.stepCode.hidden = true;
      ui.codeFor.textContent = `Code accepted for ${providerName}.`;
      show(ui.stepDevice, ui.stepDeviceTitle);
      ui.address.focus();
  }
}

function chooseDevice(event: SubmitEvent): void {
  event.preventDefault();
  const parsed = parseDeviceAddress(ui.address.value);
  if (!parsed.ok) {
    ui.addressError.textContent = parsed.message;
    ui.address.setAttribute("aria-invalid", "true");
    ui.address.focus();
    return;
  }
  ui.addressError.textContent = "";
  ui.address.removeAttribute("aria-invalid");
  ui.link.href = resyncUrl(parsed.host, initUrl);
  ui.stepDevice.hidden = true;
  show(ui.stepSend, ui.stepSendTitle);
}

function stopPolling(): void {
  if (polling !== undefined) clearTimeout(polling);
  polling = undefined;
}

function startPolling(): void {
  stopPolling();
  const started = Date.now();
  ui.progressTitle.textContent = "Activation";
  ui.progressText.textContent = `Waiting for your phone to contact ${providerName}…`;
  ui.progressHelp.hidden = true;
  show(ui.progress);
  const poll = async (): Promise<void> => {
    let next = POLL_MS;
    try {
      const status = await fetchStatus(code);
      if (status.state === "bound") {
        ui.stepSend.hidden = true;
        finish(
          `Your phone is activated with ${providerName}. It now loads its settings and may restart; this takes a minute or two.`,
          "Activated",
        );
        ui.progressTitle.focus();
        return;
      }
      if (status.state === "expired") return finish("This code has expired meanwhile.");
      if (status.state === "unknown") return finish("This code was withdrawn by your provider.");
      ui.progressText.textContent = `Waiting for your phone to contact ${providerName}…`;
    } catch (error) {
      ui.progressText.textContent =
        error instanceof StatusError ? error.message : "Something went wrong; still trying.";
      next = 10_000;
    }
    const waited = Date.now() - started;
    if (waited >= HELP_AFTER_MS) ui.progressHelp.hidden = false;
    if (waited >= GIVE_UP_AFTER_MS) {
      ui.progressText.textContent =
        "Your phone has not contacted us. Check the points below, then press the button again.";
      polling = undefined;
      return;
    }
    polling = setTimeout(() => void poll(), next);
  };
  polling = setTimeout(() => void poll(), POLL_MS);
}

ui.codeForm.addEventListener("submit", (event) => void checkCode(event));
ui.deviceForm.addEventListener("submit", chooseDevice);
// The link itself opens the unit's page (the customer's click is the navigation).
ui.link.addEventListener("click", startPolling);
ui.changeAddress.addEventListener("click", () => {
  stopPolling();
  ui.progress.hidden = true;
  ui.stepSend.hidden = true;
  show(ui.stepDevice, ui.address);
});

// A provider's portal may link here with the code in the fragment (never sent to a server).
const fromLink = /(?:^#|&)code=([0-9 -]{10,64})(?:&|$)/.exec(location.hash);
if (fromLink?.[1] !== undefined) ui.code.value = fromLink[1];
