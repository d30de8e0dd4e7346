import { describe, expect, it } from "vitest";
import { fixtureDevice } from "./fixture.ts";
import { deviceVariables, expandMacros, lookupMacro, provisioErrorOf } from "./helpers.ts";

describe("§5.3 variables", () => {
  const v = deviceVariables(
    fixtureDevice({
      timers: { prvtmr: 700.9, upgtmr: 12, regtmr: [400, 0] },
      provisioningState: 2,
      upgradeState: 1,
      upgradeError: "http_get failed",
      lastRequest: {
        scheme: "tftp",
        server: "http.phoneme.com",
        serverIp: "10.2.3.200",
        port: 69,
        path: "/guest/spa2000.cfg",
        error: "corrupt file",
      },
      customized: true,
    }),
  );
  const rows: [string, string][] = [
    ["MA", "000e08012345"],
    ["MAU", "000E08012345"],
    ["MAC", "00:0e:08:01:23:45"],
    ["PN", "SPA2102"],
    ["PSN", "2102"],
    ["SN", "88012BA01234"],
    ["CCERT", "Installed"],
    ["IP", "192.168.1.100"],
    ["EXTIP", "66.43.16.52"],
    ["SWVER", "2.0.6(b)"],
    ["HWVER", "1.88.1"],
    ["PRVST", "2"],
    ["UPGST", "1"],
    ["UPGERR", "http_get failed"],
    ["PRVTMR", "700"],
    ["UPGTMR", "12"],
    ["REGTMR1", "400"],
    ["REGTMR2", "0"],
    ["UPGCOND", "true"],
    ["SCHEME", "tftp"],
    ["METH", "tftp"],
    ["SERV", "http.phoneme.com"],
    ["SERVIP", "10.2.3.200"],
    ["PORT", "69"],
    ["PATH", "/guest/spa2000.cfg"],
    ["ERR", "corrupt file"],
    ["UID1", "4085551234"],
    ["UID2", ""],
    ["ISCUST", "1"],
    ["A", "ABC"],
    ["B", "123"],
    ["F", "beta-customer"],
    ["P", ""],
    ["SA", "Secret!"],
    ["SD", ""],
  ];
  for (const [name, value] of rows) {
    it(`§5.3: $${name} = "${value}"`, () => expect(lookupMacro(v, name)).toBe(value));
  }
  it("§5.3: unknown names are undefined (left as written by expansion)", () => {
    for (const n of ["Q", "SE", "UID3", "REGTMR3", "STRANGE", "GPP_A", "ma"]) {
      expect(lookupMacro(v, n)).toBeUndefined();
    }
  });
  it("§5.3: $MA example 000e08aabbcc, $MAU 000E08AABBCC, $MAC 00:0e:08:aa:bb:cc", () => {
    const w = deviceVariables(fixtureDevice({ mac: "000E08AABBCC" }));
    expect(expandMacros("$MA $MAU $MAC", w)).toBe("000e08aabbcc 000E08AABBCC 00:0e:08:aa:bb:cc");
  });
  it("§5.3: $CCERT defaults to Not Installed, $ISCUST to 0, unknown timers to empty", () => {
    const w = deviceVariables(fixtureDevice({ certStatus: undefined }));
    expect(expandMacros("$CCERT|$ISCUST|$PRVTMR|$REGTMR1", w)).toBe("Not Installed|0||");
  });
  it("§5.3: MPP UIDn reads User_ID_n_ for any line the device has", () => {
    const w = deviceVariables(
      fixtureDevice({ params: (n) => (n === "User_ID_5_" ? "5555" : undefined) }),
    );
    expect(expandMacros("$UID5 $UID6", w)).toBe("5555 $UID6");
  });
  it("reads parameters live (an assignment by an earlier rule is visible to the next)", () => {
    const store = new Map<string, string>([["GPP_A", "one"]]);
    const w = deviceVariables(fixtureDevice({ params: (n) => store.get(n) }));
    expect(expandMacros("$A", w)).toBe("one");
    store.set("GPP_A", "two");
    expect(expandMacros("$A", w)).toBe("two");
  });
});

describe("MAC address input (CONVENTIONS: canonical 12 lower-case hex)", () => {
  for (const input of [
    "00:0e:08:01:23:45",
    "00-0E-08-01-23-45",
    "000E08012345",
    " 000e08012345 ",
  ]) {
    it(`accepts ${JSON.stringify(input)}`, () =>
      expect(lookupMacro(deviceVariables(fixtureDevice({ mac: input })), "MA")).toBe(
        "000e08012345",
      ));
  }
  for (const input of [
    "",
    "000e0801234",
    "00:0e:08:01:23",
    "00:0e-08:01:23:45",
    "00.0e.08.01.23.45",
    "zz0e08012345",
  ]) {
    it(`rejects ${JSON.stringify(input)} with RULE_MAC_INVALID`, () => {
      expect(provisioErrorOf(() => deviceVariables(fixtureDevice({ mac: input }))).code).toBe(
        "RULE_MAC_INVALID",
      );
    });
  }
});
