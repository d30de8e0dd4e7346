/** Remaining worked examples from the spec that span several modules. */
import { describe, expect, it } from "vitest";
import { fixtureDevice, fixtureVars } from "./fixture.ts";
import {
  deviceVariables,
  evaluateProfileRule,
  evaluateUpgradeRule,
  expandMacros,
  type FetchAction,
  formatRuleUrl,
  parseCondition,
  provisioErrorOf,
} from "./helpers.ts";

const v = fixtureVars();
const fetchUrl = (rule: string, vars = v) => {
  const r = evaluateProfileRule(rule, vars);
  if (r.kind !== "fetch") throw new Error(JSON.stringify(r));
  return (r as FetchAction).url;
};

describe("§4.1 default Profile_Rule values", () => {
  it("§4.1: SPA /spa$PSN.cfg → tftp default server /spa2102.cfg", () => {
    expect(formatRuleUrl(fetchUrl("/spa$PSN.cfg"), "dhcp")).toBe("tftp://dhcp:69/spa2102.cfg");
  });
  it("§4.1: MPP phones /$PSN.xml, ATA19x /ata$PSN.cfg, earliest Sipura /spa.cfg", () => {
    const phone = deviceVariables(
      fixtureDevice({ productName: "CP-8841-3PCC", productSeries: "8841" }),
    );
    expect(fetchUrl("/$PSN.xml", phone).path).toBe("/8841.xml");
    const ata = deviceVariables(fixtureDevice({ productName: "ATA191-MPP", productSeries: "191" }));
    expect(fetchUrl("/ata$PSN.cfg", ata).path).toBe("/ata191.cfg");
    expect(fetchUrl("/spa.cfg").path).toBe("/spa.cfg");
  });
  it("§4.1 tutorial: tftp://192.168.1.200/basic.txt and …/basic2.txt", () => {
    expect(formatRuleUrl(fetchUrl("tftp://192.168.1.200/basic.txt"))).toBe(
      "tftp://192.168.1.200:69/basic.txt",
    );
    expect(formatRuleUrl(fetchUrl("tftp://192.168.1.200/basic2.txt"))).toBe(
      "tftp://192.168.1.200:69/basic2.txt",
    );
  });
});

describe("§4.3.1 integrator form", () => {
  it("§4.3.1: ( $SWVER lt 7.6.2.a )? selects for an SPA5xx on 7.5.2b, not on 7.6.2a", () => {
    const rule = "( $SWVER lt 7.6.2.a )? http://fw/spa51x-7-6-2a.bin";
    expect(evaluateUpgradeRule(rule, fixtureVars({}, { swVersion: "7.5.2b" })).kind).toBe(
      "upgrade",
    );
    expect(evaluateUpgradeRule(rule, fixtureVars({}, { swVersion: "7.6.2a" })).kind).toBe("skip");
  });
});

describe("§5.1 / §6.8 log templates are macro-expanded", () => {
  const last = {
    lastRequest: {
      scheme: "tftp",
      server: "192.168.1.200",
      serverIp: "192.168.1.200",
      port: 69,
      path: "/basic.txt",
    },
  };
  const mpp8831 = deviceVariables(
    fixtureDevice({ mac: "00:0e:08:ab:cd:ef", productName: "CP-8831-3PCC", ...last }),
  );
  it("§6.8: Log_Resync_Request_Msg default → CP-8831-3PCC 00:0e:08:ab:cd:ef -- Requesting resync tftp://192.168.1.200:69/basic.txt", () => {
    expect(
      expandMacros("$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH", mpp8831),
    ).toBe("CP-8831-3PCC 00:0e:08:ab:cd:ef -- Requesting resync tftp://192.168.1.200:69/basic.txt");
  });
  it("§6.8: Log_Resync_Failure_Msg default → … -- Resync failed: corrupt file", () => {
    const w = deviceVariables(fixtureDevice({ lastRequest: { error: "corrupt file" } }));
    expect(expandMacros("$PN $MAC -- Resync failed: $ERR", w)).toBe(
      "SPA2102 00:0e:08:01:23:45 -- Resync failed: corrupt file",
    );
  });
  it("§6.8 / §11: $SA..$SD are not expanded in log templates", () => {
    expect(expandMacros("$PN key=$SA", v)).toBe("SPA2102 key=$SA");
  });
  it("§6.8: Syslog_Identifier choices $MA / $MAU / $MAC / $SN", () => {
    expect(["$MA", "$MAU", "$MAC", "$SN"].map((t) => expandMacros(t, v))).toEqual([
      "000e08012345",
      "000E08012345",
      "00:0e:08:01:23:45",
      "88012BA01234",
    ]);
  });
});

describe("§7.2 unconditional firmware URLs", () => {
  for (const url of [
    "http://p.tel.com/firmware/spa021025.bin",
    "http://prov.service.com/spa841/spa841-00-09-01.bin",
  ]) {
    it(`§7.2: ${url} is taken as is`, () => {
      const r = evaluateUpgradeRule(url, v);
      expect(r.kind === "upgrade" && formatRuleUrl(r.url)).toBe(url.replace(".com/", ".com:80/"));
    });
  }
  it("§C.1: ($SWVER ne 5.2.12)? http://prov.example.com/fw/spa2102-5-2-12.bin", () => {
    const rule = "($SWVER ne 5.2.12)? http://prov.example.com/fw/spa2102-5-2-12.bin";
    expect(evaluateUpgradeRule(rule, v).kind).toBe("upgrade");
    expect(evaluateUpgradeRule(rule, fixtureVars({}, { swVersion: "5.2.12" })).kind).toBe("skip");
  });
});

describe("§4.3 condition edge cases", () => {
  it("an empty condition ( )? is a syntax error", () => {
    expect(evaluateProfileRule("( )? /x", v)).toMatchObject({
      kind: "skip",
      reason: "syntax-error",
    });
  });
  it("a quoted value may contain )? without ending the condition", () => {
    const w = fixtureVars({ GPP_A: ")?" });
    expect(fetchUrl('("$A" eq ")?")? /yes | /no', w).path).toBe("/yes");
  });
  it("an unquoted value with spaces breaks the condition (why §4.3 says: quote strings)", () => {
    const w = fixtureVars({}, { certStatus: "Not Installed" });
    expect(provisioErrorOf(() => parseCondition(expandMacros("$CCERT eq Installed", w))).code).toBe(
      "RULE_SYNTAX",
    );
  });
});
