import { describe, expect, it } from "vitest";
import { ProvisioError } from "../../src/errors.ts";
import {
  type ProfileEntry,
  ProfileWarningCode,
  parseXmlProfile,
  serializeXmlProfile,
} from "../../src/profile/index.ts";

function values(text: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const e of parseXmlProfile(text).entries) out[e.name] = e.value;
  return out;
}

function only(text: string): ProfileEntry {
  const { entries } = parseXmlProfile(text);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

function malformed(text: string): ProvisioError {
  try {
    parseXmlProfile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ProvisioError);
    const e = error as ProvisioError;
    expect(e.code).toBe("PROFILE_XML_MALFORMED");
    return e;
  }
  throw new Error("expected PROFILE_XML_MALFORMED");
}

describe("XML flat profile parsing (§3.2)", () => {
  it("§3.2.1 basic example: three parameters in order, values trimmed", () => {
    const profile = parseXmlProfile(`<flat-profile>
  <Resync_On_Reset> Yes </Resync_On_Reset>
  <Resync_Periodic> 7200 </Resync_Periodic>
  <Profile_Rule> tftp://prov.telco.com:6900/cisco/config/spa962.cfg </Profile_Rule>
</flat-profile>`);
    expect(profile.format).toBe("xml");
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["Resync_On_Reset", "Yes", undefined],
      ["Resync_Periodic", "7200", undefined],
      ["Profile_Rule", "tftp://prov.telco.com:6900/cisco/config/spa962.cfg", undefined],
    ]);
    expect(profile.warnings).toEqual([]);
  });

  it("§3.2.1 nested example: declaration, comments, unrecognised elements and attributes ignored", () => {
    const profile = parseXmlProfile(`<?xml version='1.0'?>
<top-level>
  <!-- unrecognized element, ignored -->
  <generator> Telco Profile Compiler v.1.2 </generator>
  <!-- unrecognized attribute 'device' on flat-profile, ignored -->
  <flat-profile device="Linksys">
    <Resync_On_Reset> Yes </Resync_On_Reset>
    <Resync_Periodic> 7200 </Resync_Periodic>
    <Profile_Rule>
      tftp://prov.telco.com:6900/Linksys/config/spa2102.cfg
    </Profile_Rule>
  </flat-profile>
</top-level>`);
    expect(profile.entries.map((e) => [e.name, e.value])).toEqual([
      ["Resync_On_Reset", "Yes"],
      ["Resync_Periodic", "7200"],
      ["Profile_Rule", "tftp://prov.telco.com:6900/Linksys/config/spa2102.cfg"],
    ]);
  });

  it("§3.2.1 8831 tutorial wrapping <device><flat-profile>…", () => {
    expect(
      values("<device> <flat-profile> <GPP_A>12345678</GPP_A> </flat-profile> </device>"),
    ).toEqual({
      GPP_A: "12345678",
    });
  });

  it("§3.2.1 several <flat-profile> elements are processed in document order, at any depth", () => {
    const profile = parseXmlProfile(`<a><flat-profile><GPP_A>1</GPP_A></flat-profile>
      <b><c><flat-profile><GPP_B>2</GPP_B><GPP_A>3</GPP_A></flat-profile></c></b></a>`);
    expect(profile.entries.map((e) => `${e.name}=${e.value}`)).toEqual([
      "GPP_A=1",
      "GPP_B=2",
      "GPP_A=3",
    ]);
  });

  it("§3.2.1 element names are case-sensitive: <gpp_a> is kept as written", () => {
    expect(only("<flat-profile><gpp_a>x</gpp_a></flat-profile>").name).toBe("gpp_a");
    malformed("<flat-profile><GPP_A>x</gpp_a></flat-profile>");
  });

  it("§3.2.1 an opening tag needs its closing tag: mismatch reports line, column and the opening tag", () => {
    const error = malformed("<flat-profile>\n  <GPP_A>x</GPP_B>\n</flat-profile>");
    expect(error.line).toBe(2);
    expect(error.column).toBe(11);
    expect(error.message).toContain("<GPP_A> opened at 2:3");
    expect(error.details).toEqual({ reason: "mismatched-tag" });
  });

  it("§3.2.3 ua example: self-closing elements change access only", () => {
    const profile = parseXmlProfile(`<flat-profile>
  <SIP_TOS_DiffServ_Value_1_ ua="na"/>
  <Dial_Plan_1_ ua="ro"/>
  <Dial_Plan_2_ ua="rw"/>
</flat-profile>`);
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["SIP_TOS_DiffServ_Value_1_", undefined, "na"],
      ["Dial_Plan_1_", undefined, "ro"],
      ["Dial_Plan_2_", undefined, "rw"],
    ]);
  });

  it("a self-closing element with only annotation attributes (group) sets the empty string", () => {
    const profile = parseXmlProfile(`<flat-profile>
  <Syslog_Server group="System/Optional_Network_Configuration" />
  <GPP_A group="Provisioning/General_Purpose_Parameters"/>
  <GPP_B group="Provisioning/General_Purpose_Parameters" ua="rw"/>
  <GPP_C preserve-value="y" ua="na"/>
  <GPP_D ua="RW" group="x"/>
  <GPP_E/>
</flat-profile>`);
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["Syslog_Server", "", undefined],
      ["GPP_A", "", undefined],
      ["GPP_B", undefined, "rw"],
      ["GPP_C", undefined, "na"],
      // An invalid ua is still a ua: the device keeps value and access.
      ["GPP_D", undefined, undefined],
      ["GPP_E", "", undefined],
    ]);
  });

  it("§3.2.3 unquoted ua is accepted leniently, with a warning", () => {
    const profile = parseXmlProfile(
      "<flat-profile><GPP_A ua=rw>x</GPP_A><GPP_B ua=na/></flat-profile>",
    );
    expect(profile.entries.map((e) => [e.name, e.value, e.access])).toEqual([
      ["GPP_A", "x", "rw"],
      ["GPP_B", undefined, "na"],
    ]);
    expect(profile.warnings.map((w) => w.code)).toEqual([
      ProfileWarningCode.UnquotedAttribute,
      ProfileWarningCode.UnquotedAttribute,
    ]);
  });

  it("§3.2.3 single-quoted ua is standard XML and accepted", () => {
    expect(only("<flat-profile><GPP_A ua='ro'>x</GPP_A></flat-profile>").access).toBe("ro");
  });

  it("§3.2.3 other ua values are ignored (access kept) and reported", () => {
    const profile = parseXmlProfile('<flat-profile><GPP_A ua="RW">x</GPP_A></flat-profile>');
    expect(profile.entries[0]).toMatchObject({
      access: undefined,
      invalidAccess: "RW",
      value: "x",
    });
    expect(profile.warnings[0]?.code).toBe(ProfileWarningCode.AccessIgnored);
  });

  it("§3.2.3 absent ua is 'not stated' (C5 is decided at merge time)", () => {
    expect(only("<flat-profile><GPP_A>x</GPP_A></flat-profile>").access).toBeUndefined();
  });

  it('§3.2.3 MPP preserve-value="y" with ua', () => {
    const e = only(
      '<flat-profile><Station_Name ua="rw" preserve-value="y">Travel Agent 1</Station_Name></flat-profile>',
    );
    expect(e).toMatchObject({
      name: "Station_Name",
      value: "Travel Agent 1",
      access: "rw",
      preserveValue: true,
    });
  });

  it("§3.2.4 newlines inside a value become spaces; CRLF counts as one newline", () => {
    expect(values("<flat-profile><GPP_D>OU=a,\nL=b,\r\nS=c</GPP_D></flat-profile>").GPP_D).toBe(
      "OU=a, L=b, S=c",
    );
    expect(values("<flat-profile><GPP_D>a\r\rb</GPP_D></flat-profile>").GPP_D).toBe("a  b");
  });

  it("§3.2.4 leading and trailing white space (including newlines) is removed", () => {
    expect(values("<flat-profile><GPP_A>\n\t  x y \r\n</GPP_A></flat-profile>").GPP_A).toBe("x y");
  });

  it("§3.2.4 hotline dial plan example with &lt; &gt;", () => {
    expect(
      values(
        "<flat-profile><Dial_Plan_1_>( S0 &lt;:18005551212&gt; )</Dial_Plan_1_></flat-profile>",
      ),
    ).toEqual({
      Dial_Plan_1_: "( S0 <:18005551212> )",
    });
  });

  it("§3.2.4 the five named escapes and decimal/hex numeric references are translated", () => {
    expect(
      values("<flat-profile><A>&amp;&lt;&gt;&apos;&quot;&#40;&#x2e;</A></flat-profile>").A,
    ).toBe("&<>'\"(.");
  });

  it("§3.2.4 numeric references to astral characters decode to one code point", () => {
    expect(values("<flat-profile><A>&#x1F600;</A></flat-profile>").A).toBe("😀");
  });

  it("§3.2.4 characters written as references are data: not trimmed, not turned into spaces", () => {
    expect(values("<flat-profile><A> &#32;x&#10;y&#9; </A></flat-profile>").A).toBe(" x\ny\t");
  });

  it("§3.2.4 only XML white space is trimmed: NBSP and ideographic space are data", () => {
    expect(values("<flat-profile><A> \u00a0x\u3000 </A></flat-profile>").A).toBe("\u00a0x\u3000");
    expect(only('<flat-profile><A ua="\u00a0rw"/></flat-profile>').invalidAccess).toBe("\u00a0rw");
  });

  it("§3.2.4 CDATA sections are allowed and taken literally", () => {
    expect(values("<flat-profile><A><![CDATA[ <b>&amp; ]]></A></flat-profile>").A).toBe("<b>&amp;");
    expect(values("<flat-profile><A>x<![CDATA[&]]>y</A></flat-profile>").A).toBe("x&y");
  });

  it("§3.2.4 non-ASCII values are kept intact and reported with a warning", () => {
    const profile = parseXmlProfile(
      "<flat-profile><Display_Name_1_>Jürgen 😀</Display_Name_1_></flat-profile>",
    );
    expect(profile.entries[0]?.value).toBe("Jürgen 😀");
    expect(profile.warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NonAscii]);
  });

  it("§3.2.5 repeated names are all kept (last wins is applied at merge), with a warning", () => {
    const profile = parseXmlProfile(
      "<flat-profile><A>1</A><B>x</B><A>2</A><A>3</A></flat-profile>",
    );
    expect(profile.entries.map((e) => e.value)).toEqual(["1", "x", "2", "3"]);
    expect(
      profile.warnings.filter((w) => w.code === ProfileWarningCode.DuplicateName),
    ).toHaveLength(1);
  });

  it("§3.2.6 <GPP_A></GPP_A> and <GPP_A> </GPP_A> set the empty string", () => {
    expect(values("<flat-profile><GPP_A></GPP_A><GPP_B> </GPP_B></flat-profile>")).toEqual({
      GPP_A: "",
      GPP_B: "",
    });
  });

  it("§3.2.6 / C7 <Profile_Rule_B /> with no attributes sets the empty string", () => {
    expect(only("<flat-profile><Profile_Rule_B /></flat-profile>").value).toBe("");
  });

  it('§3.2.6 / C7 <Speed_Dial_2_Name ua="rw"/> leaves the value untouched', () => {
    expect(only('<flat-profile><Speed_Dial_2_Name ua="rw"/></flat-profile>')).toMatchObject({
      value: undefined,
      access: "rw",
    });
  });

  it("§3.2.6 open+close with ua clears the value (Appendix C.1 Profile_Rule_B)", () => {
    expect(
      only('<flat-profile><Profile_Rule_B ua="na"></Profile_Rule_B></flat-profile>'),
    ).toMatchObject({
      value: "",
      access: "na",
    });
  });

  it("Appendix C.1 staging profile parses to ten entries, all ua=na", () => {
    const profile = parseXmlProfile(`<flat-profile>
  <!-- lock down and redirect -->
  <Admin_Passwd ua="na">S3cret-Admin</Admin_Passwd>
  <Restricted_Access_Domains ua="na">prov.example.com</Restricted_Access_Domains>
  <Resync_On_Reset ua="na">Yes</Resync_On_Reset>
  <Resync_Random_Delay ua="na">2</Resync_Random_Delay>
  <Resync_Periodic ua="na">3600+600</Resync_Periodic>
  <Resync_Error_Retry_Delay ua="na">1800,3600,7200,14400</Resync_Error_Retry_Delay>
  <Profile_Rule ua="na">https://prov.example.com/spa/init/$MA.xml</Profile_Rule>
  <Profile_Rule_B ua="na"></Profile_Rule_B>
  <Upgrade_Enable ua="na">Yes</Upgrade_Enable>
  <Upgrade_Rule ua="na">($SWVER ne 5.2.12)? http://prov.example.com/fw/spa2102-5-2-12.bin</Upgrade_Rule>
</flat-profile>`);
    expect(profile.entries).toHaveLength(10);
    expect(profile.entries.every((e) => e.access === "na")).toBe(true);
    expect(profile.entries[9]?.value).toBe(
      "($SWVER ne 5.2.12)? http://prov.example.com/fw/spa2102-5-2-12.bin",
    );
    expect(profile.entries[2]?.position).toEqual({ line: 5, column: 3 });
  });

  it("Appendix C.2 bootstrap answer keeps $ macros and brackets verbatim", () => {
    const v = values(`<flat-profile>
  <GPP_SA ua="na">b4f1c2</GPP_SA>
  <Profile_Rule ua="na">[--key $SA] http://prov.example.com/spa/$B/$MA.cfg</Profile_Rule>
  <Display_Name_1_ ua="rw">J. Smith</Display_Name_1_>
</flat-profile>`);
    expect(v.Profile_Rule).toBe("[--key $SA] http://prov.example.com/spa/$B/$MA.cfg");
    expect(v.Display_Name_1_).toBe("J. Smith");
  });

  it("§12.4 exercise 1: basic.txt", () => {
    expect(values("<flat-profile><GPP_A>12345678</GPP_A></flat-profile>")).toEqual({
      GPP_A: "12345678",
    });
  });

  it("a document with no <flat-profile> sets nothing and says so (legit for --alias, §4.5.3)", () => {
    const profile = parseXmlProfile(
      "<CPE><SIP-Credentials><name>J. Smith</name><number>14085551234</number></SIP-Credentials></CPE>",
      { collectLeaves: true },
    );
    expect(profile.entries).toEqual([]);
    expect(profile.warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NoFlatProfile]);
    expect(profile.leaves?.map((l) => [l.path, l.value])).toEqual([
      ["/CPE/SIP-Credentials/name", "J. Smith"],
      ["/CPE/SIP-Credentials/number", "14085551234"],
    ]);
  });

  it("a parameter element with element children is a container, not a parameter", () => {
    const profile = parseXmlProfile(
      "<flat-profile><Box><flat-profile><GPP_A>1</GPP_A></flat-profile></Box><GPP_B>2</GPP_B></flat-profile>",
    );
    expect(profile.entries.map((e) => e.name)).toEqual(["GPP_A", "GPP_B"]);
    expect(profile.warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NestedParameter]);
  });

  it("a UTF-8 BOM before the declaration is accepted", () => {
    expect(values('\uFEFF<?xml version="1.0"?><flat-profile><A>1</A></flat-profile>')).toEqual({
      A: "1",
    });
  });

  it("records 1-based line and column of each parameter", () => {
    const profile = parseXmlProfile("<flat-profile>\r\n  <A>1</A>\r\n\t<B/>\n</flat-profile>");
    expect(profile.entries.map((e) => e.position)).toEqual([
      { line: 2, column: 3 },
      { line: 3, column: 2 },
    ]);
  });
});

