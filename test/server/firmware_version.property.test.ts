/**
 * The firmware version grammar operators write (images, policy targets, intermediate
 * releases) and the planner built on it: parsers never throw and never misorder, and a unit
 * following the plans reaches the target through every required release above it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareReleases,
  compareToRelease,
  parseImageVersion,
  parseRange,
  parseReleaseVersion,
  planUpgrade,
} from "../../src/server/index.ts";

const num = fc.integer({ min: 0, max: 40 });
const spaTuple = fc.tuple(num, num, num);
const spaText = ([a, b, c]: [number, number, number]) => `${a}.${b}.${c}`;
const mppRelease = fc.tuple(
  fc.integer({ min: 9, max: 15 }),
  num,
  num,
  fc.constantFrom("MPP", "MN", "MSR"),
);

function cmp(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

describe("firmware versions", () => {
  it("parsing arbitrary text never throws; what parses keeps its text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const r = parseReleaseVersion(text);
        if (r !== undefined) expect(r.text).toBe(text);
        const v = parseImageVersion(text);
        if (v !== undefined) expect(parseReleaseVersion(text)?.hasBuild).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("SPA versions order as their number triples; the three tag spellings are one version", () => {
    fc.assert(
      fc.property(spaTuple, spaTuple, fc.constantFrom("a", "b", "c"), (x, y, tag) => {
        const a = parseReleaseVersion(spaText(x))!;
        const b = parseReleaseVersion(spaText(y))!;
        expect(compareReleases(a, b)).toBe(cmp(x, y));
        expect(compareReleases(b, a)).toBe(cmp(y, x));
        const forms = [`${spaText(x)}${tag}`, `${spaText(x)}(${tag})`, `${spaText(x)}.${tag}`];
        const parsed = forms.map((f) => parseReleaseVersion(f)!);
        for (const p of parsed) expect(compareReleases(p, parsed[0]!)).toBe(0);
        // A tag sorts above the bare version.
        expect(compareReleases(parsed[0]!, a)).toBe(1);
      }),
    );
  });

  it("an MPP release without build (11-3-7MPP, sip78xx.14-1-1MN) is met by every build of it", () => {
    fc.assert(
      fc.property(
        mppRelease,
        fc.integer({ min: 1, max: 9999 }),
        fc.constantFrom("", "sip78xx.", "sip88xx.", "sip7832."),
        ([major, minor, micro, tag], build, prefix) => {
          const release = parseReleaseVersion(`${prefix}${major}-${minor}-${micro}${tag}`)!;
          expect(release.hasBuild).toBe(false);
          const unit = parseImageVersion(`sip78xx.${major}-${minor}-${micro}${tag}-${build}`)!;
          expect(compareToRelease(unit, release)).toBe(0);
          const next = parseImageVersion(`sip78xx.${major}-${minor}-${micro + 1}${tag}-1`)!;
          expect(compareToRelease(next, release)).toBe(1);
          const older = parseImageVersion(`sip78xx.${major}-${minor}-${micro}${tag}-${build}`)!;
          const newerRelease = parseReleaseVersion(`${major}-${minor + 1}-0${tag}`)!;
          expect(compareToRelease(older, newerRelease)).toBe(-1);
        },
      ),
    );
  });

  it("an SPA version and an MPP release do not compare", () => {
    expect(
      compareToRelease(parseImageVersion("7.5.5")!, parseReleaseVersion("11-3-7MPP")!),
    ).toBeUndefined();
    expect(parseReleaseVersion("11.0.0")?.format).toBe("spa");
    expect(parseReleaseVersion("11-3-7")).toBeUndefined(); // a dashed number is no MPP release
  });
});

describe("the HTTP Range of a download", () => {
  it("never throws, and a partial range stays inside the image", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc
            .tuple(fc.option(fc.nat(5000)), fc.option(fc.nat(5000)))
            .map(([a, b]) => `bytes=${a ?? ""}-${b ?? ""}`),
        ),
        fc.integer({ min: 0, max: 4096 }),
        (header, size) => {
          const r = parseRange(header, size);
          if (r.kind === "partial") {
            expect(r.start).toBeGreaterThanOrEqual(0);
            expect(r.start).toBeLessThanOrEqual(r.end);
            expect(r.end).toBeLessThan(size);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("a satisfiable first-last range is answered exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.nat(), fc.nat(), (size, x, y) => {
        const start = x % size;
        const end = start + (y % (size - start));
        expect(parseRange(`bytes=${start}-${end}`, size)).toEqual({
          kind: "partial",
          start,
          end,
        });
        expect(parseRange(`bytes=${size}-`, size).kind).toBe("unsatisfiable");
      }),
    );
  });
});

describe("the upgrade plan", () => {
  const servers = { http: "http://prov.example.net:8080" };

  it("walks a unit from any older version to the target through every required release above it", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(spaTuple, {
          minLength: 2,
          maxLength: 6,
          comparator: (a, b) => cmp(a, b) === 0,
        }),
        spaTuple,
        (tuples, start) => {
          const sorted = [...tuples].sort(cmp);
          const target = sorted.at(-1)!;
          const intermediates = sorted.slice(0, -1);
          const images = sorted.map((t, i) => ({
            id: String(i),
            version: spaText(t),
            models: ["SPA962"],
            fileName: `spa962-${spaText(t)}.bin`,
          }));
          const policy = {
            id: "p",
            target: spaText(target),
            intermediates: intermediates.map(spaText),
            downgradeRevLimit: null,
            scheme: "http" as const,
          };
          let version = start;
          const visited: string[] = [];
          for (let step = 0; step <= sorted.length; step++) {
            const plan = planUpgrade({
              policy,
              reported: spaText(version),
              productName: "SPA962",
              productSeries: "962",
              images,
              servers,
            });
            if (plan.kind === "none") break;
            expect(plan.kind).toBe("hop");
            if (plan.kind !== "hop") return;
            const rule = plan.parameters.find((p) => p.name === "Upgrade_Rule")!.value;
            // One guarded alternative: the image's own version turns the guard false.
            expect(rule).toBe(
              `($SWVER lt ${plan.image.version})? http://prov.example.net:8080/firmware/${plan.image.fileName}?mac=$MA`,
            );
            visited.push(plan.image.version);
            version = plan.image.version.split(".").map(Number) as typeof version;
          }
          const expected = sorted.filter((t) => cmp(t, start) > 0).map(spaText);
          expect(visited).toEqual(expected);
        },
      ),
    );
  });

  it("arbitrary reported versions and policies never throw", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        (reported, target) => {
          planUpgrade({
            policy: {
              id: "p",
              target,
              intermediates: [],
              downgradeRevLimit: null,
              scheme: "tftp",
            },
            reported,
            productName: null,
            productSeries: null,
            images: [],
            servers: {},
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("refuses a hop below the unit's Downgrade_Rev_Limit, and one without an image for the model", () => {
    const base = {
      policy: {
        id: "p",
        target: "7.6.2",
        intermediates: ["7.5.5"],
        downgradeRevLimit: null,
        scheme: "http" as const,
      },
      reported: "7.4.8",
      productName: "SPA962",
      productSeries: "962",
      images: [
        { id: "1", version: "7.5.5", models: ["SPA962"], fileName: "a.bin" },
        { id: "2", version: "7.6.2", models: ["SPA504G"], fileName: "b.bin" },
      ],
      servers,
    };
    expect(planUpgrade({ ...base, unitLimit: "7.5.6" })).toMatchObject({
      kind: "refused",
      reason: "image 7.5.5 is older than Downgrade_Rev_Limit 7.5.6",
    });
    expect(planUpgrade({ ...base, reported: "7.5.5" })).toMatchObject({
      kind: "refused",
      reason: "no image of 7.6.2 for SPA962",
    });
    // An SPA ATA asked for HTTPS gets HTTP (no HTTPS upgrades); an SPA9x2 phone gets HTTPS.
    const https = { ...base, policy: { ...base.policy, scheme: "https" as const } };
    const both = { http: "http://h", https: "https://h" };
    const ruleOf = (plan: ReturnType<typeof planUpgrade>) =>
      plan.kind === "hop" ? plan.parameters.find((p) => p.name === "Upgrade_Rule")?.value : plan;
    const ataImage = { id: "3", version: "7.5.5", models: ["SPA2102"], fileName: "c.bin" };
    expect(
      ruleOf(
        planUpgrade({
          ...https,
          productName: "SPA2102",
          productSeries: "2102",
          images: [ataImage],
          servers: both,
        }),
      ),
    ).toBe("($SWVER lt 7.5.5)? http://h/firmware/c.bin?mac=$MA");
    expect(ruleOf(planUpgrade({ ...https, servers: both }))).toBe(
      "($SWVER lt 7.5.5)? https://h/firmware/a.bin?mac=$MA",
    );
    expect(planUpgrade({ ...https, servers: { http: "http://h" } })).toMatchObject({
      kind: "refused",
      reason: "no https server address is known",
    });
  });
});
