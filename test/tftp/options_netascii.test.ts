import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NetasciiDecoder, netasciiDecode, netasciiEncode } from "../../src/tftp/netascii.ts";
import { acceptOack, negotiateServerOptions, requestOptionList } from "../../src/tftp/options.ts";

const limits = { maxBlksize: 65464, maxWindowSize: 64 };
const req = (o: Record<string, string>) => new Map(Object.entries(o));

describe("option negotiation (RFC 2347, 2348, 2349, 7440)", () => {
  it("grants blksize, windowsize, timeout and tsize in request order", () => {
    const n = negotiateServerOptions(
      req({ blksize: "1428", tsize: "0", timeout: "2", windowsize: "16" }),
      "read",
      4096,
      limits,
    );
    expect(n.accepted).toEqual([
      ["blksize", "1428"],
      ["tsize", "4096"],
      ["timeout", "2"],
      ["windowsize", "16"],
    ]);
    expect(n.params).toEqual({ blksize: 1428, windowsize: 16, timeoutMs: 2000, tsize: 4096 });
  });

  it("caps blksize and windowsize at the server limits and never grows them", () => {
    const n = negotiateServerOptions(req({ blksize: "65464", windowsize: "65535" }), "read", 1, {
      maxBlksize: 1468,
      maxWindowSize: 32,
    });
    expect(n.params.blksize).toBe(1468);
    expect(n.params.windowsize).toBe(32);
  });

  it.each([
    ["blksize", "7"],
    ["blksize", "65465"],
    ["blksize", "-512"],
    ["blksize", "0x200"],
    ["blksize", " 512"],
    ["timeout", "0"],
    ["timeout", "256"],
    ["windowsize", "0"],
    ["windowsize", "65536"],
    ["tsize", "abc"],
    ["multicast", "1"],
  ])("ignores %s=%s (out of the RFC range or unknown)", (name, value) => {
    const n = negotiateServerOptions(req({ [name]: value }), "read", 10, limits);
    expect(n.accepted).toEqual([]);
    expect(n.params.blksize).toBe(512);
    expect(n.params.windowsize).toBe(1);
  });

  it("leaves tsize out of the OACK when the size is not known (netascii file)", () => {
    expect(negotiateServerOptions(req({ tsize: "0" }), "read", undefined, limits).accepted).toEqual(
      [],
    );
  });

  it("echoes the client's tsize on a write request", () => {
    const n = negotiateServerOptions(req({ tsize: "1234" }), "write", undefined, limits);
    expect(n.accepted).toEqual([["tsize", "1234"]]);
  });

  it("client: refuses an OACK that grows blksize, changes timeout or adds options", () => {
    const asked = { blksize: 1024, timeout: 3 };
    expect(acceptOack(req({ blksize: "512" }), asked).blksize).toBe(512);
    expect(() => acceptOack(req({ blksize: "2048" }), asked)).toThrow(/blksize/);
    expect(() => acceptOack(req({ timeout: "4" }), asked)).toThrow(/timeout/);
    expect(() => acceptOack(req({ windowsize: "4" }), asked)).toThrow(/windowsize/);
    expect(() => acceptOack(req({ foo: "1" }), asked)).toThrow(/unknown/);
  });

  it("client: rejects option values outside the RFC ranges before sending", () => {
    expect(() => requestOptionList({ blksize: 7 }, "read")).toThrow(/blksize/);
    expect(() => requestOptionList({ windowsize: 0 }, "read")).toThrow(/windowsize/);
    expect(() => requestOptionList({ timeout: 256 }, "read")).toThrow(/timeout/);
    expect(requestOptionList({ tsize: true, blksize: 8 }, "read")).toEqual([
      ["blksize", "8"],
      ["tsize", "0"],
    ]);
  });
});

describe("netascii", () => {
  it("encodes LF as CR LF and a bare CR as CR NUL", () => {
    expect([...netasciiEncode(Buffer.from("a\nb\rc"))]).toEqual([
      0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x00, 0x63,
    ]);
  });

  it("decodes across block boundaries that split CR LF and CR NUL", () => {
    const d = new NetasciiDecoder();
    const out = Buffer.concat([
      d.push(Buffer.from("line1\r")),
      d.push(Buffer.from("\nx\r")),
      d.push(Buffer.from([0])),
      d.push(Buffer.from("\r")),
      d.end(),
    ]);
    expect(out.toString("latin1")).toBe("line1\nx\r\r");
  });

  it("property: decode(encode(x)) = x for any bytes and any block split", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 17 }),
        (raw, cut) => {
          const wire = netasciiEncode(raw);
          const d = new NetasciiDecoder();
          const parts: Buffer[] = [];
          for (let i = 0; i < wire.length; i += cut) parts.push(d.push(wire.subarray(i, i + cut)));
          parts.push(d.end());
          return (
            Buffer.concat(parts).equals(Buffer.from(raw)) &&
            netasciiDecode(wire).equals(Buffer.from(raw))
          );
        },
      ),
      { numRuns: 2000, seed: 764 },
    );
  });
});
