/**
 * The SIP codec reads what anyone can send to a UDP port: any bytes give a message or a
 * SIP_* ProvisioError (never another exception), what it writes it reads back the same, and
 * the limits hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isProvisioError } from "../../src/errors.ts";
import {
  headerParam,
  headerValue,
  headerValues,
  MAX_SIP_HEADERS,
  parseSipMessage,
  type SipMessage,
  serializeSipMessage,
} from "../../src/sip/index.ts";

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const value = fc.stringMatching(/^[!-~]([ -~]{0,60}[!-~])?$/);
const message: fc.Arbitrary<SipMessage> = fc.oneof(
  fc.record({
    kind: fc.constant("request" as const),
    method: fc.stringMatching(/^[A-Z]{3,10}$/),
    uri: fc.stringMatching(/^sip:[a-z0-9]{1,10}@[a-z0-9.]{1,20}(:\d{1,5})?$/),
    headers: fc.array(fc.tuple(token, value), { maxLength: 20 }),
    body: fc.string({ maxLength: 200 }).map((s) => s.replace(/[^\x00-\xff]/g, "x")),
  }),
  fc.record({
    kind: fc.constant("response" as const),
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.stringMatching(/^[A-Za-z ]{0,30}$/),
    headers: fc.array(fc.tuple(token, value), { maxLength: 20 }),
    body: fc.constant(""),
  }),
);

function withoutLength(m: SipMessage): SipMessage {
  const headers = m.headers.filter(([n]) => !/^(content-length|l)$/i.test(n));
  return { ...m, headers };
}

describe("SIP message codec", () => {
  it("reads back what it writes (headers in order, body exact)", () => {
    fc.assert(
      fc.property(message, (m) => {
        const parsed = parseSipMessage(serializeSipMessage(m));
        const expected = withoutLength(m);
        expect(withoutLength(parsed)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("any bytes: a message or a SIP_* ProvisioError, nothing else", () => {
    const noise = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }),
      message.chain((m) =>
        fc.tuple(fc.nat(600), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]) => {
          const b = Buffer.from(serializeSipMessage(m));
          const i = at % Math.max(1, b.length);
          return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i + 1)]);
        }),
      ),
    );
    fc.assert(
      fc.property(noise, (bytes) => {
        try {
          const m = parseSipMessage(bytes);
          expect(["request", "response"]).toContain(m.kind);
        } catch (e) {
          expect(isProvisioError(e) && e.code.startsWith("SIP_")).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("folded lines, compact names, Content-Length cutting a datagram's tail", () => {
    const m = parseSipMessage(
      "\r\nNOTIFY sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\no: check-sync\r\nSubject: one\r\n two\r\nl: 3\r\n\r\nabcdef",
    );
    expect(m.kind).toBe("request");
    expect(headerValue(m, "Event")).toBe("check-sync");
    expect(headerValue(m, "subject")).toBe("one two");
    expect(headerParam(headerValue(m, "via")!, "branch")).toBe("z9hG4bKx");
    expect(m.body).toBe("abc");
  });

  it("refuses with stable codes: too many headers, short body, bad start line, bad length", () => {
    const many = `SIP/2.0 200 OK\r\n${"X-A: 1\r\n".repeat(MAX_SIP_HEADERS + 1)}\r\n`;
    const cases: [string, string][] = [
      [many, "SIP_MESSAGE_TOO_LARGE"],
      ["SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\nabc", "SIP_MESSAGE_MALFORMED"],
      ["HELLO\r\n\r\n", "SIP_MESSAGE_MALFORMED"],
      ["SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n", "SIP_MESSAGE_MALFORMED"],
      ["SIP/2.0 200 OK\r\nl: 1\r\nContent-Length: 2\r\n\r\nab", "SIP_MESSAGE_MALFORMED"],
      ["SIP/2.0 200 OK\r\n: x\r\n\r\n", "SIP_MESSAGE_MALFORMED"],
      ["SIP/2.0 200 OK\r\nContent-Length: 0", "SIP_MESSAGE_MALFORMED"],
      ["x".repeat(70_000), "SIP_MESSAGE_TOO_LARGE"],
    ];
    for (const [text, code] of cases) {
      expect(() => parseSipMessage(text), text.slice(0, 40)).toThrow(
        expect.objectContaining({ code }),
      );
    }
  });

  it("never writes a header that would break the framing", () => {
    const m: SipMessage = {
      kind: "request",
      method: "NOTIFY",
      uri: "sip:a@b",
      headers: [["Event", "check-sync\r\nX-Injected: 1"]],
      body: "",
    };
    expect(() => serializeSipMessage(m)).toThrow(
      expect.objectContaining({ code: "SIP_VALUE_INVALID" }),
    );
    expect(headerValues(parseSipMessage("SIP/2.0 200 OK\r\nA: 1\r\na: 2\r\n\r\n"), "A")).toEqual([
      "1",
      "2",
    ]);
  });
});
