/**
 * The unit's own web server (§9.1, §9.2, §9.5): the user view `/`, the admin views
 * `/admin/`, `/admin/basic`, `/admin/advanced`, the admin URLs `/admin/resync[?rule]`,
 * `/admin/upgrade?url` (and `/upgrade?url`), `/admin/reboot`, and the configuration
 * download `/admin/cfg.xml` (`/admin/spacfg.xml`). Logins are HTTP Basic with the fixed
 * account names `admin` and `user`; an empty password needs no login. MPP also takes
 * `&xuser=…&xpassword=…` appended to admin URLs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { escapeXmlValue, parseBool } from "../profile/index.ts";
import { type Account, visibleParameters } from "./access_control.ts";
import type { Device } from "./device.ts";
import { exportGroups, reportDocument } from "./report_upload.ts";

export interface DeviceWebServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** Loopback by default: the emulator never listens beyond this machine unless told. */
  readonly host?: string;
  /** Default: `Web_Server_Port` is what a unit uses; 0 (any free port) here. */
  readonly port?: number;
}

/** The admin page posts every field (thousands); a real unit takes the whole form. */
const MAX_BODY = 1024 * 1024;

function html(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeXmlValue(title)}</title></head><body>\n<h1>${escapeXmlValue(title)}</h1>\n${body}\n</body></html>\n`;
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...extra });
  res.end(body);
}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (m === null) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("latin1");
  const colon = text.indexOf(":");
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** `&xuser=admin&xpassword=pw` at the end of an MPP admin URL (§9.5); `query` is the rest. */
function inlineCredentials(query: string): { query: string; user?: string; password?: string } {
  const m = /&xuser=([^&]*)&xpassword=([^&]*)$/.exec(query);
  if (m === null) return { query };
  const dec = (t: string) => {
    try {
      return decodeURIComponent(t.replace(/\+/g, " "));
    } catch {
      return t;
    }
  };
  return { query: query.slice(0, m.index), user: dec(m[1]!), password: dec(m[2]!) };
}

/** §9.5: the rule after `?` is URL-decoded (`%5B` → `[`, `+` → space). */
function decodeRule(query: string): string {
  const spaced = query.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function parameterTable(device: Device, account: Account): string {
  const rows = visibleParameters(device.params, account).map((p) => {
    const label = escapeXmlValue(p.name.replace(/_/g, " ").trim());
    const value = p.value === undefined ? "********" : escapeXmlValue(p.value);
    const cell = !p.editable
      ? `<span id="${p.name}">${value}</span>`
      : p.value === undefined
        ? `<input type="password" name="${p.name}" value="" placeholder="********">`
        : `<input name="${p.name}" value="${value}">`;
    return `<tr><td>${label}</td><td>${cell}</td></tr>`;
  });
  return `<form method="post"><table>\n${rows.join("\n")}\n</table><button type="submit">Submit All Changes</button></form>`;
}

function infoBlock(device: Device): string {
  const info = device.productInformation;
  const rows: [string, string][] = [
    ["Product Name", info.productName],
    ["Serial Number", info.serialNumber],
    ["Software Version", info.softwareVersion],
    ["Hardware Version", info.hardwareVersion],
    ["MAC Address", info.macAddress],
    ["Client Certificate", info.clientCertificate],
    ["Customization", info.customization],
    ["Provisioning State", device.provisioningState],
  ];
  return `<table id="info">\n${rows.map(([k, v]) => `<tr><td>${k}</td><td>${escapeXmlValue(v)}</td></tr>`).join("\n")}\n</table>`;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readForm(req: IncomingMessage): Promise<Record<string, string> | undefined> {
  const body = await readBody(req);
  if (body === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body.toString("latin1"))) out[k] = v;
  return out;
}

/** `<…Execute><ExecuteItem URL="Resync:[rule]"/></…Execute>` → the rule (MPP, §9.5). */
function executeResyncRule(xml: string): string | undefined {
  const m = /<ExecuteItem\b[^>]*\bURL\s*=\s*"Resync:([^"]*)"/i.exec(xml);
  if (m === null) return undefined;
  return m[1]!
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Starts the unit's web server (when `Enable_Web_Server` allows it at request time). */
export async function startWebServer(
  device: Device,
  options: WebServerOptions = {},
): Promise<DeviceWebServer> {
  const server: Server = createServer((req, res) => {
    handle(device, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(device: Device, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!device.isPoweredOn || parseBool(device.params.get("Enable_Web_Server") ?? "Yes") === false) {
    send(res, 503, "text/plain", "web server disabled\n");
    return;
  }
  // MPP appends `&xuser=…&xpassword=…` to the path or to the query (§9.5).
  const inline = inlineCredentials(req.url ?? "/");
  const raw = inline.query;
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? "" : raw.slice(q + 1);
  const adminPath =
    path === "/admin" ||
    path.startsWith("/admin/") ||
    path === "/upgrade" ||
    path === "/CGI/Execute";
  const adminPassword = device.params.get("Admin_Passwd") ?? "";
  const userPassword = device.params.get("User_Password") ?? "";
  const given =
    basicCredentials(req) ??
    (inline.user === undefined
      ? undefined
      : { user: inline.user, password: inline.password ?? "" });

  // Who is this? Admin when the admin password matches (or is empty); else user likewise.
  let account: Account | undefined;
  if (adminPassword === "" || (given?.user === "admin" && given.password === adminPassword))
    account = "admin";
  else if (
    !adminPath &&
    (userPassword === "" || (given?.user === "user" && given.password === userPassword))
  ) {
    account = "user";
  }
  if (adminPath && account !== "admin") {
    send(res, 401, "text/plain", "admin login required\n", {
      "WWW-Authenticate": 'Basic realm="admin"',
    });
    return;
  }
  if (account === undefined) {
    send(res, 401, "text/plain", "login required\n", { "WWW-Authenticate": 'Basic realm="user"' });
    return;
  }
  if (adminPath && parseBool(device.params.get("Enable_Web_Admin_Access") ?? "Yes") === false) {
    send(res, 403, "text/plain", "admin web access is disabled\n");
    return;
  }

  if (path === "/admin/resync") {
    const rule = query === "" ? undefined : decodeRule(query);
    void device.resync(rule);
    send(
      res,
      200,
      "text/html",
      html(
        "Resync",
        `<p>The unit will resync${rule === undefined ? "" : ` from ${escapeXmlValue(rule)}`} when it is idle.</p>`,
      ),
    );
    return;
  }
  if (path === "/admin/upgrade" || path === "/upgrade") {
    const url = decodeRule(query);
    void device.upgrade(url, req.socket.remoteAddress?.replace(/^::ffff:/, ""));
    send(
      res,
      200,
      "text/html",
      html("Upgrade", `<p>The unit will upgrade from ${escapeXmlValue(url)} when it is idle.</p>`),
    );
    return;
  }
  if (path === "/admin/reboot") {
    device.reboot("User Triggered");
    send(res, 200, "text/html", html("Reboot", "<p>The unit will reboot when it is idle.</p>"));
    return;
  }
  const mpp = device.identity.family === "mpp";
  if (mpp && path === "/admin/config.xml" && req.method === "POST") {
    // MPP: apply the posted profile directly, like a resync's file (§9.5).
    const body = await readBody(req);
    if (body === undefined) {
      send(res, 413, "text/plain", "profile too large\n");
      return;
    }
    const result = device.applyProfileBytes(body);
    send(res, result.ok ? 200 : 400, "text/plain", result.ok ? "applied\n" : `${result.detail}\n`);
    return;
  }
  if (mpp && path === "/CGI/Execute" && req.method === "POST") {
    const body = await readBody(req);
    const rule = body === undefined ? undefined : executeResyncRule(body.toString("utf8"));
    if (rule === undefined) {
      send(res, 400, "text/xml", '<CiscoIPPhoneError Number="1"/>\n');
      return;
    }
    void device.resync(rule === "" ? undefined : rule);
    send(
      res,
      200,
      "text/xml",
      '<CiscoIPPhoneResponse><ResponseItem Status="0" Data="Resync"/></CiscoIPPhoneResponse>\n',
    );
    return;
  }
  if (path === "/admin/cfg.xml" || path === "/admin/spacfg.xml") {
    // Admin-equivalent export: every parameter but GPP_SA..SD, with group and ua, re-appliable.
    const info = device.productInformation;
    const groups = exportGroups(device.params.catalogue, info.productName);
    const doc = reportDocument(device.params, "config", new Set(), info, groups);
    send(res, 200, "text/xml", doc.toString("utf8"));
    return;
  }
  const view: Account | undefined =
    path === "/"
      ? "user"
      : path === "/admin" ||
          path === "/admin/" ||
          path === "/admin/basic" ||
          path === "/admin/advanced"
        ? "admin"
        : undefined;
  if (view === undefined) {
    send(res, 404, "text/plain", "not found\n");
    return;
  }
  if (req.method === "POST") {
    const form = await readForm(req);
    if (form === undefined) {
      send(res, 413, "text/plain", "form too large\n");
      return;
    }
    // A secret field left empty means "unchanged": the page never shows the current value.
    for (const name of Object.keys(form)) {
      if (form[name] === "" && device.params.catalogue.isSecret(name)) delete form[name];
    }
    const refused = device.submitEdits(view, form);
    const problems = Object.entries(refused).map(
      ([n, why]) => `<li>${escapeXmlValue(n)}: ${why}</li>`,
    );
    send(
      res,
      problems.length === 0 ? 200 : 400,
      "text/html",
      html(
        "Submitted",
        problems.length === 0
          ? "<p>Saved; the unit restarts.</p>"
          : `<ul>${problems.join("")}</ul>`,
      ),
    );
    return;
  }
  send(
    res,
    200,
    "text/html",
    html(
      view === "admin" ? "Admin" : "User",
      `${infoBlock(device)}\n${parameterTable(device, view)}`,
    ),
  );
}
