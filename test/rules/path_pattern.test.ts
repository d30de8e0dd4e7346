import { describe, expect, it } from "vitest";
import { compilePathPattern } from "../../src/rules/index.ts";

describe("compilePathPattern", () => {
  it("extracts the MAC from /profile/$MA.xml, canonical whatever the case", () => {
    const p = compilePathPattern("/profile/$MA.xml");
    expect(p.identifiesByMac).toBe(true);
    expect(p.match("/profile/000e08abcdef.xml")).toEqual({ mac: "000e08abcdef" });
    expect(p.match("/profile/000E08ABCDEF.xml")).toEqual({ mac: "000e08abcdef" });
    expect(p.match("/profile/000e08abcdefx.xml")).toBeUndefined();
    expect(p.match("/profile/000e08abcdeg.xml")).toBeUndefined();
    expect(p.match("/profile/000e08abcdef_xml")).toBeUndefined();
  });

  it("matches product series and explicit delimiting (§5.2)", () => {
    expect(compilePathPattern("/spa$PSN.cfg").match("/spa2102.cfg")).toEqual({ series: "2102" });
    expect(compilePathPattern("/$(MAU)config.cfg").match("/000E08012345config.cfg")).toEqual({
      mac: "000e08012345",
    });
    expect(compilePathPattern("/p/$B/$MA.cfg").match("/p/Gp3sqLn4Rt/000e08012345.cfg")).toEqual({
      gpp: { B: "Gp3sqLn4Rt" },
      mac: "000e08012345",
    });
  });

  it("leaves unknown names and $$ literal, like the device does", () => {
    const p = compilePathPattern("/x$STRANGE/$$/$MA");
    expect(p.match("/x$STRANGE/$/000e08012345")).toEqual({ mac: "000e08012345" });
  });

  it("requires repeated MAC macros to agree", () => {
    const p = compilePathPattern("/$MA/$MAU.cfg");
    expect(p.match("/000e08012345/000E08012345.cfg")).toEqual({ mac: "000e08012345" });
    expect(p.match("/000e08012345/000E08012346.cfg")).toBeUndefined();
  });

  it("rejects patterns the server cannot match", () => {
    expect(() => compilePathPattern("profile/$MA.xml")).toThrow(/start with/);
    expect(() => compilePathPattern("/p/$IP.xml")).toThrow(/not known to the server/);
    expect(() => compilePathPattern("/p/$(MA:4).xml")).toThrow(/substring/);
  });
});
