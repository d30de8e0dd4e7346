import { describe, expect, it } from "vitest";
import { defaultCatalogue } from "../../src/profile/index.ts";
import { FACTORY_PATHS, stagingPathMac } from "../../src/server/staging_flow.ts";
import {
  deviceProfileRule,
  deviceStagingParameters,
  genericStagingParameters,
  genericStagingRule,
} from "../../src/server/staging_profile.ts";
import { DEFAULT_TENANT_SETTINGS, type Layer, type Tenant } from "../../src/store/index.ts";

function tenant(settings: Partial<Tenant["settings"]> = {}): Tenant {
  return {
    id: "t1",
    slug: "acme",
    name: "Acme",
    settings: {
      ...DEFAULT_TENANT_SETTINGS,
      profilePaths: ["/acme/$PN.cfg", "/acme/$MA.xml"],
      ...settings,
    },
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

const urls = { http: "http://prov.example.com:8080", https: "https://prov.example.com" };

function layer(scope: "tenant" | "staging", parameters: [string, string][]): Layer {
  return {
    target: { scope, tenantId: "t1" },
    parameters: parameters.map(([name, value]) => ({ name, value, access: null })),
    version: 1,
    updatedAt: new Date(0),
  };
}

describe("the staging profile", () => {
  it("every built-in model's factory file is answered, and only per-MAC staging paths", () => {
    for (const path of [
      "/spa112.cfg",
      "/spa2102.cfg",
      "/spa962.cfg",
      "/spa.cfg",
      "/ata191.cfg",
      "/8851.xml",
    ]) {
      expect(FACTORY_PATHS.has(path), path).toBe(true);
    }
    expect(stagingPathMac("/staging/000E08A1B2C3.cfg")).toBe("000e08a1b2c3");
    expect(stagingPathMac("/staging/000e08a1b2c3.xml")).toBeUndefined();
    expect(stagingPathMac("/staging/../x.cfg")).toBeUndefined();
    expect(stagingPathMac("/staging/000e08a1b2c.cfg")).toBeUndefined();
  });

  it("points the unit at its own profile: the tenant's per-MAC path, HTTPS when certificates are required", () => {
    expect(deviceProfileRule(tenant(), urls)).toBe("http://prov.example.com:8080/acme/$MA.xml");
    expect(deviceProfileRule(tenant({ requireClientCert: true }), urls)).toBe(
      "https://prov.example.com/acme/$MA.xml",
    );
    expect(deviceProfileRule(tenant(), { http: undefined, https: urls.https })).toBe(
      "https://prov.example.com/acme/$MA.xml",
    );
    // No public URL: the TFTP server DHCP names (a path only).
    expect(deviceProfileRule(tenant(), { http: undefined, https: undefined })).toBe(
      "/acme/$MA.xml",
    );
    expect(deviceProfileRule(tenant({ profilePaths: [] }), urls)).toBeUndefined();
  });

  it("the generic file sends the unit to its staging file over the transport it came by", () => {
    expect(genericStagingRule("tftp", urls)).toBe("/staging/$MA.cfg");
    expect(genericStagingRule("http", urls)).toBe("http://prov.example.com:8080/staging/$MA.cfg");
    expect(genericStagingRule("https", { http: undefined, https: undefined })).toBe(
      "/staging/$MA.cfg",
    );
    const names = genericStagingParameters("/staging/$MA.cfg").map((p) => p.name);
    expect(names).toEqual(["Profile_Rule", "Resync_Periodic", "Resync_Error_Retry_Delay"]);
  });

  it("merges built-in values < the tenant's admin password and domains < the rule < the staging layer", () => {
    const parameters = deviceStagingParameters({
      tenant: tenant(),
      rule: "http://prov.example.com/acme/$MA.xml",
      tenantLayer: layer("tenant", [
        ["Admin_Passwd", "t-admin"],
        ["Restricted_Access_Domains", "example.com"],
        ["Proxy_1_", "sip.example.com"],
      ]),
      stagingLayer: layer("staging", [
        ["Resync_Periodic", "120"],
        ["Primary_DNS", "192.0.2.53"],
      ]),
      catalogue: defaultCatalogue,
    });
    const value = (name: string) => parameters.find((p) => p.name === name)?.value;
    expect(value("Profile_Rule")).toBe("http://prov.example.com/acme/$MA.xml");
    expect(value("Resync_Periodic")).toBe("120");
    expect(value("Resync_Error_Retry_Delay")).toBe("30");
    expect(value("Admin_Passwd")).toBe("t-admin");
    expect(value("Restricted_Access_Domains")).toBe("example.com");
    expect(value("Primary_DNS")).toBe("192.0.2.53");
    // The tenant's other parameters belong to the unit's own profile, not to staging.
    expect(value("Proxy_1_")).toBeUndefined();
    const overridden = deviceStagingParameters({
      tenant: tenant(),
      rule: "http://prov.example.com/acme/$MA.xml",
      tenantLayer: null,
      stagingLayer: layer("staging", [["Profile_Rule", "https://stage2.example.com/$MA.cfg"]]),
      catalogue: defaultCatalogue,
    });
    expect(overridden.find((p) => p.name === "Profile_Rule")?.value).toBe(
      "https://stage2.example.com/$MA.cfg",
    );
  });
});
