import { describe, expect, it } from "vitest";
import {
  checkRestrictedDomains,
  parseRestrictedDomains,
  ruleOutsideDomains,
} from "../../src/admin/restricted_domains.ts";
import { isProvisioError } from "../../src/errors.ts";

const D = ["example.com", "voiceip.net"];

function code(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isProvisioError(error) ? error.code : String(error);
  }
  return undefined;
}

describe("restricted access domains", () => {
  it("parses at most five host names; refuses IP addresses and junk", () => {
    expect(parseRestrictedDomains(" Example.COM, voiceip.net. ,,")).toEqual(D);
    expect(parseRestrictedDomains("")).toEqual([]);
    expect(code(() => parseRestrictedDomains("a.com,b.com,c.com,d.com,e.com,f.com"))).toBe(
      "API_RESTRICTED_DOMAIN",
    );
    expect(code(() => parseRestrictedDomains("10.0.0.1"))).toBe("API_RESTRICTED_DOMAIN");
    expect(code(() => parseRestrictedDomains("exa mple.com"))).toBe("API_RESTRICTED_DOMAIN");
    expect(code(() => parseRestrictedDomains("a.com/x"))).toBe("API_RESTRICTED_DOMAIN");
  });

  it("accepts servers equal to or under a domain, in every alternative and target", () => {
    expect(
      ruleOutsideDomains("Profile_Rule", "https://prov.example.com/$MA.xml", D),
    ).toBeUndefined();
    expect(
      ruleOutsideDomains("Profile_Rule", "http://EXAMPLE.com:8080/p/$MA.cfg", D),
    ).toBeUndefined();
    expect(
      ruleOutsideDomains(
        "Profile_Rule",
        '( "$A" ne "Provisioned" )? ( Line_Enable_1_ = "No";)! https://p.example.com/init | https://q.voiceip.net/c',
        D,
      ),
    ).toBeUndefined();
    expect(
      ruleOutsideDomains("Report_Rule", "http://r.example.com/$MA.xml; https://s.voiceip.net/x", D),
    ).toBeUndefined();
    expect(
      ruleOutsideDomains("Upgrade_Rule", "http://fw.example.com/spa-7.5.bin", D),
    ).toBeUndefined();
    // The secure-provisioning rule: a GPP in the path is fine.
    expect(
      ruleOutsideDomains("Profile_Rule", "[--key $A] tftp.example.com/profile/$B/spa962.cfg", D),
    ).toBeUndefined();
  });

  it("refuses a server outside, an IP address, a look-alike and a rule without a server", () => {
    expect(ruleOutsideDomains("Profile_Rule", "https://prov.other.com/x", D)).toMatch(
      /prov\.other\.com is outside the restricted domains \(example\.com, voiceip\.net\)/,
    );
    expect(
      ruleOutsideDomains(
        "Profile_Rule",
        '( $PN eq "SPA112" )? http://a.example.com/a | http://evil.org/b',
        D,
      ),
    ).toMatch(/evil\.org/);
    expect(ruleOutsideDomains("Profile_Rule", "http://notexample.com/x", D)).toMatch(/outside/);
    expect(ruleOutsideDomains("Upgrade_Rule", "http://192.0.2.10/fw.bin", D)).toMatch(/IP address/);
    expect(ruleOutsideDomains("Profile_Rule", "/spa$PSN.cfg", D)).toMatch(/names no server/);
    expect(
      ruleOutsideDomains("Report_Rule", "http://r.example.com/x; http://r.other.org/y", D),
    ).toMatch(/r\.other\.org/);
  });

  it("macros in a server name: a unit's identity may name a sub-domain, anything else is refused", () => {
    expect(
      ruleOutsideDomains("Profile_Rule", "http://$MA.prov.example.com/p.xml", D),
    ).toBeUndefined();
    expect(
      ruleOutsideDomains("Profile_Rule", "http://prov-$PSN.example.com/p.xml", D),
    ).toBeUndefined();
    expect(ruleOutsideDomains("Profile_Rule", "http://$A.example.com/p.xml", D)).toMatch(
      /holds \$A, which could expand to any server/,
    );
    expect(ruleOutsideDomains("Profile_Rule", "http://prov.$MA/p.xml", D)).toMatch(
      /whatever the macro expands to/,
    );
    expect(
      ruleOutsideDomains("Profile_Rule", "http://{{ device.label }}.example.com/p", D),
    ).toMatch(/a value template/);
    expect(ruleOutsideDomains("Profile_Rule", "$A", D)).toMatch(/cannot be checked/);
  });

  it("a layer: its own domain list wins over the inherited one; no list, no check", () => {
    const rule = { name: "Profile_Rule", value: "https://prov.other.com/x", access: null };
    expect(code(() => checkRestrictedDomains([rule], "example.com"))).toBe("API_RESTRICTED_DOMAIN");
    expect(
      code(() =>
        checkRestrictedDomains(
          [rule, { name: "Restricted_Access_Domains", value: "other.com", access: null }],
          "example.com",
        ),
      ),
    ).toBeUndefined();
    expect(code(() => checkRestrictedDomains([rule], undefined))).toBeUndefined();
    expect(code(() => checkRestrictedDomains([rule], ""))).toBeUndefined();
  });
});

describe("restricted access domains: rules that try to slip past", () => {
  it("a rule this server cannot read is refused where domains are in force", () => {
    for (const rule of [
      "http://prov.example.com@evil.net/a",
      "http://prov.example.com\\@evil.net/a",
      "http://user:pw@evil.net/a",
      "http://[::1]/a",
      "http://evil.net#.example.com/a",
      "http://evil.net?.example.com/a",
      "http://evil.net%2eexample.com/a",
      "http://prov.example.com;evil.net/a",
      "http://prov.example.com/a | http://evil.net/b",
    ]) {
      expect(ruleOutsideDomains("Profile_Rule", rule, D), rule).toBeDefined();
    }
  });

  it("case, a trailing dot, a port and identity macros as a sub-domain stay allowed", () => {
    for (const rule of [
      "http://PROV.EXAMPLE.COM/a",
      "http://prov.example.com./a",
      "https://prov.example.com:8443/a",
      "http://$MA.example.com/a",
      "http://$(MA).example.com/a",
      "[--key abc] https://prov.voiceip.net/$MA.cfg",
      "prov.example.com/a",
    ]) {
      expect(ruleOutsideDomains("Profile_Rule", rule, D), rule).toBeUndefined();
    }
    for (const rule of [
      "http://$MA.evil.net/a",
      "http://$MAexample.com/a",
      "http://$MA.example.com.evil.net/a",
      "http://evilexample.com/a",
      "http://xn--exmple-cua.com/a",
      "[--key $A] evil.net/a",
      "( $A == 1 )? http://evil.net/a",
      "https://evil.net:443/a",
    ]) {
      expect(ruleOutsideDomains("Profile_Rule", rule, D), rule).toBeDefined();
    }
  });
});