describe("XML flat profile errors", () => {
  const cases: [string, string, string, number, number][] = [
    ["empty document", "", "no-root", 1, 1],
    ["only a comment", "<!-- x -->", "no-root", 1, 11],
    ["unclosed element", "<flat-profile>\n<A>1</A>", "unclosed-element", 1, 1],
    ["close without open", "<a></b>", "mismatched-tag", 1, 4],
    ["stray close tag", "<a/></a>", "unexpected-close", 1, 5],
    ["unknown entity", "<flat-profile><A>&nbsp;</A></flat-profile>", "bad-entity", 1, 18],
    ["bare ampersand", "<flat-profile><A>a & b</A></flat-profile>", "bad-entity", 1, 20],
    ["&#0;", "<a>&#0;</a>", "bad-entity", 1, 4],
    ["surrogate reference", "<a>&#xD800;</a>", "bad-entity", 1, 4],
    ["out-of-range reference", "<a>&#x110000;</a>", "bad-entity", 1, 4],
    ["unclosed comment", "<a><!-- x</a>", "unclosed-comment", 1, 4],
    ["unclosed CDATA", "<a><![CDATA[x</a>", "unclosed-cdata", 1, 4],
    ["DOCTYPE", "<!DOCTYPE a><a/>", "doctype", 1, 1],
    ["text before root", "x<a/>", "text-outside-root", 1, 1],
    ["text after root", "<a/>\n x", "text-outside-root", 2, 2],
    ["two roots", "<a/><b/>", "second-root", 1, 5],
    ["duplicate attribute", '<a x="1" x="2"/>', "duplicate-attribute", 1, 10],
    ["attribute without value", "<a x/>", "bad-attribute", 1, 5],
    ["attributes not separated", '<a x="1"y="2"/>', "bad-attribute", 1, 9],
    ["unterminated attribute", '<a x="1/>', "bad-attribute", 1, 6],
    ["< in attribute", '<a x="<"/>', "bad-attribute", 1, 7],
    ["bad tag name", "<flat-profile>< A/></flat-profile>", "bad-name", 1, 16],
    ["tag never ends", "<flat-profile", "unclosed-tag", 1, 1],
    ["slash without >", "<a/ >", "unclosed-tag", 1, 3],
    ["unclosed PI", "<?xml version='1.0'", "unclosed-pi", 1, 1],
  ];
  it.each(cases)(
    "%s → PROFILE_XML_MALFORMED (%s) at the right place",
    (_label, text, reason, line, column) => {
      const error = malformed(text);
      expect(error.details).toEqual({ reason });
      expect([error.line, error.column]).toEqual([line, column]);
      expect(error.describe("x.xml")).toMatch(
        /^x\.xml:\d+:\d+: malformed XML profile: .* \[PROFILE_XML_MALFORMED\]$/,
      );
    },
  );
  it("a named document puts its name in the error details and in entry positions", () => {
    let error: unknown;
    try {
      parseXmlProfile("<flat-profile>\n<A>1</B>", { file: "spa.xml" });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      line: 2,
      column: 5,
      details: { reason: "mismatched-tag", file: "spa.xml" },
    });
    const parsed = parseXmlProfile("<flat-profile>\n<A>1</A></flat-profile>", { file: "spa.xml" });
    expect(parsed.entries[0]?.position).toEqual({ line: 2, column: 1, file: "spa.xml" });
  });
});

