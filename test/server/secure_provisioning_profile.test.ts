/**
 * The pure parts of secure provisioning: the secure path parser (a device request reaches
 * it, so it is fuzzed), the base URL a unit is sent back to (its Host header is the client's
 * to write), the pair a profile installs, the schedule, and which families open targeted
 * files.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EffectiveParameter } from "../../src/server/profile_renderer.ts";
import { opensTargetedFiles } from "../../src/server/secure_provisioning_flow.ts";
import {
  parseSecurePath,
  rotationDue,
  secureBase,
  secureFileName,
  secureProfileRule,
  withSecurePair,
} from "../../src/server/secure_provisioning_profile.ts";
import { DEFAULT_TENANT_SETTINGS, type Tenant } from "../../src/store/index.ts";

const DIR = "0123456789abcdef0123456789abcdef";

function tenant(keyRotationDays: number): Tenant {
  return {
    id: "t",
    slug: "t",
    name: "t",
    settings: { ...DEFAULT_TENANT_SETTINGS, secureProvisioning: "on", keyRotationDays },
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

describe("secure paths", () => {
  it("parses /secure/<directory>/<file> and nothing else", () => {
    expect(parseSecurePath(`/secure/${DIR}/${secureFileName("000e08abcdef")}`)).toEqual({
      directory: DIR,
      file: "000e08abcdef.cfg",
    });
    for (const path of [
      "/secure/",
      `/secure/${DIR}`,
      `/secure/${DIR}/`,
      `/secure//x.cfg`,
      `/secure/${DIR}/a/b.cfg`,
      `/profile/${DIR}/x.cfg`,
      `/secure/${"a".repeat(65)}/x.cfg`,
      `/secure/${DIR}/${"x".repeat(65)}`,
    ]) {
      expect(parseSecurePath(path), path).toBeUndefined();
    }
  });

  it("never throws, and what it parses puts the path back together", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (tail) => {
        const path = `/secure/${tail}`;
        const parsed = parseSecurePath(path);
        if (parsed !== undefined) {
          expect(`/secure/${parsed.directory}/${parsed.file}`).toBe(path);
          expect(parsed.directory.includes("/") || parsed.file.includes("/")).toBe(false);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("where a unit is sent back to", () => {
  it("TFTP: a path; HTTP(S): the public URL, else the host the unit asked", () => {
    const none = { http: undefined, https: undefined };
    expect(secureBase({ transport: "tftp", host: undefined }, none)).toBe("");
    expect(secureBase({ transport: "https", host: "prov.example:8443" }, none)).toBe(
      "https://prov.example:8443",
    );
    expect(
      secureBase(
        { transport: "http", host: "10.0.0.1" },
        { http: "http://prov.example.com/", https: undefined },
      ),
    ).toBe("http://prov.example.com");
    expect(secureProfileRule("")).toBe("[--key $SA] /secure/$B/$MA.cfg");
  });

  it("a Host header that is not a host name sends nobody anywhere", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (host) => {
        const base = secureBase({ transport: "http", host }, { http: undefined, https: undefined });
        if (base !== undefined) expect(base).toMatch(/^http:\/\/[A-Za-z0-9.[\]:-]+$/);
      }),
      { numRuns: 2_000 },
    );
    for (const host of ["evil.example/x", "a b", "x@y", "h\r\nX: y", ""]) {
      expect(secureBase({ transport: "http", host }, { http: undefined, https: undefined })).toBe(
        undefined,
      );
    }
  });
});

describe("the pair a profile installs", () => {
  it("replaces what the layers say for GPP_SA, GPP_B and Profile_Rule, keeps the rest", () => {
    const p = (name: string, value: string): EffectiveParameter => ({
      name,
      value,
      access: "rw",
      valueFrom: "tenant:t",
      accessFrom: "tenant:t",
    });
    const out = withSecurePair(
      [p("GPP_SA", "layer"), p("Proxy_1_", "sip"), p("Profile_Rule", "/x.xml"), p("GPP_B", "b")],
      "k".repeat(64),
      DIR,
      "[--key $SA] /secure/$B/$MA.cfg",
    );
    expect(out.map((e) => `${e.name}=${e.value} ${e.access}`)).toEqual([
      "Proxy_1_=sip rw",
      `GPP_SA=${"k".repeat(64)} na`,
      `GPP_B=${DIR} na`,
      "Profile_Rule=[--key $SA] /secure/$B/$MA.cfg na",
    ]);
  });

  it("a scheduled rotation is due once the pair is that many days old; 0 days: never", () => {
    const day = 86_400_000;
    expect(rotationDue(tenant(30), new Date(0), 30 * day - 1)).toBe(false);
    expect(rotationDue(tenant(30), new Date(0), 30 * day)).toBe(true);
    expect(rotationDue(tenant(0), new Date(0), 10_000 * day)).toBe(false);
  });

  it("SPA and Sipura units open targeted files; MPP units do not", () => {
    for (const f of ["spa", "spa1xx", "spa9x2", "sipura"]) expect(opensTargetedFiles(f)).toBe(true);
    for (const f of ["mpp", "mpp-phone", "mpp-ata", "ata", "ata19x"]) {
      expect(opensTargetedFiles(f)).toBe(false);
    }
  });
});
