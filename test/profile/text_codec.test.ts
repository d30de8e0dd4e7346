import { describe, expect, it } from "vitest";
import { ProvisioError } from "../../src/errors.ts";
import {
  type ImportResolver,
  ProfileWarningCode,
  parseTextProfile,
  serializeTextProfile,
} from "../../src/profile/index.ts";

function rows(text: string, options = {}) {
  return parseTextProfile(text, options).entries.map((e) => [e.name, e.value, e.access]);
}

function failure(fn: () => unknown): ProvisioError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProvisioError);
    return error as ProvisioError;
  }
  throw new Error("expected a ProvisioError");
}

const files =
  (map: Record<string, string>): ImportResolver =>
  (name) => {
    const text = map[name];
    if (text === undefined) throw new Error(`no such file ${name}`);
    return text;
  };

describe("plain-text profile parsing (§3.3)", () => {
  it("§3.3.2 example: ! rw, ? ro, no tag na, value left unchanged", () => {
    const text = `# These parameter names are for illustration only
Feature_Enable     ! "Enable" ;   # user read-write, value forced to Enable
Another_Parameter  ? "3600"   ;   # user read-only
Hidden_Parameter     "abc123" ;   # user not accessible
Some_Entry         !          ;   # user read-write, value left unchanged
`;
    const profile = parseTextProfile(text);
    expect(profile.format).toBe("text");
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["Feature_Enable", "Enable", "rw"],
      ["Another_Parameter", "3600", "ro"],
      ["Hidden_Parameter", "abc123", "na"],
      ["Some_Entry", undefined, "rw"],
    ]);
    expect(profile.entries[2]?.position).toEqual({ line: 4, column: 1 });
  });

  it("§3.3.1 bracketed indices become element names: Proxy[1] → Proxy_1_", () => {
    expect(
      rows('Line_Enable[1] "Yes"; Proxy[1] "sip.example.com"; Speed_Dial_2[2] "123";'),
    ).toEqual([
      ["Line_Enable_1_", "Yes", "na"],
      ["Proxy_1_", "sip.example.com", "na"],
      ["Speed_Dial_2_2_", "123", "na"],
    ]);
  });

  it("§3.3.1 free whitespace, several statements per line, statements across lines", () => {
    expect(rows('A"1";B ! "2" ;  C\n  ?\n  "3"\n  ;')).toEqual([
      ["A", "1", "na"],
      ["B", "2", "rw"],
      ["C", "3", "ro"],
    ]);
  });

  it('§3.2.6 / §3.3.2 Param "" ; sets empty, Param ; leaves the value unchanged', () => {
    expect(rows('GPP_A "" ; GPP_B ;')).toEqual([
      ["GPP_A", "", "na"],
      ["GPP_B", undefined, "na"],
    ]);
  });

  it("§3.3.4 the * tag keeps access by default; configurable", () => {
    expect(rows('Primary_DNS * "x.y.w.z";')).toEqual([["Primary_DNS", "x.y.w.z", undefined]]);
    expect(rows('Primary_DNS * "x";', { starTag: "noAccess" })).toEqual([
      ["Primary_DNS", "x", "na"],
    ]);
    expect(rows('Primary_DNS * "x";', { starTag: "rw" })).toEqual([["Primary_DNS", "x", "rw"]]);
    expect(rows("A * ; B ? ; C ! ;")).toEqual([
      ["A", undefined, undefined],
      ["B", undefined, "ro"],
      ["C", undefined, "rw"],
    ]);
  });

  it("§1.1.2 seed RC template, including the name written with spaces", () => {
    const profile =
      parseTextProfile(`Restricted Access Domains "domain.com, domain1.com, domain2.com";
Primary_DNS               * "x.y.w.z";
Secondary_DNS             * "a.b.c.d";
Provision_Enable          * "Yes";
Resync_Periodic           * "30";
Resync_Error_Retry_Delay  * "30";
Profile_Rule              * "http://prov.domain.com/sipura/profile?id=$MA";
`);
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["Restricted_Access_Domains", "domain.com, domain1.com, domain2.com", "na"],
      ["Primary_DNS", "x.y.w.z", undefined],
      ["Secondary_DNS", "a.b.c.d", undefined],
      ["Provision_Enable", "Yes", undefined],
      ["Resync_Periodic", "30", undefined],
      ["Resync_Error_Retry_Delay", "30", undefined],
      ["Profile_Rule", "http://prov.domain.com/sipura/profile?id=$MA", undefined],
    ]);
    expect(profile.warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NameWithSpaces]);
  });

  it("§1.1.1 Sipura staging chain statement", () => {
    expect(rows('Profile_Rule "/profiles/$MA/spa2000.cfg";')).toEqual([
      ["Profile_Rule", "/profiles/$MA/spa2000.cfg", "na"],
    ]);
  });

  it("§10.3 SEC-PRV-1 example with trailing comments", () => {
    expect(
      rows(`Profile_Rule "[--key $A] tftp.callme.com/profile/$B/spa962.cfg";
GPP_A "8e4ca259";   # 256-bit key
GPP_B "Gp3sqLn";    # random directory`),
    ).toEqual([
      ["Profile_Rule", "[--key $A] tftp.callme.com/profile/$B/spa962.cfg", "na"],
      ["GPP_A", "8e4ca259", "na"],
      ["GPP_B", "Gp3sqLn", "na"],
    ]);
  });

  it("Appendix C.3 plain-text bootstrap", () => {
    const profile =
      parseTextProfile(`# spa2102-000e08012345.txt  — compile: spc --target 000e08012345 spa2102-000e08012345.txt out.cfg
Admin_Passwd          "S3cret-Admin" ;
Profile_Rule          "[--key $A] http://prov.example.com/spa/$B/$MA.cfg" ;
GPP_A                 "b4f1c2…" ;
GPP_B                 "q7Lm2Xv9Pd" ;
Line_Enable[1]        "Yes" ;
User_ID[1]            "4085551234" ;
Display_Name[1]     ! "J. Smith" ;        # user may edit
Dial_Plan[1]        ? ;                   # user read-only, value unchanged
`);
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["Admin_Passwd", "S3cret-Admin", "na"],
      ["Profile_Rule", "[--key $A] http://prov.example.com/spa/$B/$MA.cfg", "na"],
      ["GPP_A", "b4f1c2…", "na"],
      ["GPP_B", "q7Lm2Xv9Pd", "na"],
      ["Line_Enable_1_", "Yes", "na"],
      ["User_ID_1_", "4085551234", "na"],
      ["Display_Name_1_", "J. Smith", "rw"],
      ["Dial_Plan_1_", undefined, "ro"],
    ]);
    // "…" is not ASCII: kept, and reported.
    expect(profile.warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NonAscii]);
  });

  it("values are verbatim: spaces, # and ; inside quotes, newlines", () => {
    expect(rows('A " x # y ; z " ;\nB "line1\nline2";')).toEqual([
      ["A", " x # y ; z ", "na"],
      ["B", "line1\nline2", "na"],
    ]);
  });

  it("§3.3.3 import splices the file in place; later statements override", () => {
    const resolver = files({
      "base.txt": `# base.txt
Param1 "base value 1" ;
Param2 "base value 2" ;
`,
    });
    const profile = parseTextProfile(
      `# spa1234.txt
import base.txt
Param1 "new value overrides base" ;
Param7 "particular value 7" ;
`,
      { file: "spa1234.txt", resolveImport: resolver },
    );
    expect(profile.entries.map((e) => [e.name, e.value])).toEqual([
      ["Param1", "base value 1"],
      ["Param2", "base value 2"],
      ["Param1", "new value overrides base"],
      ["Param7", "particular value 7"],
    ]);
    expect(profile.entries[0]?.position).toEqual({ line: 2, column: 1, file: "base.txt" });
    expect(profile.entries[2]?.position).toEqual({ line: 3, column: 1, file: "spa1234.txt" });
  });

  it("§3.3.3 imports nest, get the importing file, and may be followed by a comment", () => {
    const seen: [string, string | undefined][] = [];
    const map: Record<string, string> = {
      "a.txt": 'import b.txt   # nested\nA "1";',
      "b.txt": 'B "2";',
    };
    const profile = parseTextProfile('import a.txt\nTop "0";', {
      resolveImport: (name, from) => {
        seen.push([name, from]);
        return map[name]!;
      },
    });
    expect(profile.entries.map((e) => e.name)).toEqual(["B", "A", "Top"]);
    expect(seen).toEqual([
      ["a.txt", undefined],
      ["b.txt", "a.txt"],
    ]);
  });

  it("§3.3.3 import cycles are rejected with the chain", () => {
    const error = failure(() =>
      parseTextProfile("import a.txt", {
        file: "top.txt",
        resolveImport: files({ "a.txt": "\nimport b.txt", "b.txt": "import top.txt" }),
      }),
    );
    expect(error.code).toBe("PROFILE_IMPORT_CYCLE");
    expect(error.message).toContain("top.txt → a.txt → b.txt → top.txt");
    expect([error.line, error.column]).toEqual([1, 1]);
    const self = failure(() =>
      parseTextProfile("import self.txt", {
        resolveImport: files({ "self.txt": "import self.txt" }),
      }),
    );
    expect(self.code).toBe("PROFILE_IMPORT_CYCLE");
  });

  it("a resolver may return an identity, so two names for one file still form a cycle", () => {
    const error = failure(() =>
      parseTextProfile("import ./a.txt", {
        resolveImport: (name) => ({
          id: "/abs/a.txt",
          text: name === "./a.txt" ? "import a.txt" : "import ./a.txt",
        }),
      }),
    );
    expect(error.code).toBe("PROFILE_IMPORT_CYCLE");
  });

  it("§3.3.3 an imported file may import a same-named file of another folder: no false cycle", () => {
    // Names are relative to the importing file; identities (here: paths) decide cycles.
    const tree: Record<string, string> = {
      "/p/base.txt": 'import sub/x.txt\nTop "1";',
      "/p/sub/x.txt": 'import base.txt\nX "1";',
      "/p/sub/base.txt": 'SubBase "1";',
    };
    const resolveImport: ImportResolver = (name, from) => {
      const dir = from?.startsWith("/") ? from.replace(/[^/]*$/, "") : "/p/";
      const id = `${dir}${name}`.replace(/[^/]+\/\.\.\//g, "");
      const text = tree[id];
      if (text === undefined) throw new Error(`no such file ${id}`);
      return { id, text };
    };
    const options = { file: "base.txt", id: "/p/base.txt", resolveImport };
    const profile = parseTextProfile(tree["/p/base.txt"]!, options);
    expect(profile.entries.map((e) => e.name)).toEqual(["SubBase", "X", "Top"]);
    // A real cycle back to the top file is still found, by identity, at the first return.
    tree["/p/sub/x.txt"] = 'import ../base.txt\nX "1";';
    const cycle = failure(() => parseTextProfile(tree["/p/base.txt"]!, options));
    expect(cycle.code).toBe("PROFILE_IMPORT_CYCLE");
    expect(cycle.message).toContain("/p/base.txt → /p/sub/x.txt → /p/base.txt");
  });

  it("imports fail clearly without a resolver, when the resolver throws, and when nested too deep", () => {
    expect(failure(() => parseTextProfile("import x.txt")).code).toBe("PROFILE_IMPORT_FAILED");
    const thrown = failure(() =>
      parseTextProfile('A "1";\nimport missing.txt', { resolveImport: files({}) }),
    );
    expect(thrown.code).toBe("PROFILE_IMPORT_FAILED");
    expect(thrown.message).toContain("no such file missing.txt");
    expect([thrown.line, thrown.column]).toEqual([2, 1]);
    let n = 0;
    const deep = failure(() =>
      parseTextProfile("import f0", { resolveImport: () => `import f${++n}`, maxImportDepth: 5 }),
    );
    expect(deep.code).toBe("PROFILE_IMPORT_DEPTH");
  });

  it("import must start the line; indented, it is a syntax error", () => {
    const error = failure(() => parseTextProfile("  import base.txt"));
    expect(error.code).toBe("PROFILE_TEXT_SYNTAX");
  });

  it("a parameter may be called import when a tag or value follows", () => {
    expect(rows('import ! "x";')).toEqual([["import", "x", "rw"]]);
  });

  it("syntax errors inside an imported file name the file and its line", () => {
    const error = failure(() =>
      parseTextProfile('A "1";\nimport b.txt', {
        resolveImport: files({ "b.txt": 'B "2";\nC "3"' }),
      }),
    );
    expect(error.code).toBe("PROFILE_TEXT_SYNTAX");
    expect([error.line, error.column]).toEqual([2, 6]);
    expect(error.details).toMatchObject({ file: "b.txt", reason: "expected-semicolon" });
  });

  const syntax: [string, string, string, number, number][] = [
    ["missing semicolon", 'A "1"\nB "2";', "expected-semicolon", 2, 1],
    ["missing semicolon at end", 'A "1"', "expected-semicolon", 1, 6],
    ["unterminated value", 'A "1;\nB "2";', "expected-semicolon", 2, 4],
    ["unterminated value at end", 'A "1;', "unterminated-value", 1, 3],
    ["name starting with a digit", '1A "x";', "expected-name", 1, 1],
    ["stray quote", '"x";', "expected-name", 1, 1],
    ["two tags", 'A ! ? "x";', "expected-semicolon", 1, 5],
    ["malformed brackets", 'Proxy[x] "1";', "bad-name", 1, 1],
    ["literal double quote inside a value", 'A "say "hi"" ;', "expected-semicolon", 1, 9],
    ["empty import", "import  \n", "empty-import", 1, 1],
    ["unquoted value", "Profile_Rule /spa$PSN.cfg;", "unquoted-value", 1, 1],
    ["unquoted value after a tag", 'GPP_A "1";\n  GPP_B ! abc ;', "unquoted-value", 2, 3],
  ];
  it.each(syntax)(
    "%s → PROFILE_TEXT_SYNTAX (%s) at line/column",
    (_label, text, reason, line, column) => {
      const error = failure(() => parseTextProfile(text));
      expect(error.code).toBe("PROFILE_TEXT_SYNTAX");
      expect(error.details).toMatchObject({ reason });
      expect([error.line, error.column]).toEqual([line, column]);
    },
  );

  it("the seed's unquoted Profile_Rule is reported as a value that must be quoted", () => {
    const error = failure(() =>
      parseTextProfile("Profile_Rule tftp.callme.com/profile/$MA/spa962.cfg;\n"),
    );
    expect(error.details).toMatchObject({ reason: "unquoted-value" });
    expect(error.message).toContain(
      'the value of Profile_Rule must be in double quotes: Profile_Rule "tftp.callme.com/profile/$MA/spa962.cfg" ;',
    );
    expect(error.message).not.toContain("Profile_Rule_tftp");
    expect(failure(() => parseTextProfile("GPP_A ? plain words;")).message).toContain(
      'GPP_A ? "plain words" ;',
    );
  });

  it("a literal double quote inside a value is reported with a hint", () => {
    expect(failure(() => parseTextProfile('A "say "hi"" ;')).message).toContain(
      "cannot contain a double quote",
    );
  });
});

