import { describe, expect, it } from "vitest";
import {
  parseProfileRule,
  parseReportRule,
  parseResyncTrigger,
  parseUpgradeRule,
  provisioErrorOf,
} from "./helpers.ts";

const alts = (text: string) => parseProfileRule(text).alternatives;
const syntax = (fn: () => unknown) => {
  const e = provisioErrorOf(fn);
  expect(e.code).toBe("RULE_SYNTAX");
  return e;
};

describe("§4.2 grammar", () => {
  it("§4.2: an empty value has no alternatives", () => {
    expect(parseProfileRule("")).toEqual({ kind: "profile", alternatives: [], comment: undefined });
    expect(parseProfileRule("  \n ").alternatives).toEqual([]);
  });
  it("§4.2 rule 2: # http://192.168.1.200/sample.cfg is equivalent to an empty rule", () => {
    expect(parseProfileRule("# http://192.168.1.200/sample.cfg")).toEqual({
      kind: "profile",
      alternatives: [],
      comment: " http://192.168.1.200/sample.cfg",
    });
  });
  it("§4.2 rule 2: # after a rule is a comment; # inside a URL truncates it", () => {
    expect(alts("/a.cfg # note")[0]!.url?.path).toBe("/a.cfg");
    expect(alts("/a.cfg#frag")[0]!.url?.path).toBe("/a.cfg");
  });
  it("§4.2 rule 2: # inside a quoted string is not a comment", () => {
    expect(alts('[--key "a#b"] /x')[0]!.options.key?.value).toBe("a#b");
  });
  it("§4.2 rule 3: alternatives separated by |", () => {
    const a = alts("(1 eq 1)? /a | (2 eq 2)? /b | /c");
    expect(a.map((x) => x.url?.path)).toEqual(["/a", "/b", "/c"]);
    expect(a.map((x) => x.index)).toEqual([0, 1, 2]);
  });
  it("§4.2 rule 3: every alternative except the last must have a condition", () => {
    const e = syntax(() => alts("/a | /b"));
    expect(e.message).toMatch(/needs a condition/);
    expect(e.column).toBe(1);
    syntax(() => alts("(1 eq 1)? /a | /b | /c"));
  });
  it("§4.2 rule 4: an alternative may be a condition plus an assignment only", () => {
    const [a] = alts('(1 eq 1)? (a = "x";)!');
    expect(a!.condition).toBeDefined();
    expect(a!.assignments).toEqual([{ name: "GPP_A", value: "x", shortcut: true }]);
    expect(a!.url).toBeUndefined();
  });
  it("§4.2 rule 4: order is fixed — condition, assignment, options + URL", () => {
    syntax(() => alts('(a = "x";)! (1 eq 1)? /x'));
    syntax(() => alts("[--key k] (1 eq 1)? /x"));
  });
  it("§4.2 rule 5: [--key 6e4f…]ur.well.com/Gj2fLx3Nqbg/a.cfg (no space before the URL)", () => {
    const [a] = alts("[--key 6e4f]ur.well.com/Gj2fLx3Nqbg/a.cfg");
    expect(a!.options.key?.value).toBe("6e4f");
    expect(a!.url).toMatchObject({ host: "ur.well.com", path: "/Gj2fLx3Nqbg/a.cfg" });
  });
  it("§4.2 rule 5: (<1.0)?/pre-rel.cfg (no space after the condition)", () => {
    const [a] = alts("(<1.0)?/pre-rel.cfg");
    expect(a!.condition?.comparisons[0]).toMatchObject({
      left: { kind: "implicit-swver" },
      operator: "lt",
    });
    expect(a!.url?.path).toBe("/pre-rel.cfg");
  });
  it("§4.2 rule 5: whitespace including XML newlines around | is free", () => {
    const a = alts(
      "\n  ($SWVER lt 1.0.33)? http://fw/a.bin\n |\t( 1 eq 1 )?http://fw/b.bin\r\n|/c\n",
    );
    expect(a.map((x) => x.url?.path)).toEqual(["/a.bin", "/b.bin", "/c"]);
  });
  it("§4.2: a version with a parenthesised tag inside ( … )? is one operand", () => {
    const [a] = alts("($SWVER eq 2.0.6(b))? /x");
    expect(a!.condition?.comparisons[0]?.right).toMatchObject({
      kind: "version",
      text: "2.0.6(b)",
    });
  });
  it("§4.2: empty alternatives and options without a URL are errors", () => {
    syntax(() => alts("(1 eq 1)? /a |"));
    syntax(() => alts("| /a"));
    syntax(() => alts("(1 eq 1)? /a || /b"));
    syntax(() => alts("[--key k]"));
    syntax(() => alts("(1 eq 1)? [--key k] | /b"));
  });
  it("§4.2: two URLs without | are an error at the second", () => {
    expect(syntax(() => alts("http://a/x.cfg http://b/y.cfg")).column).toBe(16);
  });
  it("§4.2: an unclosed condition is an error", () => {
    syntax(() => alts("(1 eq 1 /x"));
    syntax(() => alts("(1 eq 1) /x"));
  });
});

