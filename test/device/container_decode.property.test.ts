import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sealSpcContainer } from "../../src/crypto/index.ts";
import { decodeProfile } from "../../src/device/index.ts";

// Whatever a server (or an attacker answering for it) sends, a unit's decoder says ok or
// "corrupt" — a container that is damaged, not for this unit, or not a container at all
// never throws out of the decoder.

const SECRET = Buffer.alloc(32, 3);
const MAC = "000e08aabbcc";
const identity = { mac: MAC, installationSecret: SECRET };
const MAGIC = Buffer.from("PRVSPC1\0", "latin1");
const PROFILE = Buffer.from("<flat-profile><GPP_A>x</GPP_A></flat-profile>");

describe("the unit's decoder on container bytes", () => {
  it("random bytes after the magic are a corrupt file, never an exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 3 }), (tail, version) => {
        const body = Buffer.concat([MAGIC, Buffer.from([version]), tail]);
        const out = decodeProfile(body, { digests: ["md5"], identity });
        expect(out.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("a targeted file with any byte flipped is a corrupt file; intact, it applies", () => {
    const sealed = sealSpcContainer(PROFILE, {
      targetMac: { mac: MAC, installationSecret: SECRET },
    });
    const intact = decodeProfile(sealed, { digests: ["md5"], identity });
    expect(intact.ok && intact.targeted).toBe(true);
    fc.assert(
      fc.property(fc.nat({ max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, m) => {
        const body = Buffer.from(sealed);
        body[i] = body[i]! ^ m;
        expect(decodeProfile(body, { digests: ["md5"], identity }).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