describe("plain-text profile serialization", () => {
  it("writes aligned statements with tags, bracketed indices and * for unstated access", () => {
    const { text, warnings } = serializeTextProfile({
      entries: [
        { name: "Profile_Rule", value: "http://x/$MA.cfg", access: "na" },
        { name: "Display_Name_1_", value: "J. Smith", access: "rw" },
        { name: "Dial_Plan_1_", value: undefined, access: "ro" },
        { name: "Primary_DNS", value: "1.2.3.4", access: undefined },
      ],
    });
    expect(text).toBe(
      [
        'Profile_Rule      "http://x/$MA.cfg" ;',
        'Display_Name[1] ! "J. Smith" ;',
        "Dial_Plan[1]    ? ;",
        'Primary_DNS     * "1.2.3.4" ;',
        "",
      ].join("\n"),
    );
    expect(warnings).toEqual([]);
    expect(parseTextProfile(text).entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["Profile_Rule", "http://x/$MA.cfg", "na"],
      ["Display_Name_1_", "J. Smith", "rw"],
      ["Dial_Plan_1_", undefined, "ro"],
      ["Primary_DNS", "1.2.3.4", undefined],
    ]);
  });

  it("writes 200,000 statements (no argument-spreading limits)", () => {
    const entries = Array.from({ length: 200_000 }, (_, i) => ({
      name: `GPP_${i}`,
      value: "v",
      access: "rw" as const,
    }));
    const { text } = serializeTextProfile({ entries });
    expect(text.split("\n")[199_999]).toBe('GPP_199999 ! "v" ;');
  });

  it("underscore index style and no alignment on request", () => {
    const { text } = serializeTextProfile(
      { entries: [{ name: "Proxy_1_", value: "p", access: "rw" }] },
      { indexStyle: "underscore", align: false },
    );
    expect(text).toBe('Proxy_1_ ! "p" ;\n');
  });

  it('§3.3.1 refuses a value containing " (undocumented in the source format)', () => {
    const error = failure(() =>
      serializeTextProfile({ entries: [{ name: "A", value: 'say "hi"', access: "na" }] }),
    );
    expect(error.code).toBe("PROFILE_VALUE_UNREPRESENTABLE");
    expect(error.details).toEqual({ name: "A" });
  });

  it("refuses invalid names, warns on non-ASCII and on attributes text cannot carry", () => {
    expect(
      failure(() => serializeTextProfile({ entries: [{ name: "a b", value: "", access: "na" }] }))
        .code,
    ).toBe("PROFILE_NAME_INVALID");
    const { warnings } = serializeTextProfile({
      entries: [
        { name: "A", value: "é", access: "na" },
        { name: "B", value: "x", access: "rw", preserveValue: true },
      ],
    });
    expect(warnings.map((w) => w.code)).toEqual([
      ProfileWarningCode.NonAscii,
      ProfileWarningCode.AttributeDropped,
    ]);
  });
});