describe("§4.4 assignments", () => {
  it('§4.4: ( Name = "value" ; Name2 = "value2" ; )! — white space optional', () => {
    const [a] = alts('(Name="value";Name2 = "value2" ;)!');
    expect(a!.assignments).toEqual([
      { name: "Name", value: "value", shortcut: false },
      { name: "Name2", value: "value2", shortcut: false },
    ]);
  });
  it("§4.4: a–p shortcuts ≡ GPP_A..GPP_P", () => {
    const long = alts('( User_ID_1_ = "uid$B" ; GPP_C = "" ; GPP_D = "$MA" ; )!')[0]!.assignments;
    const short = alts('( User_ID_1_ = "uid$B" ; c = "" ; d = "$MA" ; )!')[0]!.assignments;
    expect(short?.map(({ name, value }) => ({ name, value }))).toEqual(
      long?.map(({ name, value }) => ({ name, value })),
    );
    expect(alts('(p = "1";)!')[0]!.assignments?.[0]?.name).toBe("GPP_P");
  });
  it("§4.4: q is not a shortcut", () => {
    expect(alts('(q = "1";)!')[0]!.assignments?.[0]).toEqual({
      name: "q",
      value: "1",
      shortcut: false,
    });
  });
  it("§4.4: an empty block ()! is allowed", () => {
    expect(alts("()!")[0]!.assignments).toEqual([]);
  });
  it("§4.4: each item ends with ; — missing ; is an error", () => {
    expect(syntax(() => alts('(a = "x")!')).message).toMatch(/`;`/);
  });
  it("§4.4: values must be quoted", () => {
    syntax(() => alts("(a = x;)!"));
  });
  it("§4.4: the value may contain ) ! | # ;", () => {
    expect(alts('(a = ")!|#;";)! /x')[0]!.assignments?.[0]?.value).toBe(")!|#;");
  });
});

