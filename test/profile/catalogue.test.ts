import { describe, expect, it } from "vitest";
import {
  CATALOGUE_DATA,
  checkProfile,
  createCatalogue,
  defaultCatalogue,
  describeValueType,
  editDistance,
  isSchedule,
  parseBool,
  parseXmlProfile,
  validateValue,
} from "../../src/profile/index.ts";

describe("parameter catalogue", () => {
  it("knows every Appendix A element (SPA and MPP names)", () => {
    const appendixA = [
      "Provision_Enable",
      "Resync_On_Reset",
      "Resync_Random_Delay",
      "Resync_At__HHmm_",
      "Resync_At_Random_Delay",
      "Resync_Periodic",
      "Resync_Error_Retry_Delay",
      "Forced_Resync_Delay",
      "Resync_From_SIP",
      "Resync_After_Upgrade_Attempt",
      "Resync_Trigger_1",
      "Resync_Trigger_2",
      "Resync_Fails_On_FNF",
      "Profile_Rule",
      "Profile_Rule_B",
      "Profile_Rule_C",
      "Profile_Rule_D",
      "Log_Resync_Request_Msg",
      "Log_Request_Msg",
      "Log_Resync_Success_Msg",
      "Log_Success_Msg",
      "Log_Resync_Failure_Msg",
      "Log_Failure_Msg",
      "Report_Rule",
      "Upgrade_Enable",
      "Upgrade_Error_Retry_Delay",
      "Downgrade_Rev_Limit",
      "Upgrade_Rule",
      "Log_Upgrade_Request_Msg",
      "Log_Upgrade_Success_Msg",
      "Log_Upgrade_Failure_Msg",
      "GPP_A",
      "GPP_P",
      "GPP_SA",
      "GPP_SD",
      "Admin_Passwd",
      "User_Password",
      "Enable_Web_Server",
      "Web_Server_Port",
      "Enable_Web_Admin_Access",
      "Restricted_Access_Domains",
      "Auth_Resync-Reboot_1_",
      "Restrict_Source_IP_2_",
      "Phone-UI-User-Mode",
      "Syslog_Server",
      "Debug_Server",
      "Debug_Level",
      "Syslog_Identifier",
      "DHCP_Option_To_Use",
      "DHCPv6_Option_To_Use",
      "Custom_CA_URL",
      "Custom_CA_Rule",
      "HTTPS_Name_Validate",
      "User_Configurable_Resync",
      "Profile_Authentication_Type",
      "IKM_HTTP_Encrypt_Content",
      "Profile_Name",
      "Profile_Region",
      "License_Keys",
      "Primary_DNS",
      "Secondary_DNS",
    ];
    const missing = appendixA.filter((name) => !defaultCatalogue.has(name));
    expect(missing).toEqual([]);
  });

  it("describes indexed line parameters once and expands them 1..the largest model's count (§3.2.2)", () => {
    for (const base of [
      "Line_Enable",
      "Proxy",
      "User_ID",
      "Password",
      "Auth_ID",
      "Use_Auth_ID",
      "Display_Name",
      "Register_Expires",
      "Dial_Plan",
    ]) {
      expect(CATALOGUE_DATA.filter((d) => d.name === base)).toHaveLength(1);
      const count =
        defaultCatalogue.definitions.find((d) => d.name === base && d.indexed)?.indexed?.count ?? 0;
      expect(count).toBeGreaterThanOrEqual(4);
      expect(defaultCatalogue.has(`${base}_1_`)).toBe(true);
      expect(defaultCatalogue.has(`${base}_${count}_`)).toBe(true);
      expect(defaultCatalogue.has(`${base}_${count + 1}_`)).toBe(false);
      expect(defaultCatalogue.has(`${base}_0_`)).toBe(false);
    }
    // The CP-7861 has 16 lines, the most of any catalogued model.
    expect(defaultCatalogue.has("Proxy_16_")).toBe(true);
    expect(defaultCatalogue.has("Proxy_17_")).toBe(false);
    expect(defaultCatalogue.lookup("Proxy_3_")).toMatchObject({
      name: "Proxy_3_",
      index: 3,
      label: "Proxy",
    });
  });

  it("a model with two lines has Proxy_1_ and Proxy_2_ only; line 1's fields come together", () => {
    const spa2102 = createCatalogue(undefined, { family: "spa", indexCounts: { line: 2 } });
    expect(spa2102.has("Proxy_2_")).toBe(true);
    expect(spa2102.has("Proxy_3_")).toBe(false);
    const names = spa2102.parameters.map((p) => p.name);
    expect(names.indexOf("Proxy_1_")).toBeLessThan(names.indexOf("Line_Enable_2_"));
    expect(names.indexOf("Line_Enable_1_")).toBeLessThan(names.indexOf("Proxy_1_"));
  });

  it("looks up by element name, bracket form and web label with line context", () => {
    expect(defaultCatalogue.lookup("Proxy[1]")?.name).toBe("Proxy_1_");
    expect(defaultCatalogue.lookupLabel("User ID", "Ext 1")?.name).toBe("User_ID_1_");
    expect(defaultCatalogue.lookupLabel("Resync At (HHmm)")?.name).toBe("Resync_At__HHmm_");
    expect(defaultCatalogue.lookupLabel("SIP TOS/DiffServ Value", "Line 2")?.name).toBe(
      "SIP_TOS_DiffServ_Value_2_",
    );
    expect(defaultCatalogue.lookupLabel("Nope Nope")).toBeUndefined();
    expect(defaultCatalogue.lookupLabel("Bad.Label")).toBeUndefined();
    expect(defaultCatalogue.lookup("Proxy[x]")).toBeUndefined();
  });

  it("gives SPA and MPP defaults, factory access and the secret flag", () => {
    expect(defaultCatalogue.defaultValue("Profile_Rule")).toBe("/spa$PSN.cfg");
    expect(defaultCatalogue.defaultValue("Profile_Rule", "mpp")).toBe("/$PSN.xml");
    expect(defaultCatalogue.defaultValue("Profile_Rule", "sipura")).toBe("/spa.cfg");
    expect(defaultCatalogue.defaultValue("Resync_Random_Delay")).toBe("2");
    expect(defaultCatalogue.defaultValue("Log_Success_Msg")).toBe(
      "$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH",
    );
    expect(defaultCatalogue.defaultValue("Log_Resync_Success_Msg")).toBe(
      "$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH -- $ERR",
    );
    expect(defaultCatalogue.defaultValue("Register_Expires_2_")).toBe("3600");
    expect(defaultCatalogue.factoryAccess("Profile_Rule")).toBe("na");
    expect(defaultCatalogue.factoryAccess("Speed_Dial_2_1_")).toBe("rw");
    expect(
      ["GPP_SA", "GPP_SD", "Password_1_", "Admin_Passwd"].every((n) =>
        defaultCatalogue.isSecret(n),
      ),
    ).toBe(true);
    expect(["GPP_A", "User_ID_1_"].some((n) => defaultCatalogue.isSecret(n))).toBe(false);
    expect(defaultCatalogue.defaultValue("Nope")).toBeUndefined();
  });

  it("a family catalogue keeps only that family's parameters (MPP renamed the syslog templates)", () => {
    const mpp = createCatalogue(undefined, { family: "mpp" });
    expect(mpp.has("Log_Request_Msg")).toBe(true);
    expect(mpp.has("Log_Resync_Request_Msg")).toBe(false);
    expect(mpp.defaultValue("Profile_Rule")).toBe("/$PSN.xml");
    const sipura = createCatalogue(undefined, { family: "sipura" });
    expect(sipura.has("GPP_D")).toBe(true);
    expect(sipura.has("GPP_E")).toBe(false);
    expect(sipura.has("GPP_SA")).toBe(false);
  });

  it("suggests the nearest names for typos ('did you mean')", () => {
    expect(defaultCatalogue.suggest("Profile_Rul")[0]).toBe("Profile_Rule");
    expect(defaultCatalogue.suggest("Porfile_Rule")[0]).toBe("Profile_Rule");
    expect(defaultCatalogue.suggest("profile_rule")[0]).toBe("Profile_Rule");
    expect(defaultCatalogue.suggest("Resync_Periodc")[0]).toBe("Resync_Periodic");
    expect(defaultCatalogue.suggest("Resync_At")).toContain("Resync_At__HHmm_");
    expect(defaultCatalogue.suggest("User_Id[1]")[0]).toBe("User_ID_1_");
    expect(defaultCatalogue.suggest("Completely_Unrelated_Thing")).toEqual([]);
    expect(defaultCatalogue.suggest("Profile_Rule")).not.toContain("Profile_Rule");
  });

  it("validates values by the parameter's type without throwing", () => {
    expect(defaultCatalogue.validate("Resync_On_Reset", "Yes")?.valid).toBe(true);
    expect(defaultCatalogue.validate("Resync_On_Reset", "maybe")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Resync_Periodic", "3600+600")?.valid).toBe(true);
    expect(
      defaultCatalogue.validate("Resync_Error_Retry_Delay", "1800,3600,7200,14400")?.valid,
    ).toBe(true);
    expect(defaultCatalogue.validate("Resync_Periodic", "soon")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Resync_At__HHmm_", "2400")?.valid).toBe(true);
    expect(defaultCatalogue.validate("Resync_At__HHmm_", "2460")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Web_Server_Port", "0x50")?.valid).toBe(true);
    expect(defaultCatalogue.validate("Web_Server_Port", "65536")?.valid).toBe(false);
    expect(defaultCatalogue.validate("Primary_DNS", "256.1.1.1")?.valid).toBe(false);
    expect(
      defaultCatalogue.validate("Restricted_Access_Domains", "a.com, b.com, c.com, d.com, e.com")
        ?.valid,
    ).toBe(true);
    expect(
      defaultCatalogue.validate("Restricted_Access_Domains", "a.com,b.com,c.com,d.com,e.com,f.com")
        ?.valid,
    ).toBe(false);
    expect(defaultCatalogue.validate("Nope", "x")).toBeUndefined();
  });

  it("catalogue data is consistent: names match labels, no duplicates", () => {
    expect(() => createCatalogue()).not.toThrow();
    expect(() => createCatalogue([...CATALOGUE_DATA, CATALOGUE_DATA[0]!])).toThrow(
      expect.objectContaining({ code: "PROFILE_CATALOGUE_INVALID" }),
    );
    expect(() => createCatalogue([{ ...CATALOGUE_DATA[0]!, label: "Something Else" }])).toThrow(
      expect.objectContaining({ code: "PROFILE_CATALOGUE_INVALID" }),
    );
  });
});

describe("value types (§12.2)", () => {
  it("Bool accepts the documented spellings (§3.3.2)", () => {
    expect(["Yes", "yes", "Enable", "enable", "1"].map(parseBool)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["No", "no", "Disable", "disable", "0"].map(parseBool)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(parseBool("YES")).toBeUndefined();
  });

  it.each([
    [{ kind: "uns", bits: 8 } as const, ["12", "0x18", "255"], ["256", "-1", "0x100", "x"]],
    [{ kind: "sig", bits: 8 } as const, ["-128", "+127", "0x7f"], ["128", "-129", "1.5"]],
    [{ kind: "int", min: 0, max: 10 } as const, ["0", "10"], ["11", "-1", "0x1"]],
    [
      { kind: "time", decimals: 0, max: 65535 } as const,
      ["0", "65535", "3.5"],
      ["65536", "-1", "x"],
    ],
    [{ kind: "float", decimals: 1 } as const, ["-13.5", "1.5", "2"], ["1.55", ".", "x"]],
    [{ kind: "enum", choices: ["a", "b"] } as const, ["a", "b"], ["c", ""]],
    [{ kind: "ip" } as const, ["192.168.1.100", ""], ["1.2.3", "1.2.3.256", "a.b.c.d"]],
    [
      { kind: "fqdn" } as const,
      ["sip.Cisco.com:5060", "109.12.14.12:12345", ""],
      ["a b", "x:99999", `${"a".repeat(64)}`],
    ],
    [{ kind: "port" } as const, ["0", "65535", "0x13c4"], ["65536", "", "-1"]],
    [
      { kind: "schedule" } as const,
      ["7200", "1800,3600+600", " 60 , 120 ", "", "0"],
      ["1h", "1,,2", "+5"],
    ],
    [{ kind: "hhmm" } as const, ["0000", "2359", "2400", ""], ["2401", "123", "12:00"]],
    [{ kind: "str", maxLength: 3 } as const, ["abc", ""], ["abcd"]],
    [{ kind: "numberList" } as const, ["66,160,159,150", ""], ["66,x"]],
  ])("%j", (type, good, bad) => {
    for (const value of good) expect(validateValue(type, value).valid, value).toBe(true);
    for (const value of bad) expect(validateValue(type, value).valid, value).toBe(false);
  });

  it("warns (never rejects or alters) non-ASCII text", () => {
    const check = validateValue({ kind: "str" }, "Zoë");
    expect(check.valid).toBe(true);
    expect(check.issues).toEqual([expect.objectContaining({ severity: "warning" })]);
  });

  it("extra decimals on Time are ignored, with a warning", () => {
    expect(validateValue({ kind: "time", decimals: 0 }, "3.5").issues[0]?.severity).toBe("warning");
  });

  it("schedule grammar (§6.4) and type descriptions", () => {
    expect(isSchedule("1800+300,3600+600,7200+900")).toBe(true);
    expect(describeValueType({ kind: "int", min: 0, max: 65535 })).toBe("Int 0–65535");
    expect(describeValueType({ kind: "profileScript" })).toBe("ProfileScript");
    expect(describeValueType({ kind: "ip" })).toBe("IP");
  });

  it("edit distance counts a swap of neighbours as one edit", () => {
    expect(editDistance("Porfile", "Profile")).toBe(1);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("abcdef", "uvwxyz", 2)).toBe(3);
  });
});

describe("checkProfile", () => {
  it("reports unknown names with suggestions and values that fail their type, with positions", () => {
    const profile = parseXmlProfile(`<flat-profile>
  <Profile_Rul>x</Profile_Rul>
  <Resync_Periodic>soon</Resync_Periodic>
  <Display_Name_1_>Zoë</Display_Name_1_>
  <Dial_Plan_1_ ua="ro"/>
  <GPP_A>fine</GPP_A>
</flat-profile>`);
    const warnings = checkProfile(profile, defaultCatalogue);
    expect(warnings.map((w) => [w.code, w.name, w.position?.line])).toEqual([
      ["PROFILE_UNKNOWN_NAME", "Profile_Rul", 2],
      ["PROFILE_VALUE_INVALID", "Resync_Periodic", 3],
      ["PROFILE_NON_ASCII", "Display_Name_1_", 4],
    ]);
    expect(warnings[0]?.suggestions?.[0]).toBe("Profile_Rule");
    expect(warnings[0]?.message).toContain("did you mean Profile_Rule");
  });
});
