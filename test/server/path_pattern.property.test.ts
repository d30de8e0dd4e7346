/**
 * Property tests of per-tenant path patterns (patterns from the rules module, routes from the server): a generated pattern
 * with macros matches the path it expands to for a device and extracts that device's facts
 * (the MAC canonical); any pattern text compiles or fails with RULE_PATH_PATTERN_INVALID;
 * any request path is matched or not, never an exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePathPattern } from "../../src/rules/index.ts";
import { RouteTable } from "../../src/server/index.ts";

interface Device {
  readonly mac: string;
  readonly serial: string;
  readonly pn: string;
  readonly psn: string;
  readonly swver: string;
  readonly gpp: Record<string, string>;
}

const GPP_LETTERS = "ABCDEFGHIJKLMNOP".split("");
const device = fc.record({
  mac: fc.stringMatching(/^[0-9a-f]{12}$/),
  serial: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/),
  pn: fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/),
  psn: fc.stringMatching(/^[A-Za-z0-9]{1,16}$/),
  swver: fc.stringMatching(/^[A-Za-z0-9._()-]{1,32}$/),
  gpp: fc.record(
    Object.fromEntries(GPP_LETTERS.map((l) => [l, fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/)])),
  ) as fc.Arbitrary<Record<string, string>>,
});

const MACRO_NAMES = ["MA", "MAU", "MAC", "SN", "PN", "PSN", "SWVER", ...GPP_LETTERS] as const;

function macroValue(name: string, d: Device): string {
  switch (name) {
    case "MA":
      return d.mac;
    case "MAU":
      return d.mac.toUpperCase();
    case "MAC":
      return d.mac.match(/../g)!.join(":");
    case "SN":
      return d.serial;
    case "PN":
      return d.pn;
    case "PSN":
      return d.psn;
    case "SWVER":
      return d.swver;
    default:
      return d.gpp[name]!;
  }
}

/**
 * One path segment: literal prefix, at most one macro, literal suffix. One macro per segment
 * keeps patterns unambiguous (two adjacent free-text macros could split a path two ways).
 * Literals never contain `$` except as `$$`, and a `$NAME` is followed by a character that
 * cannot extend the name (else it is written `$(NAME)`).
 */
const literal = fc.stringMatching(/^[a-z0-9_~.+=-]{0,6}$/);
const segment = fc.record({
  prefix: literal,
  macro: fc.option(fc.constantFrom(...MACRO_NAMES), { nil: undefined }),
  paren: fc.boolean(),
  suffix: literal,
  dollar: fc.boolean(),
});
const pattern = fc
  .array(segment, { minLength: 1, maxLength: 4 })
  .filter((segs) => segs.some((s) => s.macro !== undefined));

type Segment = typeof segment extends fc.Arbitrary<infer T> ? T : never;

function render(segs: readonly Segment[], d: Device | undefined): string {
  return segs
    .map((s) => {
      const lit = (text: string) => (s.dollar ? `${text}${d ? "$" : "$$"}` : text);
      let macro = "";
      // `$MA0` would be the (unknown) macro `MA0`: a name char after the name needs `$(MA)`.
      const paren = s.paren || /^[A-Z0-9]/.test(s.suffix);
      if (s.macro !== undefined) {
        macro = d ? macroValue(s.macro, d) : paren ? `$(${s.macro})` : `$${s.macro}`;
      }
      const prefix = lit(s.prefix);
      const out = `/${prefix}${macro}${s.suffix}`;
      return out === "/" ? "/x" : out;
    })
    .join("");
}