describe("§4.5 options", () => {
  it("§4.5: [--post j --alias k]", () => {
    expect(alts("[--post j --alias k] http://h/x")[0]!.options).toEqual({
      post: "GPP_J",
      alias: "GPP_K",
    });
  });
  it('§4.5: [--key "SymmetricSecret" --alias a]', () => {
    const o = alts('[--key "SymmetricSecret" --alias a] http://h/x')[0]!.options;
    expect(o.key?.value).toBe("SymmetricSecret");
    expect(o.key?.quoted).toBe(true);
    expect(o.alias).toBe("GPP_A");
  });
  it('§4.5: [--key "$SB" --post g]', () => {
    const o = alts('[--key "$SB" --post g] http://h/x')[0]!.options;
    expect(o.key?.value).toBe("$SB");
    expect(o.post).toBe("GPP_G");
  });
  it("§4.5: [--alias a --key abracadabra321 --post c]", () => {
    const o = alts("[--alias a --key abracadabra321 --post c] http://h/x")[0]!.options;
    expect(o).toMatchObject({ alias: "GPP_A", post: "GPP_C" });
    expect(o.key?.value).toBe("abracadabra321");
  });
  it("§4.5.1: --key examples", () => {
    const keys = [
      ["[--key VerySecretValue]", "VerySecretValue"],
      ['[--key "my secret phrase"]', "my secret phrase"],
      ["[--key a37d2fb9055c1d04883a0745eb0917a4]", "a37d2fb9055c1d04883a0745eb0917a4"],
      ["[--key $SC]", "$SC"],
      ['[--key "$SD"]', "$SD"],
    ];
    for (const [opt, key] of keys) expect(alts(`${opt} /x`)[0]!.options.key?.value).toBe(key);
  });
  it("§4.5.3: [--alias m] http://acct.voipservice.net/credentials/spa$MA.xml", () => {
    expect(
      alts("[--alias m] http://acct.voipservice.net/credentials/spa$MA.xml")[0]!.options.alias,
    ).toBe("GPP_M");
  });
  it("§4.5.4: [--uid $SA --pwd $SB] and FusionPBX [--uid myUser --pwd myPass]", () => {
    const o = alts("[--uid $SA --pwd $SB] https://prov.example.com/path/your_config.xml")[0]!
      .options;
    expect([o.uid?.value, o.pwd?.value]).toEqual(["$SA", "$SB"]);
    const f = alts("[--uid myUser --pwd myPass]http://mydomain.com/app/provision/?mac=$MA")[0]!;
    expect([f.options.uid?.value, f.options.pwd?.value]).toEqual(["myUser", "myPass"]);
    expect(f.url).toMatchObject({ path: "/app/provision/", query: "mac=$MA" });
  });
  it("§4.2 arg: bare = run of non-space, non-] characters; option argument spans are kept", () => {
    const text = "[--key a=b/c!]/x";
    const k = alts(text)[0]!.options.key!;
    expect(k.value).toBe("a=b/c!");
    expect(text.slice(k.span.start, k.span.end)).toBe("a=b/c!");
  });
  it("§4.5.2: --post takes a GPP letter a–p", () => {
    expect(syntax(() => alts("[--post q] http://h/x")).message).toMatch(/GPP letter/);
    syntax(() => alts("[--post ab] http://h/x"));
  });
  it("unknown, repeated, unclosed and argument-less options are errors", () => {
    expect(syntax(() => alts("[--foo] /x")).message).toMatch(/unknown option/);
    expect(syntax(() => alts("[--key a --key b] /x")).message).toMatch(/twice/);
    syntax(() => alts("[--key a /x"));
    syntax(() => alts("[--key] /x"));
    syntax(() => alts("[key a] /x"));
    syntax(() => alts('[--key "abc] /x'));
  });
  it("§4.5.5: --delta/--status are Report_Rule only", () => {
    expect(syntax(() => alts("[--delta] /x")).message).toMatch(/not allowed in Profile_Rule/);
  });
});

