/**
 * Bad input never crashes or hangs the device: whatever bytes a server sends and whatever
 * an admin writes into a rule, a resync ends in a report (§6.5 classes), and a corrupt
 * file changes nothing. Sized for a busy 2-core box.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeProfileBytes } from "../../src/crypto/index.ts";
import { Device, decodeProfile, VirtualClock } from "../../src/device/index.ts";
import { type StaticServer, startStaticServer } from "./helpers.ts";

let server: StaticServer;
beforeAll(async () => {
  server = await startStaticServer();
});
afterAll(async () => {
  await server?.close();
});

const xmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "<flat-profile>",
        "</flat-profile>",
        "<GPP_A>",
        "</GPP_A>",
        '<GPP_B ua="rw"/>',
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "&#x",
        "<?xml version='1.0'?>",
        '<Profile_Rule ua="na">',
        "</Profile_Rule>",
        "<",
        ">",
        "\n",
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

describe("decoding never throws (§3.1)", () => {
  it("random bytes and XML-like text, with or without --key, give ok or a corrupt-file detail", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          xmlish.map((s) => new Uint8Array(Buffer.from(s))),
        ),
        fc.option(fc.string({ minLength: 1, maxLength: 10 }), { nil: undefined }),
        (bytes, key) => {
          const out = decodeProfile(bytes, {
            ...(key === undefined ? {} : { key }),
            digests: ["md5"],
          });
          if (out.ok)
            expect(out.profile.entries.every((e) => typeof e.name === "string")).toBe(true);
          else expect(out.detail.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("an encrypted random-XML file decodes with its key exactly when it parses in the clear", () => {
    fc.assert(
      fc.property(xmlish, (text) => {
        const clear = decodeProfile(Buffer.from(text), { digests: ["md5"] });
        const sealed = encodeProfileBytes(Buffer.from(`<${text}`), { key: "k" });
        const opened = decodeProfile(sealed, { key: "k", digests: ["md5"] });
        const direct = decodeProfile(Buffer.from(`<${text}`), { digests: ["md5"] });
        expect(opened.ok).toBe(direct.ok);
        expect(typeof clear.ok).toBe("boolean");
      }),
      { numRuns: 150 },
    );
  });
});

describe("served garbage and odd rules (§6.5)", () => {
  it("a resync always ends in a report; a failed one leaves the table unchanged", async () => {
    const d = new Device({
      mac: "000e08000099",
      productName: "SPA2102",
      clock: new VirtualClock(),
    });
    d.configure({ Resync_On_Reset: "No", Resync_Error_Retry_Delay: "0" });
    d.powerOn();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          xmlish.map((s) => Buffer.from(s)),
        ),
        fc.oneof(
          fc.constant(""),
          fc.constant("[--key k] "),
          fc.constant('("$A" eq "x")? /nope | '),
          fc.string({ maxLength: 12 }).map((s) => `${s} `),
        ),
        async (body, prefix) => {
          server.files.set("/fuzz", { body });
          const before = d.params.entries();
          const report = await d.resync(`${prefix}${server.base}/fuzz`);
          expect(report).toBeDefined();
          if (report!.ok === false) expect(d.params.entries()).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
    d.powerOff();
  });
});
