/**
 * fast-check generators for the rules language, shared by the property tests and the
 * 1,000,000-case fuzz script (bench/rules_fuzz.ts). Two kinds: "soup" (random text from an
 * alphabet rich in the language's special characters — finds crashes) and "grammar" (valid
 * rules built from the §4.2 productions — checks that valid input is accepted).
 */
import fc from "fast-check";

const SPECIAL = [...'$()[]|#?!=<>";:/.-_ \t\n,+'];
const LETTERS = [..."ABCDEFGHIJKLMNOPSabcdeklpqxyz0123456789"];
const TOKENS = [
  "$MA",
  "$MAU",
  "$A",
  "$SA",
  "$$",
  "$(A:1:2)",
  "$(MAU:4)",
  "$(SA)",
  "$SWVER",
  "$REGTMR1",
  "$STRANGE",
  "(",
  ")?",
  ")!",
  "(<1.0)?",
  "[",
  "]",
  "--key ",
  "--post a ",
  "--alias b ",
  "--uid ",
  "--pwd ",
  "--delta",
  "--status",
  " eq ",
  " ne ",
  " lt ",
  " ge ",
  " and ",
  " AND ",
  "!",
  "<=",
  "|",
  " | ",
  "#",
  ";",
  '"',
  '"x"',
  "2.0.6(b)",
  "1.0.33",
  "7.4.8a",
  "sip88xx.11-3-1MPP-678",
  "300",
  "-1",
  "http://",
  "https://",
  "tftp://",
  "p.tel.com",
  ":8080",
  "/x.cfg",
  "/",
  "?q",
  'a = "v";',
  "Line_Enable_1_",
  " ",
  "\n",
];

const char = fc.constantFrom(...SPECIAL, ...LETTERS);

/** Random text from the language's alphabet. */
export const soup = (maxLength = 60) => fc.string({ unit: char, maxLength });

/** Random concatenations of language tokens (reaches deeper into the parser than soup). */
export const tokenSoup = (maxTokens = 16) =>
  fc
    .array(fc.oneof(fc.constantFrom(...TOKENS), soup(4)), { maxLength: maxTokens })
    .map((a) => a.join(""));

/** Any of the above, plus arbitrary Unicode, for the "never another exception" properties. */
export const anyRuleText = fc.oneof(
  { weight: 3, arbitrary: tokenSoup() },
  { weight: 2, arbitrary: soup() },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

// ---------------------------------------------------------------- grammar-valid rules

const integer = fc.integer({ min: -5, max: 2000 }).map(String);
const spaVersion = fc
  .tuple(
    fc.nat(12),
    fc.nat(12),
    fc.nat(40),
    fc.option(fc.constantFrom("(a)", "(b)", "(0412s)", "a", ".b", "(G)"), { nil: "" }),
  )
  .map(([a, b, c, t]) => `${a}.${b}.${c}${t}`);
const quoted = fc
  .string({ unit: fc.constantFrom(..."abcXYZ019 -_.:"), maxLength: 8 })
  .map((s) => `"${s}"`);
const op = fc.constantFrom(
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "EQ",
  "Ge",
);
const macroOperand = fc.constantFrom("$REGTMR1", "$PRVTMR", "$SWVER", "$UPGTMR", "$PRVST");

const comparison = fc.oneof(
  fc.tuple(integer, op, integer).map((p) => p.join(" ")),
  fc.tuple(spaVersion, op, spaVersion).map((p) => p.join(" ")),
  fc.tuple(quoted, fc.constantFrom("eq", "ne", "=", "!="), quoted).map((p) => p.join(" ")),
  fc.tuple(macroOperand, op, fc.oneof(integer, spaVersion)).map((p) => p.join(" ")),
  fc.tuple(fc.constantFrom("<", "!", ">=", "! "), spaVersion).map((p) => p.join("")),
);

/** A valid §4.3 condition (may contain type errors, never syntax errors). */
export const validCondition = fc
  .array(comparison, { minLength: 1, maxLength: 3 })
  .chain((cs) => fc.constantFrom(" and ", " AND ", "  and\t").map((j) => cs.join(j)));

const host = fc.constantFrom("p.tel.com", "192.168.1.130", "prov.example.com", "h");
const path = fc
  .array(fc.constantFrom("spa$MA", "$A", "cfg", "x.cfg", "$PSN", "a-b_c", ""), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => `/${parts.join("/")}`);
const url = fc
  .tuple(
    fc.constantFrom("", "tftp://", "http://", "https://", "HTTP://"),
    fc.option(host, { nil: "" }),
    fc.option(
      fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`),
      { nil: "" },
    ),
    path,
    fc.option(fc.constantFrom("?", "?q=$MA", "?Linksys"), { nil: "" }),
  )
  .map(([scheme, h, port, p, q]) => {
    // A port needs a host; a scheme-less URL with a host is `host/path`.
    const authority = h === "" ? "" : `${h}${port}`;
    return scheme === "" && authority === "" ? `${p}${q}` : `${scheme}${authority}${p}${q}`;
  });
const assignment = fc
  .array(fc.tuple(fc.constantFrom("a", "p", "GPP_C", "Line_Enable_1_", "User_ID_1_"), quoted), {
    maxLength: 3,
  })
  .map((items) => `(${items.map(([n, q]) => ` ${n} = ${q} ;`).join("")} )!`);
const options = fc
  .tuple(
    fc.subarray(["key", "post", "alias", "uid", "pwd"]),
    fc.constantFrom("$SA", '"my secret"', "k3y", '"$(SA:1:3)x"'),
  )
  .chain(([names, key]) =>
    fc.shuffledSubarray(
      names.map((n) =>
        n === "key"
          ? `--key ${key}`
          : n === "post"
            ? "--post a"
            : n === "alias"
              ? "--alias b"
              : `--${n} $SB`,
      ),
      { minLength: names.length, maxLength: names.length },
    ),
  )
  .map((os) => (os.length === 0 ? "" : `[${os.join(" ")}] `));

const alternative = (conditioned: boolean) =>
  fc
    .tuple(
      conditioned ? validCondition.map((c) => `(${c})? `) : fc.constant(""),
      fc.option(assignment, { nil: "" }),
      fc.oneof(
        fc.tuple(options, url).map(([o, u]) => o + u),
        fc.constant(""),
      ),
    )
    .filter(([c, a, u]) => c + a + u !== "")
    .map(([c, a, u]) => `${c}${a}${a === "" ? "" : " "}${u}`);

/** A Profile_Rule that follows the §4.2 grammar. */
export const validProfileRule = fc
  .tuple(
    fc.array(alternative(true), { maxLength: 3 }),
    alternative(false),
    fc.constantFrom(" | ", "\n |\t", "|"),
  )
  .map(([first, last, sep]) => [...first, last].join(sep));
