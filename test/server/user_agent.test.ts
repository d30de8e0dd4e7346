import { describe, expect, it } from "vitest";
import { parseUserAgent } from "../../src/server/user_agent.ts";

describe("parseUserAgent (spec §8.2.2, Appendix B.6)", () => {
  it("splits the Linksys form on the last dash before the space (B.6)", () => {
    expect(parseUserAgent("Linksys/SPA-2102-2.0.5 (88012BA01234)")).toEqual({
      vendor: "Linksys",
      product: "SPA-2102",
      firmware: "2.0.5",
      mac: undefined,
      serial: undefined,
      macOrSerial: "88012BA01234",
    });
  });

  it("keeps firmware letter suffixes and non-hex serials", () => {
    const ua = parseUserAgent("Linksys/SPA-962-6.1.5(a) (4MM00F903042)");
    expect(ua).toMatchObject({ product: "SPA-962", firmware: "6.1.5(a)", serial: "4MM00F903042" });
    expect(parseUserAgent("Linksys/SPA2102-5.2.12 (FM500F100000)")).toMatchObject({
      product: "SPA2102",
      firmware: "5.2.12",
      serial: "FM500F100000",
    });
  });

  it("reads MAC and serial from the SPA50x form", () => {
    expect(parseUserAgent("Cisco/SPA504G-7.5.5 (001122334455)(CCQ1234)")).toMatchObject({
      vendor: "Cisco",
      product: "SPA504G",
      firmware: "7.5.5",
      mac: "001122334455",
      serial: "CCQ1234",
    });
    expect(parseUserAgent("Cisco/SPA501G-7.4.4 (8843E157DDCC)(CBT141100HR)")?.mac).toBe(
      "8843e157ddcc",
    );
  });

  it("parses the Sipura and MPP forms", () => {
    expect(parseUserAgent("Sipura/SPA-2000-3.1.7(GWa) (FM500F100001)")).toMatchObject({
      vendor: "Sipura",
      product: "SPA-2000",
      firmware: "3.1.7(GWa)",
      serial: "FM500F100001",
    });
    expect(parseUserAgent("Cisco-CP-8841-3PCC/11.0 (00562b043615)")).toMatchObject({
      vendor: "Cisco",
      product: "CP-8841-3PCC",
      firmware: "11.0",
      macOrSerial: "00562b043615",
    });
  });

  it("rejects browsers, empty and oversized headers", () => {
    expect(parseUserAgent(undefined)).toBeUndefined();
    expect(parseUserAgent("curl/8.5.0")).toBeUndefined();
    expect(parseUserAgent(`Cisco/SPA504G-7.5.5 (${"A".repeat(400)})`)).toBeUndefined();
  });
});
