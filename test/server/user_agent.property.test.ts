/**
 * Property tests of the provisioning User-Agent parser (src/server/user_agent.ts, spec §8.2.2,
 * Appendix B.6): any header text gives an identity or `undefined`, never an exception; a MAC,
 * when reported, is canonical; and the Cisco, Linksys and Sipura forms round-trip.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_USER_AGENT_LENGTH, parseUserAgent } from "../../src/server/user_agent.ts";

const hex12 = fc.stringMatching(/^[0-9a-fA-F]{12}$/);
/** Serial numbers as printed on units: letters and digits, never 12 hex digits. */
const serial = fc
  .stringMatching(/^[A-Z0-9]{4,12}$/)
  .filter((s) => !/^[0-9A-Fa-f]{12}$/.test(s) && /[G-Z]/.test(s));
const spaProduct = fc.stringMatching(/^(SPA-?[0-9]{3,4}[A-Z]?|PAP2T|WRP400|RTP300)$/);
const firmware = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(\([A-Za-z]{1,3}\))?$/);
const vendor = fc.constantFrom("Cisco", "Linksys", "Sipura");
const mppProduct = fc.stringMatching(/^CP-[0-9]{4}-3PCC$/);
const mppFirmware = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?(MPP)?$/);

/** Mostly UA-shaped noise: the pieces the grammar cares about, shuffled. */
const noisyUa = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          "Cisco",
          "Linksys",
          "Sipura",
          "/",
          "-",
          " ",
          "(",
          ")",
          "((",
          "))",
          "\t",
          "SPA-2102",
          "7.5.5",
          "000E08AABB01",
          "00:0e:08:aa:bb:01",
          "CCQ1234",
          "-",
          "(a)",
          "\u0000",
          "\u00e9",
        ),
        fc.string({ unit: "binary-ascii", maxLength: 6 }),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join("")),
  fc
    .integer({ min: MAX_USER_AGENT_LENGTH - 4, max: MAX_USER_AGENT_LENGTH + 4 })
    .map((n) => `Cisco/SPA504G-7.5.5 (${"A".repeat(Math.max(0, n - 22))})`),
);

describe("parseUserAgent (property)", () => {
  it("never throws; a reported MAC is canonical; ids are bounded", () => {
    fc.assert(
      fc.property(fc.option(noisyUa, { nil: undefined }), (header) => {
        const ua = parseUserAgent(header);
        if (ua === undefined) return;
        expect(header!.length).toBeLessThanOrEqual(MAX_USER_AGENT_LENGTH);
        if (ua.mac !== undefined) expect(ua.mac).toMatch(/^[0-9a-f]{12}$/);
        if (ua.macOrSerial !== undefined) {
          expect(ua.macOrSerial).toMatch(/^[0-9a-fA-F]{12}$/);
          expect(ua.mac).toBeUndefined();
          expect(ua.serial).toBeUndefined();
        }
        if (ua.serial !== undefined) expect(ua.serial).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
        expect(ua.vendor).toMatch(/^[A-Za-z]/);
        expect(ua.product.length).toBeGreaterThan(0);
        expect(ua.firmware.length).toBeGreaterThan(0);
      }),
      { numRuns: 10_000 },
    );
  });

  it("round-trips the SPA50x form: vendor/product-firmware (MAC)(serial)", () => {
    fc.assert(
      fc.property(
        vendor,
        spaProduct,
        firmware,
        hex12,
        serial,
        fc.constantFrom(" ", ""),
        (v, product, fw, mac, sn, gap) => {
          const ua = parseUserAgent(`${v}/${product}-${fw} (${mac})${gap}(${sn})`);
          expect(ua).toEqual({
            vendor: v,
            product,
            firmware: fw,
            mac: mac.toLowerCase(),
            serial: sn,
            macOrSerial: undefined,
          });
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("round-trips the single-id SPA form: a serial, or a 12-hex id offered as MAC-or-serial", () => {
    fc.assert(
      fc.property(vendor, spaProduct, firmware, fc.oneof(hex12, serial), (v, product, fw, id) => {
        const ua = parseUserAgent(`${v}/${product}-${fw} (${id})`);
        const isHex = /^[0-9a-fA-F]{12}$/.test(id);
        expect(ua).toEqual({
          vendor: v,
          product,
          firmware: fw,
          mac: undefined,
          serial: isHex ? undefined : id,
          macOrSerial: isHex ? id : undefined,
        });
      }),
      { numRuns: 10_000 },
    );
  });

  it("round-trips the MPP form: Cisco-product/firmware (id)", () => {
    fc.assert(
      fc.property(mppProduct, mppFirmware, hex12, (product, fw, id) => {
        const ua = parseUserAgent(`Cisco-${product}/${fw} (${id})`);
        expect(ua).toMatchObject({ vendor: "Cisco", product, firmware: fw, macOrSerial: id });
      }),
      { numRuns: 10_000 },
    );
  });
});