describe("§7.2 Upgrade_Rule", () => {
  const examples = [
    "http://p.tel.com/firmware/spa021025.bin",
    '("$F" ne "beta-customer")? http://p.tel.com/firmware/spa021025.bin | http://p.tel.com/firmware/spa-test-0527s.bin',
    "(! 1.0.2)? /spa2000/1-00-02/spa.bin",
    "(<1.0)? tftp://pserv.myvoice.com:42001/upg/spa2000/1.0.2/spa.bin",
    "http://prov.service.com/spa841/spa841-00-09-01.bin",
    "($SWVER ne sip7832.11-0-0MPP-256)? http://ps.tell.com/sw/sip7832.11-0-0MPP-BN.loads",
    "($SWVER ge sip78xx.11-0-0MPP-7)? http://ps.tell.com/sw/sip78xx.11-2-1MES-3.loads | http://ps.tell.com/sw/sip78xx.11-0-0MPP-7.loads",
    "tftp://192.168.1.5/image/sip88xx.11-0-0MPP-BN.loads",
    "($SWVER lt 1.0.33)? http://fw.example.net/spa2102/1-0-33.bin\n | ($SWVER lt 2.0.6)? http://fw.example.net/spa2102/2-0-6.bin\n | ($SWVER lt 3.3.6)? http://fw.example.net/spa2102/3-3-6.bin",
  ];
  for (const [i, text] of examples.entries()) {
    it(`§7.2 example ${i + 1} parses: ${text.split("\n")[0]}`, () => {
      const r = parseUpgradeRule(text);
      expect(r.kind).toBe("upgrade");
      expect(r.alternatives.length).toBeGreaterThan(0);
      for (const a of r.alternatives) expect(a.url).toBeDefined();
    });
  }
  it("§7.2: no bracketed options in Upgrade_Rule", () => {
    expect(syntax(() => parseUpgradeRule("[--key k] http://h/fw.bin")).message).toMatch(
      /no `\[--options\]`/,
    );
  });
  it("§7.2: # comments work as in Profile_Rule", () => {
    expect(parseUpgradeRule("# http://h/fw.bin").alternatives).toEqual([]);
  });
});

describe("§4.5.5 / §8.4 Report_Rule", () => {
  it("§8.4: [ --key secretphrase ] http://prov.serv.net/spa/$MA/rep.xml.enc", () => {
    const r = parseReportRule("[ --key secretphrase ] http://prov.serv.net/spa/$MA/rep.xml.enc");
    expect(r.targets).toHaveLength(1);
    expect(r.targets[0]![0]!.options.key?.value).toBe("secretphrase");
  });
  it("§8.4: [ --key $K ] tftp://ps.callhome.net/$MA/rep.xml.enc", () => {
    const r = parseReportRule("[ --key $K ] tftp://ps.callhome.net/$MA/rep.xml.enc");
    expect(r.targets[0]![0]!.url).toMatchObject({ scheme: "tftp", host: "ps.callhome.net" });
  });
  it("§8.4: [ --delta ] http://reportTargetServer/reportPath/$PN_$MA_$SN.xml", () => {
    const r = parseReportRule("[ --delta ] http://reportTargetServer/reportPath/$PN_$MA_$SN.xml");
    expect(r.targets[0]![0]!.options.delta).toBe(true);
  });
  it("§4.5.5: two targets separated by ;", () => {
    const r = parseReportRule(
      "[--delta]http://my_http_server/config-525.xml; [--status]http://my_http_server/status-525.xml",
    );
    expect(r.targets.map((t) => [t[0]!.url?.path, t[0]!.options])).toEqual([
      ["/config-525.xml", { delta: true }],
      ["/status-525.xml", { status: true }],
    ]);
  });
  it("§8.4: each target may have conditions and alternatives", () => {
    const r = parseReportRule("(1 eq 2)? /a | /b ; /c");
    expect(r.targets.map((t) => t.length)).toEqual([2, 1]);
  });
  it("§8.4: --post and --alias are not report options", () => {
    syntax(() => parseReportRule("[--post a] http://h/x"));
  });
  it("§8.4: a trailing ; and empty input are fine", () => {
    expect(parseReportRule("/a;").targets).toHaveLength(1);
    expect(parseReportRule("").targets).toHaveLength(0);
  });
});

describe("§4.7 Resync_Trigger_n", () => {
  it("§4.7: a bare condition, no ( )?", () => {
    expect(parseResyncTrigger("$REGTMR1 gt 300 and $PRVTMR ge 600")?.comparisons).toHaveLength(2);
  });
  it("§4.7: ( )? is not the trigger syntax", () => {
    syntax(() => parseResyncTrigger("(1 eq 1)?"));
  });
  it("§4.7: empty or commented ⇒ inactive (undefined)", () => {
    expect(parseResyncTrigger("")).toBeUndefined();
    expect(parseResyncTrigger("#$UPGTMR gt 300")).toBeUndefined();
  });
});
