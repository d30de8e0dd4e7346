import { describe, expect, it } from "vitest";
import {
  formatRuleUrl,
  parseRuleUrl,
  provisioErrorOf,
  requestTarget,
  resolveRuleUrl,
} from "./helpers.ts";

const resolve = (text: string) => resolveRuleUrl(parseRuleUrl(text));

describe("§4.6 URL syntax and defaults", () => {
  it("§4.6 example: /$MA.cfg (expanded) → tftp, default server, port 69", () => {
    expect(resolve("/000e08012345.cfg")).toEqual({
      scheme: "tftp",
      server: { kind: "default" },
      port: 69,
      path: "/000e08012345.cfg",
      query: undefined,
    });
  });
  it("§4.6 example: /Linksys/spa021025.bin", () => {
    expect(resolve("/Linksys/spa021025.bin")).toMatchObject({
      scheme: "tftp",
      path: "/Linksys/spa021025.bin",
    });
  });
  it("§4.6 example: /cisco/cfg.xml", () => {
    expect(resolve("/cisco/cfg.xml").server).toEqual({ kind: "default" });
  });
  it("§4.6 example: 192.168.1.130/profiles/init.cfg → tftp 192.168.1.130:69", () => {
    expect(resolve("192.168.1.130/profiles/init.cfg")).toEqual({
      scheme: "tftp",
      server: { kind: "host", host: "192.168.1.130" },
      port: 69,
      path: "/profiles/init.cfg",
      query: undefined,
    });
  });
  it("§4.6 example: tftp://prov.call.com/cpe/Linksys$MA.cfg", () => {
    expect(resolve("tftp://prov.call.com/cpe/Linksys000e08012345.cfg")).toMatchObject({
      scheme: "tftp",
      server: { kind: "host", host: "prov.call.com" },
      port: 69,
    });
  });
  it("§4.6 example: http://neptune.speak.net:8080/prov/$D/$E.cfg keeps port 8080", () => {
    expect(resolve("http://neptune.speak.net:8080/prov/x/y.cfg")).toMatchObject({
      scheme: "http",
      port: 8080,
      path: "/prov/x/y.cfg",
    });
  });
  it("§4.6 example: https://secure.me.com/profile?Linksys → port 443, query verbatim", () => {
    const u = resolve("https://secure.me.com/profile?Linksys");
    expect(u).toMatchObject({ scheme: "https", port: 443, path: "/profile", query: "Linksys" });
    expect(requestTarget(u)).toBe("/profile?Linksys");
  });
  it("§4.6 example: pserv.myvoice.com:42000/sip/$MA/spa2000.cfg → tftp on port 42000", () => {
    expect(resolve("pserv.myvoice.com:42000/sip/m/spa2000.cfg")).toMatchObject({
      scheme: "tftp",
      server: { kind: "host", host: "pserv.myvoice.com" },
      port: 42000,
    });
  });
  it("§4.6: default ports 69/80/443", () => {
    expect(resolve("tftp://h/a").port).toBe(69);
    expect(resolve("http://h/a").port).toBe(80);
    expect(resolve("https://h/a").port).toBe(443);
  });
  it("§4.2: scheme is case-insensitive", () => {
    expect(resolve("HTTPS://h/a").scheme).toBe("https");
  });
  it("§6.1 Transport_Protocol: a configured default scheme replaces tftp (and its port)", () => {
    const u = resolveRuleUrl(parseRuleUrl("/spa2102.cfg"), { defaultScheme: "http" });
    expect(u).toMatchObject({ scheme: "http", port: 80 });
    expect(resolveRuleUrl(parseRuleUrl("tftp://h/a"), { defaultScheme: "http" }).scheme).toBe(
      "tftp",
    );
  });
  it("§4.6: /tftp://prov… (8831 typo) is a path on the default server", () => {
    expect(resolve("/tftp://prov.telco.com/a.cfg")).toEqual({
      scheme: "tftp",
      server: { kind: "default" },
      port: 69,
      path: "/tftp://prov.telco.com/a.cfg",
      query: undefined,
    });
  });
  it("§4.6: no percent-decoding; a bare trailing ? is kept", () => {
    const u = resolve("http://p.tel.com/a%20b/lost-reg?");
    expect(u.path).toBe("/a%20b/lost-reg");
    expect(u.query).toBe("");
    expect(requestTarget(u)).toBe("/a%20b/lost-reg?");
  });
  it("§4.6: scheme with an empty server (http:///x) means the default server", () => {
    expect(resolve("http:///x.cfg")).toMatchObject({
      scheme: "http",
      server: { kind: "default" },
      port: 80,
    });
  });
  it("formatRuleUrl renders the canonical effective URL", () => {
    expect(formatRuleUrl(resolve("http://remote.server.com/cisco/a.cfg"))).toBe(
      "http://remote.server.com:80/cisco/a.cfg",
    );
    expect(formatRuleUrl(resolve("/curr.cfg"), "10.0.0.5")).toBe("tftp://10.0.0.5:69/curr.cfg");
  });
});

describe("§4.6 invalid URLs throw RULE_SYNTAX", () => {
  const cases: [string, RegExp][] = [
    ["", /missing URL/],
    ["ftp://h/a", /unsupported scheme/],
    ["http://h", /absolute file path/],
    ["h.example.com", /absolute file path/],
    ["http://h?x/a", /absolute file path/],
    ["http://h:0/a", /invalid port/],
    ["http://h:65536/a", /invalid port/],
    ["http://h:x/a", /invalid port/],
    ["http://u:p@h/a", /credentials/],
    ["http://h!/a", /invalid server name/],
    ["http://", /absolute file path/],
  ];
  for (const [text, message] of cases) {
    it(JSON.stringify(text), () => {
      const e = provisioErrorOf(() => parseRuleUrl(text));
      expect(e.code).toBe("RULE_SYNTAX");
      expect(e.message).toMatch(message);
    });
  }
});