describe("XML flat profile serialization", () => {
  it("writes one element per line inside <flat-profile>, with ua whenever access is known", () => {
    const { text, warnings } = serializeXmlProfile({
      entries: [
        { name: "Profile_Rule", value: "[--key $SA] http://x/$MA.cfg", access: "na" },
        { name: "GPP_A", value: "", access: "rw" },
        { name: "Dial_Plan_1_", value: undefined, access: "ro" },
        { name: "GPP_B", value: "v", access: undefined },
      ],
    });
    expect(text).toBe(
      [
        "<flat-profile>",
        '  <Profile_Rule ua="na">[--key $SA] http://x/$MA.cfg</Profile_Rule>',
        '  <GPP_A ua="rw"></GPP_A>',
        '  <Dial_Plan_1_ ua="ro"/>',
        "  <GPP_B>v</GPP_B>",
        "</flat-profile>",
        "",
      ].join("\n"),
    );
    expect(warnings).toEqual([]);
  });

  it("escapes & < > \" ' and line breaks, tabs and edge spaces", () => {
    const { text } = serializeXmlProfile({
      entries: [{ name: "A", value: ` <&>"'\n\t\r `, access: "rw" }],
    });
    expect(text).toContain('<A ua="rw">&#32;&lt;&amp;&gt;&quot;&apos;&#10;&#9;&#13;&#32;</A>');
    expect(parseXmlProfile(text).entries[0]?.value).toBe(` <&>"'\n\t\r `);
  });

  it("refuses, by name, values with control characters XML 1.0 does not allow (&#1;, &#127;)", () => {
    for (const control of ["\u0001", "\u0008", "\u000b", "\u001f", "\u007f", "\uffff"]) {
      let caught: unknown;
      try {
        serializeXmlProfile({
          entries: [
            { name: "GPP_A", value: "ok", access: "rw" },
            { name: "GPP_B", value: `x${control}y`, access: "rw" },
          ],
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProvisioError);
      const error = caught as ProvisioError;
      expect(error.code).toBe("PROFILE_VALUE_UNREPRESENTABLE");
      expect(error.details).toEqual({ name: "GPP_B" });
      expect(error.message).toContain("GPP_B");
      expect(error.message).toContain(
        `U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
      );
    }
  });

  it("the parser refuses control characters XML 1.0 does not allow, referenced or raw", () => {
    for (const reference of [
      "&#1;",
      "&#x1;",
      "&#8;",
      "&#11;",
      "&#31;",
      "&#127;",
      "&#x7F;",
      "&#xFFFE;",
    ]) {
      const error = malformed(`<flat-profile><GPP_A>a${reference}b</GPP_A></flat-profile>`);
      expect(error.details).toEqual({ reason: "bad-entity" });
      expect(error.message).toContain("control character");
    }
    for (const raw of ["\u0001", "\u007f"]) {
      const error = malformed(`<flat-profile>\n<GPP_A>a${raw}b</GPP_A></flat-profile>`);
      expect(error.details).toEqual({ reason: "control-character" });
      expect(error.message).toContain("<GPP_A>");
      expect(error.line).toBe(2);
    }
    // Tab, LF and CR are characters XML allows.
    expect(values("<flat-profile><GPP_A>a&#9;&#10;&#13;b</GPP_A></flat-profile>").GPP_A).toBe(
      "a\t\n\rb",
    );
  });

  it("§3.2.4 non-ASCII is written intact (never corrupted) and produces a warning", () => {
    const { text, warnings } = serializeXmlProfile({
      entries: [{ name: "A", value: "Zoë 😀", access: "rw" }],
    });
    expect(parseXmlProfile(text).entries[0]?.value).toBe("Zoë 😀");
    expect(warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NonAscii]);
    const ascii = serializeXmlProfile(
      { entries: [{ name: "A", value: "Zoë 😀", access: undefined }] },
      { escapeNonAscii: true },
    );
    expect(ascii.text).toContain("Zo&#xeb; &#x1f600;");
    expect(parseXmlProfile(ascii.text).entries[0]?.value).toBe("Zoë 😀");
  });

  it("writes preserve-value and the optional XML declaration", () => {
    const { text } = serializeXmlProfile(
      {
        entries: [
          { name: "Station_Name", value: "Travel Agent 1", access: "rw", preserveValue: true },
        ],
      },
      { declaration: true },
    );
    expect(text.split("\n").slice(0, 3)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      "<flat-profile>",
      '  <Station_Name ua="rw" preserve-value="y">Travel Agent 1</Station_Name>',
    ]);
  });

  it("leaves out an entry with neither value nor access, with a warning (XML cannot say 'nothing')", () => {
    const { text, warnings } = serializeXmlProfile({
      entries: [{ name: "A", value: undefined, access: undefined }],
    });
    expect(text).toBe("<flat-profile>\n</flat-profile>\n");
    expect(warnings.map((w) => w.code)).toEqual([ProfileWarningCode.NoOpEntry]);
  });

  it("refuses names that are not XML names and values XML cannot carry", () => {
    expect(() =>
      serializeXmlProfile({ entries: [{ name: "Proxy[1]", value: "x", access: "na" }] }),
    ).toThrow(expect.objectContaining({ code: "PROFILE_NAME_INVALID" }));
    expect(() =>
      serializeXmlProfile({ entries: [{ name: "A", value: "\u0000", access: "na" }] }),
    ).toThrow(expect.objectContaining({ code: "PROFILE_VALUE_UNREPRESENTABLE" }));
    expect(() =>
      serializeXmlProfile({ entries: [{ name: "A", value: "\uD800", access: "na" }] }),
    ).toThrow(expect.objectContaining({ code: "PROFILE_VALUE_UNREPRESENTABLE" }));
  });
});
