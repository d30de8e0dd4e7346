import { describe, expect, it } from "vitest";
import { compareVersionText, parseVersion, provisioErrorOf, tryParseVersion } from "./helpers.ts";

const cmp = compareVersionText;

describe("§4.3.1 SPA versions", () => {
  it("§4.3.1: literal examples parse: 1.0.31(b), 1.0.33, 2.0.3(G), 2.0.3(0412s), 2.0.6", () => {
    for (const t of ["1.0.31(b)", "1.0.33", "2.0.3(G)", "2.0.3(0412s)", "2.0.6"]) {
      expect(parseVersion(t).format).toBe("spa");
    }
  });
  it("§4.3.1: major, minor, build compare numerically in order", () => {
    expect(cmp("1.0.31(b)", "1.0.33")).toBe(-1);
    expect(cmp("1.10.0", "1.9.9")).toBe(1);
    expect(cmp("2.0.10", "2.0.9")).toBe(1);
    expect(cmp("3.0.0", "2.99.99")).toBe(1);
  });
  it("§4.3.1: missing tag < any tag (2.0.6 < 2.0.6(b))", () => {
    expect(cmp("2.0.6", "2.0.6(b)")).toBe(-1);
    expect(cmp("2.0.6(b)", "2.0.6")).toBe(1);
  });
  it("§4.3.1: tags compare digit runs numerically, then letters", () => {
    expect(cmp("2.0.3(a)", "2.0.3(b)")).toBe(-1);
    expect(cmp("2.0.3(0412s)", "2.0.3(412s)")).toBe(0);
    expect(cmp("2.0.3(9s)", "2.0.3(10s)")).toBe(-1);
  });
  it("§4.3.1: 7.4.8a = 7.4.8(a) = 7.4.8.a", () => {
    expect(cmp("7.4.8a", "7.4.8(a)")).toBe(0);
    expect(cmp("7.4.8(a)", "7.4.8.a")).toBe(0);
    expect(parseVersion("7.4.8a")).toMatchObject({ major: 7, minor: 4, build: 8, tag: "a" });
  });
  it("§4.3.1: User-Agent forms 6.1.5(a), 2.0.6(b), 5.2.12, 7.4.8a, 7.5.2b, 7.4.4 parse", () => {
    for (const t of ["6.1.5(a)", "2.0.6(b)", "5.2.12", "7.4.8a", "7.5.2b", "7.4.4"]) {
      expect(tryParseVersion(t)?.format).toBe("spa");
    }
  });
  it("§4.3.1: integrators' ( $SWVER lt 7.6.2.a )? — 7.5.2b < 7.6.2.a", () => {
    expect(cmp("7.5.2b", "7.6.2.a")).toBe(-1);
  });
  it("§4.3 legacy: two-part 1.0 compares as 1.0.0", () => {
    expect(cmp("1.0", "1.0.0")).toBe(0);
    expect(cmp("2.0.6(b)", "1.0")).toBe(1);
  });
});

describe("§4.3.1 MPP versions", () => {
  it("§4.3.1: sip7832.11-0-1MPP-376 = model 7832, major 11, minor 0, micro 1MPP, build 376", () => {
    expect(parseVersion("sip7832.11-0-1MPP-376")).toMatchObject({
      format: "mpp",
      model: "7832",
      major: "11",
      minor: "0",
      micro: "1MPP",
      build: "376",
    });
  });
  it("§4.3.1: ≥ 11.3(2) form sip7832.11-3-2MPP0001-609 has micro 2MPP0001", () => {
    expect(parseVersion("sip7832.11-3-2MPP0001-609")).toMatchObject({
      micro: "2MPP0001",
      build: "609",
    });
  });
  it("§4.3.1: sipyyyy.11-3-1MPP-110 > sipyyyy.11-2-3MPP-256", () => {
    expect(cmp("sipyyyy.11-3-1MPP-110", "sipyyyy.11-2-3MPP-256")).toBe(1);
  });
  it("§4.3.1: sipyyyy.11-3-2MPP0002-256 > sipyyyy.11-3-2MPP0001-609", () => {
    expect(cmp("sipyyyy.11-3-2MPP0002-256", "sipyyyy.11-3-2MPP0001-609")).toBe(1);
  });
  it("§4.3.1: sip88xx.11-0-0MPP-BN > sip88xx.9-3-1-7MPP-BN", () => {
    expect(cmp("sip88xx.11-0-0MPP-BN", "sip88xx.9-3-1-7MPP-BN")).toBe(1);
  });
  it("§4.3.1: sip68xx.11-0-0MPP-BN < sip68xx.11-0-0MN-1MPP-BN", () => {
    expect(cmp("sip68xx.11-0-0MPP-BN", "sip68xx.11-0-0MN-1MPP-BN")).toBe(-1);
  });
  it("§4.3.1: builds break ties", () => {
    expect(cmp("sip88xx.11-3-1MPP-678", "sip88xx.11-3-1MPP-679")).toBe(-1);
    expect(cmp("sip88xx.11-3-1MPP-678", "sip88xx.11-3-1MPP-678")).toBe(0);
  });
  it("§4.3.1 / §5.3: ATA19x 11-1-0MPP-19 and sip88xx.11-3-1MPP-678 are MPP versions", () => {
    expect(parseVersion("11-1-0MPP-19")).toMatchObject({ format: "mpp", model: undefined });
    expect(parseVersion("sip88xx.11-3-1MPP-678").format).toBe("mpp");
  });
  it("§7.2: a rule written for sip78xx compares with a sip7832 unit (model ignored)", () => {
    expect(cmp("sip7832.11-0-0MPP-256", "sip78xx.11-0-0MPP-7")).toBe(1);
  });
  it("§4.3.1: 11.0.0 is not a valid MPP version (it is an SPA one)", () => {
    expect(parseVersion("11.0.0").format).toBe("spa");
  });
  it("§4.3.1: mixing formats is an error", () => {
    expect(provisioErrorOf(() => cmp("11.0.0", "sip88xx.11-0-0MPP-7")).code).toBe(
      "RULE_VERSION_MISMATCH",
    );
  });
  it("unparsable versions throw RULE_VERSION_SYNTAX", () => {
    for (const t of ["", "1", "abc", "1.0.x.y", "1-2-3-4", "2.0.6()", "1..2"]) {
      expect(provisioErrorOf(() => parseVersion(t)).code).toBe("RULE_VERSION_SYNTAX");
    }
  });
});
