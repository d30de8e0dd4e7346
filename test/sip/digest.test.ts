/**
 * Digest (RFC 2617, RFC 7616 / RFC 8760 algorithms): the RFCs' own worked examples, the
 * strongest-challenge choice, and the challenge parser under arbitrary input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import {
  chooseChallenge,
  digestAuthorization,
  digestResponse,
  parseDigestChallenge,
} from "../../src/sip/index.ts";

describe("digest", () => {
  it("RFC 2617 §3.5 example (MD5, qop=auth)", () => {
    const challenge = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    const response = digestResponse({
      challenge,
      credentials: { username: "Mufasa", password: "Circle Of Life" },
      method: "GET",
      uri: "/dir/index.html",
      cnonce: "0a4f113b",
      nc: 1,
    });
    expect(response).toBe("6629fae49393a05397450978507c4ef1");
  });

  it("RFC 7616 §3.9.1 example, SHA-256 and MD5", () => {
    const header = (alg: string) =>
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
    const input = {
      credentials: { username: "Mufasa", password: "Circle of Life" },
      method: "GET",
      uri: "/dir/index.html",
      cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
      nc: 1,
    };
    expect(digestResponse({ ...input, challenge: parseDigestChallenge(header("SHA-256")) })).toBe(
      "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
    );
    expect(digestResponse({ ...input, challenge: parseDigestChallenge(header("MD5")) })).toBe(
      "8ca523f5e9506fed4657c9700eebdbec",
    );
  });

  it("picks the strongest usable challenge (RFC 8760 §2.4), skipping unknown ones", () => {
    const chosen = chooseChallenge([
      'Digest realm="r", nonce="1", algorithm=MD5, qop="auth"',
      'Digest realm="r", nonce="2", algorithm=SHA-256, qop="auth"',
      'Digest realm="r", nonce="3", algorithm=FOO-1, qop="auth"',
      'Basic realm="r"',
    ]);
    expect(chosen).toMatchObject({ nonce: "2", algorithm: "SHA-256" });
    expect(chooseChallenge(['Digest realm="r", nonce="4", qop="auth-int"'])).toBeUndefined();
  });

  it("the Authorization value quotes what it carries and never holds the password", () => {
    const challenge = parseDigestChallenge('Digest realm="a\\"b", nonce="n", qop="auth"');
    const value = digestAuthorization({
      challenge,
      credentials: { username: 'us"er', password: "hunter2-secret" },
      method: "NOTIFY",
      uri: "sip:u@h",
      cnonce: "c",
    });
    expect(value).toContain('username="us\\"er"');
    expect(value).toContain('realm="a\\"b"');
    expect(value).not.toContain("hunter2-secret");
    expect(() =>
      digestAuthorization({
        challenge,
        credentials: { username: "u\r\nX: y", password: "p" },
        method: "NOTIFY",
        uri: "sip:u@h",
      }),
    ).toThrow(expect.objectContaining({ code: "SIP_VALUE_INVALID" }));
  });

  it("any challenge text: parsed or SIP_DIGEST_MALFORMED", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ maxLength: 200 }).map((s) => `Digest ${s}`),
          fc
            .array(
              fc.tuple(
                fc.constantFrom("realm", "nonce", "qop", "algorithm", "opaque", "stale", "x"),
                fc.string({ maxLength: 20 }),
                fc.boolean(),
              ),
              { maxLength: 8 },
            )
            .map(
              (ps) =>
                `Digest ${ps.map(([k, v, q]) => (q ? `${k}="${v}"` : `${k}=${v}`)).join(", ")}`,
            ),
        ),
        (text) => {
          try {
            const c = parseDigestChallenge(text);
            expect(c.nonce).not.toBe("");
          } catch (e) {
            expect(isProvisioError(e) && e.code === "SIP_DIGEST_MALFORMED").toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