describe("path patterns (property)", () => {
  it("a generated pattern matches its expansion for a device and extracts the device's facts", () => {
    fc.assert(
      fc.property(pattern, device, (segs, d) => {
        const source = render(segs, undefined);
        const path = render(segs, d);
        const compiled = compilePathPattern(source);
        const facts = compiled.match(path);
        expect(facts, `${source} vs ${path}`).toBeDefined();
        const names = segs.flatMap((s) => (s.macro === undefined ? [] : [s.macro]));
        expect(compiled.macros).toEqual(names);
        if (names.some((n) => n === "MA" || n === "MAU" || n === "MAC")) {
          expect(compiled.identifiesByMac).toBe(true);
          expect(facts!.mac).toBe(d.mac);
        } else {
          expect(facts!.mac).toBeUndefined();
        }
        if (names.includes("SN")) expect(facts!.serial).toBe(d.serial);
        if (names.includes("PN")) expect(facts!.product).toBe(d.pn);
        if (names.includes("PSN")) expect(facts!.series).toBe(d.psn);
        if (names.includes("SWVER")) expect(facts!.firmware).toBe(d.swver);
        for (const n of names) if (/^[A-P]$/.test(n)) expect(facts!.gpp?.[n]).toBe(d.gpp[n]);
      }),
      { numRuns: 10_000 },
    );
  });

  it("a MAC pattern never extracts another device's MAC", () => {
    fc.assert(
      fc.property(
        pattern.filter((segs) => segs.some((s) => s.macro === "MA" || s.macro === "MAU")),
        device,
        device,
        (segs, a, b) => {
          fc.pre(a.mac !== b.mac);
          const compiled = compilePathPattern(render(segs, undefined));
          const facts = compiled.match(render(segs, a));
          expect(facts?.mac).toBe(a.mac);
          // B's path gives B or nothing, never A.
          expect(compiled.match(render(segs, b))?.mac).not.toBe(a.mac);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("random request paths against the default tenant's routes never throw", () => {
    const table = new RouteTable([
      {
        id: "default",
        settings: {
          profilePaths: [
            "/profile/$MA.xml",
            "/$MA.xml",
            "/spa$PSN.cfg",
            "/cgi-bin/prov?mac=$MAU",
            "/p/$B/$(MAC).cfg",
          ],
        },
      },
    ]);
    expect(table.problems).toEqual([]);
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 80 }),
        fc.string({ unit: "binary", maxLength: 40 }),
        (path, query) => {
          for (const m of table.match(path, query)) {
            if (m.facts.mac !== undefined) expect(m.facts.mac).toMatch(/^[0-9a-f]{12}$/);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("the literal-prefix index finds exactly the routes a try of every route finds, in order", () => {
    // Shared and distinct prefixes, prefixes without a second `/`, query patterns.
    const sources = fc.constantFrom(
      "/profile/$MA.xml",
      "/profile/$MA.cfg",
      "/profile/spa$PSN.cfg",
      "/$MA.xml",
      "/$MA.cfg",
      "/spa$PSN.cfg",
      "/cgi-bin/prov?mac=$MAU",
      "/prov?mac=$MA",
      "/p/$B/$(MAC).cfg",
      "/t1/$MA.xml",
      "/t2/$MA.xml",
      "/t1/x/$MA.xml",
      "/p$MA/x.xml",
      "/$(MA).cfg",
      "/x/$$$MA",
      "/cfg/$FOO$MA.x",
    );
    const tenants = fc.array(
      fc.record({
        id: fc.constantFrom("a", "b", "c", "d"),
        settings: fc.record({ profilePaths: fc.uniqueArray(sources, { maxLength: 5 }) }),
      }),
      { maxLength: 4 },
    );
    const mac = "000e08abcdef";
    const targets = fc.constantFrom(
      [`/profile/${mac}.xml`, ""],
      [`/profile/${mac}.cfg`, ""],
      ["/profile/spa504.cfg", ""],
      [`/${mac}.xml`, ""],
      ["/spa504.cfg", ""],
      ["/cgi-bin/prov", `mac=${mac.toUpperCase()}`],
      ["/prov", `mac=${mac}`],
      [`/p/rnd/${mac}.cfg`, ""],
      [`/t1/${mac}.xml`, ""],
      [`/t1/x/${mac}.xml`, ""],
      [`/p${mac}/x.xml`, ""],
      ["/", ""],
      ["/profile", ""],
      [`/${mac}.cfg`, ""],
      [`/x/$${mac}`, ""],
      [`/cfg/$FOO${mac}.x`, ""],
    );
    fc.assert(
      fc.property(tenants, tenants, targets, (before, after, [path, query]) => {
        const fresh = new RouteTable(after);
        const rebuilt = new RouteTable(after, new RouteTable(before));
        for (const table of [fresh, rebuilt]) {
          const everyRoute = table.routes.flatMap((route) => {
            const target = route.pattern.withQuery ? `${path}?${query}` : path;
            const facts = route.pattern.match(target);
            return facts === undefined ? [] : [{ route, facts }];
          });
          expect(table.match(path, query)).toEqual(everyRoute);
        }
        // A table built on a previous one is the table built from scratch.
        const describe = (t: RouteTable) =>
          t.routes.map((r) => [r.pattern.source, [...r.tenantIds], [...r.claimants].sort()]);
        expect(describe(rebuilt)).toEqual(describe(fresh));
      }),
      { numRuns: 2_000 },
    );
  });
});
