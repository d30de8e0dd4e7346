import { describe, expect, it } from "vitest";
import {
  accessToSpcTag,
  assertParameterName,
  isBracketForm,
  isParameterName,
  labelToName,
  nameToBracketForm,
  nameToLabel,
  normalizeParameterName,
  parameterNameProblem,
  parseUserAccess,
  spcTagToAccess,
  splitIndexedName,
} from "../../src/profile/index.ts";

describe("element names from labels (§3.2.2)", () => {
  it.each([
    ["Resync On Reset", "Resync_On_Reset"],
    ["Resync At (HHmm)", "Resync_At__HHmm_"],
    ["Use Auto Discovery (WPAD)", "Use_Auto_Discovery__WPAD_"],
    ["SIP TOS/DiffServ Value", "SIP_TOS_DiffServ_Value"],
    ["Auth Resync-Reboot", "Auth_Resync-Reboot"],
    ["Phone-UI-User-Mode", "Phone-UI-User-Mode"],
  ])("§3.2.2 %j → %s (each space and [ ] ( ) / one for one)", (label, name) => {
    expect(labelToName(label)).toBe(name);
  });

  it("§3.2.2 per-line fields take the index: Dial Plan on Line 1, Proxy line 1, Speed Dial 2 user 2", () => {
    expect(labelToName("Dial Plan", "Line 1")).toBe("Dial_Plan_1_");
    expect(labelToName("Proxy", 1)).toBe("Proxy_1_");
    expect(labelToName("Speed Dial 2", "User 2")).toBe("Speed_Dial_2_2_");
    expect(labelToName("User ID", "Ext 1")).toBe("User_ID_1_");
    expect(labelToName("Dial Plan[1]")).toBe("Dial_Plan_1_");
  });

  it("labels that cannot make a name, or contexts without an index, are PROFILE_LABEL_INVALID", () => {
    expect(() => labelToName("Ringer Vol!")).toThrow(
      expect.objectContaining({ code: "PROFILE_LABEL_INVALID" }),
    );
    expect(() => labelToName("Proxy", "Line")).toThrow(
      expect.objectContaining({ code: "PROFILE_LABEL_INVALID" }),
    );
    expect(() => labelToName("")).toThrow(
      expect.objectContaining({ code: "PROFILE_LABEL_INVALID" }),
    );
  });

  it("name → readable label", () => {
    expect(nameToLabel("Resync_Error_Retry_Delay")).toBe("Resync Error Retry Delay");
    expect(nameToLabel("Proxy_1_")).toBe("Proxy[1]");
  });
});

describe("bracket index form (§3.3.1)", () => {
  it.each([
    ["Proxy[1]", "Proxy_1_"],
    ["Line_Enable[2]", "Line_Enable_2_"],
    ["Speed_Dial_2[2]", "Speed_Dial_2_2_"],
    ["Register_Expires[1]", "Register_Expires_1_"],
    ["GPP_A", "GPP_A"],
  ])("%s ↔ %s", (bracket, name) => {
    expect(normalizeParameterName(bracket)).toBe(name);
    expect(nameToBracketForm(name)).toBe(bracket);
  });

  it("non-indexed names and odd underscores stay as they are", () => {
    expect(nameToBracketForm("Resync_At__HHmm_")).toBe("Resync_At__HHmm_");
    expect(nameToBracketForm("A_09_")).toBe("A_09_");
    expect(splitIndexedName("Resync_At__HHmm_")).toBeUndefined();
    expect(splitIndexedName("Auth_Resync-Reboot_3_")).toEqual({
      base: "Auth_Resync-Reboot",
      index: 3,
    });
  });

  it("malformed brackets are PROFILE_NAME_INVALID", () => {
    for (const bad of ["Proxy[", "Proxy[a]", "Proxy]1[", "[1]Proxy", "Proxy[1"]) {
      expect(() => normalizeParameterName(bad)).toThrow(
        expect.objectContaining({ code: "PROFILE_NAME_INVALID" }),
      );
    }
    expect(isBracketForm("Proxy[1]")).toBe(true);
    expect(isBracketForm("Proxy_1_")).toBe(false);
  });
});

describe("name validation", () => {
  it("accepts letters, digits, _ and - after a letter", () => {
    for (const name of [
      "Profile_Rule",
      "User_ID_1_",
      "GPP_A",
      "Resync_At__HHmm_",
      "Auth_Resync-Reboot_1_",
      "G722.2_Enable_1_",
      "Enable_802.1X_Authentication",
    ]) {
      expect(isParameterName(name)).toBe(true);
    }
  });

  it("says what is wrong: empty, bad start, bad character (with position)", () => {
    expect(parameterNameProblem("")?.reason).toBe("empty");
    expect(parameterNameProblem("1abc")?.reason).toBe("bad-start");
    expect(parameterNameProblem("_abc")?.reason).toBe("bad-start");
    expect(parameterNameProblem("ab c")).toMatchObject({ reason: "bad-char", index: 2 });
    expect(parameterNameProblem("Proxy[1]")).toMatchObject({ reason: "bad-char", index: 5 });
    expect(() => assertParameterName("a,b")).toThrow(
      expect.objectContaining({
        code: "PROFILE_NAME_INVALID",
        details: { name: "a,b", reason: "bad-char", index: 1 },
      }),
    );
  });
});

describe("access tags (§3.2.3, §3.3.2, §3.3.4)", () => {
  it("ua values are exactly na, ro, rw", () => {
    expect(["na", "ro", "rw", "RW", "", "y"].map(parseUserAccess)).toEqual([
      "na",
      "ro",
      "rw",
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("SPC tags: ! rw, ? ro, none na, * keep (or the configured reading)", () => {
    expect(spcTagToAccess("!")).toBe("rw");
    expect(spcTagToAccess("?")).toBe("ro");
    expect(spcTagToAccess("")).toBe("na");
    expect(spcTagToAccess("*")).toBeUndefined();
    expect(spcTagToAccess("*", "noAccess")).toBe("na");
    expect(spcTagToAccess("*", "rw")).toBe("rw");
    expect([
      accessToSpcTag("rw"),
      accessToSpcTag("ro"),
      accessToSpcTag("na"),
      accessToSpcTag(undefined),
    ]).toEqual(["!", "?", "", "*"]);
  });
});
