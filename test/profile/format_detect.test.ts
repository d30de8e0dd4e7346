import { describe, expect, it } from "vitest";
import { decodeProfileBytes, detectProfileFormat } from "../../src/profile/index.ts";

describe("format detection (§3.1 step 3)", () => {
  it("XML when the first non-blank character is <, after an optional BOM", () => {
    expect(detectProfileFormat("<flat-profile/>")).toBe("xml");
    expect(detectProfileFormat("\uFEFF \r\n\t<?xml version='1.0'?>")).toBe("xml");
    expect(detectProfileFormat(new TextEncoder().encode("  <flat-profile>"))).toBe("xml");
    expect(detectProfileFormat(new Uint8Array([0xef, 0xbb, 0xbf, 0x0a, 0x3c]))).toBe("xml");
  });

  it("plain text otherwise (comments, statements, empty input)", () => {
    expect(detectProfileFormat('# <not xml>\nGPP_A "1";')).toBe("text");
    expect(detectProfileFormat('GPP_A "<x>";')).toBe("text");
    expect(detectProfileFormat("")).toBe("text");
    expect(detectProfileFormat(new Uint8Array([0x1f, 0x8b]))).toBe("text");
  });

  it("decodes UTF-8 bytes and drops the BOM; bad sequences become U+FFFD, never an exception", () => {
    expect(decodeProfileBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe("A");
    expect(decodeProfileBytes(new Uint8Array([0x41, 0xff]))).toBe("A\uFFFD");
  });
});
