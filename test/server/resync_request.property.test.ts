/**
 * Property tests of the request-target check (src/server/resync_request.ts): whatever the
 * device (or an attacker) sends as a path, `checkTargetPath` answers a typed verdict — never
 * an exception — and nothing it accepts can name a `.`/`..` segment, however often the
 * result is percent-decoded again.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTargetPath } from "../../src/server/resync_request.ts";

const MAX = 2048;

/** Pieces that make traversal, encoding and framing interesting. */
const piece = fc.oneof(
  fc.constantFrom(
    "/",
    "//",
    ".",
    "..",
    "...",
    "%2e",
    "%2E",
    "%2e%2e",
    "%2E%2e",
    "%252e",
    "%25252e",
    "%2f",
    "%2F",
    "%252f",
    "%5c",
    "%5C",
    "\\",
    "%",
    "%2",
    "%zz",
    "%00",
    "%0a",
    "%C3%A9",
    "%E2%82",
    "%ff",
    "%25",
    "?",
    "#",
    ";",
    "profile",
    "000e08aabb01.xml",
    "$MA",
    " ",
    "\u0000",
    "\u00e9",
    "\ud800",
  ),
  fc.string({ unit: "binary-ascii", maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const target = fc.oneof(
  fc.array(piece, { maxLength: 24 }).map((parts) => parts.join("")),
  fc.array(piece, { maxLength: 24 }).map((parts) => `/${parts.join("")}`),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.integer({ min: MAX - 8, max: MAX + 8 }).map((n) => `/${"a".repeat(n - 1)}`),
);

/** Decodes until nothing changes (or it no longer decodes): what a sloppy consumer might do. */
function decodeFully(text: string): string[] {
  const seen = [text];
  let current = text;
  for (let i = 0; i < 8 && current.includes("%"); i++) {
    try {
      const next = decodeURIComponent(current);
      if (next === current) break;
      current = next;
      seen.push(current);
    } catch {
      break;
    }
  }
  return seen;
}

function hasDotSegment(path: string): boolean {
  return path.split(/[/\\]/).some((s) => s === "." || s === "..");
}

describe("checkTargetPath (property)", () => {
  it("never throws; refuses with 400/414, or accepts a clean absolute path", () => {
    fc.assert(
      fc.property(target, (raw) => {
        const verdict = checkTargetPath(raw, MAX);
        if (!verdict.ok) {
          expect([400, 414]).toContain(verdict.status);
          expect(verdict.reason.length).toBeGreaterThan(0);
          if (raw.length > MAX) expect(verdict.status).toBe(414);
          return;
        }
        expect(raw.length).toBeLessThanOrEqual(MAX);
        const { path } = verdict;
        expect(path.startsWith("/")).toBe(true);
        expect(path).toMatch(/^[\x21-\x5b\x5d-\x7e]+$/);
        expect(path.includes("//")).toBe(false);
        // No `.`/`..` segment, after one decoding or after any number of them.
        for (const decoded of decodeFully(path)) expect(hasDotSegment(decoded)).toBe(false);
        for (const decoded of decodeFully(raw)) expect(hasDotSegment(decoded)).toBe(false);
      }),
      { numRuns: 10_000 },
    );
  });

  it("accepts every well-formed profile path unchanged (no false refusals)", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_~$()+=,-]{1,12}(\.[a-z]{1,4})?$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const raw = `/${segments.join("/")}`;
        fc.pre(raw.length <= MAX);
        expect(checkTargetPath(raw, MAX)).toEqual({ ok: true, path: raw });
      }),
      { numRuns: 10_000 },
    );
  });

  it("treats a percent-encoded path like its decoded form", () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const plain = `/${segments.join("/")}`;
        const encoded = plain.replace(
          /[A-Za-z.]/g,
          (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
        );
        const a = checkTargetPath(plain, MAX);
        const b = checkTargetPath(encoded, MAX * 4);
        expect(b.ok).toBe(a.ok);
        if (a.ok && b.ok) expect(b.path).toBe(a.path);
      }),
      { numRuns: 10_000 },
    );
  });
});
