import { describe, expect, it } from "vitest";
import { fixtureVars } from "./fixture.ts";
import {
  evaluateProfileRule,
  evaluateReportRule,
  evaluateResyncTrigger,
  evaluateUpgradeRule,
  type FetchAction,
  formatRuleUrl,
  type ProfileRuleAction,
  requestTarget,
  ruleKindOf,
} from "./helpers.ts";

const v = fixtureVars();

function fetched(action: ProfileRuleAction): FetchAction {
  if (action.kind !== "fetch") throw new Error(`expected a fetch, got ${JSON.stringify(action)}`);
  return action;
}
/** The effective request, e.g. `GET http://remote.server.com:80/cisco/000e08012345.cfg`. */
function request(action: ProfileRuleAction, defaultServer = "<dhcp>"): string {
  const f = fetched(action);
  return `${f.method} ${formatRuleUrl(f.url, defaultServer)}`;
}

describe("§4.8 worked examples (MAC 000e08012345)", () => {
  it("§4.8 row 1: http://remote.server.com/cisco/$MA.cfg → GET …:80/cisco/000e08012345.cfg", () => {
    expect(request(evaluateProfileRule("http://remote.server.com/cisco/$MA.cfg", v))).toBe(
      "GET http://remote.server.com:80/cisco/000e08012345.cfg",
    );
  });
  const row2 =
    "($REGTMR1 eq 0)? http://p.tel.com/has-reg.cfg | [--post a] http://p.tel.com/lost-reg?";
  it("§4.8 row 2: registered ($REGTMR1 = 0) → GET has-reg.cfg", () => {
    const r = evaluateProfileRule(row2, fixtureVars({}, { timers: { regtmr: [0] } }));
    expect(request(r)).toBe("GET http://p.tel.com:80/has-reg.cfg");
  });
  it("§4.8 row 2: unregistered → POST GPP_A to /lost-reg?", () => {
    const f = fetched(evaluateProfileRule(row2, fixtureVars({}, { timers: { regtmr: [42] } })));
    expect(f.method).toBe("POST");
    expect(f.post).toEqual({ param: "GPP_A", body: "ABC" });
    expect(requestTarget(f.url)).toBe("/lost-reg?");
    expect(f.alternativeIndex).toBe(1);
  });
  const row3 =
    '("$CCERT" eq "Installed")? https://p.tel.com/config? | https://p.tel.com/config?cisco$MAU';
  it("§4.8 row 3: CCERT installed → GET /config?", () => {
    expect(request(evaluateProfileRule(row3, v))).toBe("GET https://p.tel.com:443/config?");
  });
  it("§4.8 row 3: legacy unit (Not Installed) → GET /config?cisco000E08012345", () => {
    const r = evaluateProfileRule(row3, fixtureVars({}, { certStatus: "Not Installed" }));
    expect(request(r)).toBe("GET https://p.tel.com:443/config?cisco000E08012345");
  });
  const row4 =
    '("$A" ne "Provisioned")? (Line_Enable_1_ = "No";)! https://p.tel.com/init-prov | https://p.tel.com/configs';
  it("§4.8 row 4: first time → disable line 1, fetch init-prov", () => {
    const f = fetched(evaluateProfileRule(row4, v));
    expect(f.assignments).toEqual([{ name: "Line_Enable_1_", value: "No" }]);
    expect(formatRuleUrl(f.url)).toBe("https://p.tel.com:443/init-prov");
  });
  it("§4.8 row 4: later (GPP_A=Provisioned) → fetch configs, no assignment", () => {
    const f = fetched(evaluateProfileRule(row4, fixtureVars({ GPP_A: "Provisioned" })));
    expect(f.assignments).toEqual([]);
    expect(formatRuleUrl(f.url)).toBe("https://p.tel.com:443/configs");
  });
  it("§4.8 row 5: [--alias b] https://p.tel.com/account/spa$MA.xml → fetch, remap with GPP_B", () => {
    const f = fetched(evaluateProfileRule("[--alias b] https://p.tel.com/account/spa$MA.xml", v));
    expect(f.alias).toBe("GPP_B");
    expect(formatRuleUrl(f.url)).toBe("https://p.tel.com:443/account/spa000e08012345.xml");
  });
  const row6 =
    "($PRVTMR ge 600)? http://p.tel.com/has-reg.cfg | [--post a] http://p.tel.com/lost-reg?";
  it("§4.8 row 6 (MPP variant): $PRVTMR ≥ 600 → GET has-reg.cfg, else POST", () => {
    const mpp = { family: "mpp" } as const;
    expect(
      request(evaluateProfileRule(row6, fixtureVars({}, { timers: { prvtmr: 600 } }), mpp)),
    ).toBe("GET http://p.tel.com:80/has-reg.cfg");
    expect(
      fetched(evaluateProfileRule(row6, fixtureVars({}, { timers: { prvtmr: 599 } }), mpp)).method,
    ).toBe("POST");
  });
  const row7 = "(<1.0)?/pre-rel.cfg | /curr.cfg";
  it("§4.8 row 7: firmware < 1.0 → /pre-rel.cfg from the DHCP TFTP server", () => {
    const r = evaluateProfileRule(row7, fixtureVars({}, { swVersion: "0.9.8" }));
    expect(fetched(r).url).toEqual({
      scheme: "tftp",
      server: { kind: "default" },
      port: 69,
      path: "/pre-rel.cfg",
      query: undefined,
    });
  });
  it("§4.8 row 7: firmware ≥ 1.0 → /curr.cfg from the DHCP TFTP server", () => {
    expect(request(evaluateProfileRule(row7, v))).toBe("GET tftp://<dhcp>:69/curr.cfg");
  });
  it("§4.8 row 8: tftp://prov.telco.com/cisco/$B/$MA.cfg with GPP_B=Dj6Lmp23Q", () => {
    const r = evaluateProfileRule(
      "tftp://prov.telco.com/cisco/$B/$MA.cfg",
      fixtureVars({ GPP_B: "Dj6Lmp23Q" }),
    );
    expect(formatRuleUrl(fetched(r).url)).toBe(
      "tftp://prov.telco.com:69/cisco/Dj6Lmp23Q/000e08012345.cfg",
    );
  });
  it("§4.8 row 9: # http://192.168.1.200/sample.cfg → skipped", () => {
    expect(evaluateProfileRule("# http://192.168.1.200/sample.cfg", v)).toEqual({
      kind: "skip",
      reason: "commented",
      diagnostics: [],
    });
  });
});

describe("Appendix B.3 rules (fixture device)", () => {
  it("§B.3: /spa$PSN.cfg, DHCP opt 66 = 10.0.0.5 → TFTP RRQ spa2102.cfg from 10.0.0.5:69", () => {
    expect(request(evaluateProfileRule("/spa$PSN.cfg", v), "10.0.0.5")).toBe(
      "GET tftp://10.0.0.5:69/spa2102.cfg",
    );
  });
  it("§B.3: 192.168.1.130/profiles/init.cfg → TFTP 192.168.1.130:69 /profiles/init.cfg", () => {
    expect(request(evaluateProfileRule("192.168.1.130/profiles/init.cfg", v))).toBe(
      "GET tftp://192.168.1.130:69/profiles/init.cfg",
    );
  });
  it("§B.3: http://neptune.speak.net:8080/prov/$D/$E.cfg (D,E empty) → GET …/prov//.cfg", () => {
    expect(request(evaluateProfileRule("http://neptune.speak.net:8080/prov/$D/$E.cfg", v))).toBe(
      "GET http://neptune.speak.net:8080/prov//.cfg",
    );
  });
  it('§B.3: ("$F" ne "beta-customer")? http://a/x.cfg | http://a/y.cfg → GET /y.cfg', () => {
    const r = evaluateProfileRule('("$F" ne "beta-customer")? http://a/x.cfg | http://a/y.cfg', v);
    expect(request(r)).toBe("GET http://a:80/y.cfg");
  });
  it("§B.3: init-prov rule → set Line_Enable_1_=No, then GET https://p.tel.com/init-prov", () => {
    const f = fetched(
      evaluateProfileRule(
        '("$A" ne "Provisioned")? (Line_Enable_1_ = "No";)! https://p.tel.com/init-prov | https://p.tel.com/configs',
        v,
      ),
    );
    expect(f.assignments).toEqual([{ name: "Line_Enable_1_", value: "No" }]);
    expect(request(f)).toBe("GET https://p.tel.com:443/init-prov");
  });
  it('§B.3: ( a = "Provisioned" ; )! → sets GPP_A, fetches nothing', () => {
    expect(evaluateProfileRule('( a = "Provisioned" ; )!', v)).toEqual({
      kind: "assign-only",
      assignments: [{ name: "GPP_A", value: "Provisioned" }],
      alternativeIndex: 0,
      diagnostics: [],
    });
  });
  it('§B.3: [--key "my secret phrase" --post b] http://p/x? → POST body 123, key my secret phrase', () => {
    const f = fetched(evaluateProfileRule('[--key "my secret phrase" --post b] http://p/x?', v));
    expect(f).toMatchObject({
      method: "POST",
      post: { param: "GPP_B", body: "123" },
      key: "my secret phrase",
    });
    expect(requestTarget(f.url)).toBe("/x?");
  });
  it("§B.3: # http://192.168.1.200/sample.cfg → skipped", () => {
    expect(evaluateProfileRule("# http://192.168.1.200/sample.cfg", v).kind).toBe("skip");
  });
  it("§B.3: (<1.0)?/pre-rel.cfg | /curr.cfg, SWVER 2.0.6(b) → TFTP /curr.cfg from DHCP server", () => {
    const f = fetched(evaluateProfileRule("(<1.0)?/pre-rel.cfg | /curr.cfg", v));
    expect(f.url).toMatchObject({ scheme: "tftp", server: { kind: "default" }, path: "/curr.cfg" });
  });
  it("§B.1: [--key $SA] /a.cfg → key = Secret!", () => {
    expect(fetched(evaluateProfileRule("[--key $SA] /a.cfg", v)).key).toBe("Secret!");
  });
});

describe("§4.1 / §4.2 rule 6 skips and selection", () => {
  it("§4.1: an empty rule is skipped (reason empty)", () => {
    expect(evaluateProfileRule("", v)).toMatchObject({ kind: "skip", reason: "empty" });
    expect(evaluateProfileRule("  \n", v)).toMatchObject({ kind: "skip", reason: "empty" });
  });
  it("§4.2 rule 6.4: all conditions false → skipped (no-condition-true)", () => {
    expect(evaluateProfileRule('("$A" eq "zzz")? /x', v)).toMatchObject({
      kind: "skip",
      reason: "no-condition-true",
    });
  });
  it("§4.2 rule 3: a rule violating the grammar is skipped with a diagnostic at the written column", () => {
    const r = evaluateProfileRule("/$MA.cfg | /b.cfg", v);
    expect(r).toMatchObject({ kind: "skip", reason: "syntax-error" });
    expect(r.diagnostics[0]).toMatchObject({ code: "RULE_SYNTAX", column: 1 });
  });
  it("syntax error columns refer to the text as written, before expansion", () => {
    // `$MA` expands to 12 characters; the stray `)` is at column 18 of the written rule.
    const r = evaluateProfileRule("http://h/$MA.cfg ) ", v);
    expect(r.diagnostics[0]).toMatchObject({ code: "RULE_SYNTAX", column: 18 });
  });
  it("syntax errors on a later line report line and column", () => {
    const r = evaluateProfileRule("(1 eq 1)? /a\n | /b\n | /c", v);
    expect(r.diagnostics[0]).toMatchObject({ line: 2, column: 4 });
  });
  it("§4.3: a type error makes the alternative false, the next one is taken, diagnostic kept", () => {
    const r = evaluateProfileRule('("abc" lt 3)? /x | /y', v);
    expect(fetched(r).url.path).toBe("/y");
    expect(r.diagnostics).toEqual([
      {
        code: "RULE_CONDITION_TYPE",
        message: expect.stringMatching(/string with integer/),
        column: 2,
      },
    ]);
  });
  it("§4.2 rule 1: macro values are part of the structure (GPP holding a whole rule)", () => {
    const r = evaluateProfileRule("$C", fixtureVars({ GPP_C: "(1 eq 2)? /a | http://h/b" }));
    expect(request(r)).toBe("GET http://h:80/b");
  });
  it("§6.1 Transport_Protocol: configured default scheme applies to scheme-less URLs", () => {
    expect(request(evaluateProfileRule("/spa$PSN.cfg", v, { defaultScheme: "http" }))).toBe(
      "GET http://<dhcp>:80/spa2102.cfg",
    );
  });
  it("§4.5.2: --post on a tftp URL is ignored with a diagnostic", () => {
    const r = evaluateProfileRule("[--post a] /x.cfg", v);
    expect(fetched(r).method).toBe("GET");
    expect(r.diagnostics[0]?.code).toBe("RULE_OPTION_IGNORED");
  });
  it("§4.5.2: the POST body is the macro-expanded GPP value", () => {
    const f = fetched(
      evaluateProfileRule("[--post c] http://h/x", fixtureVars({ GPP_C: "mac=$MA&sn=$SN" })),
    );
    expect(f.post?.body).toBe("mac=000e08012345&sn=88012BA01234");
  });
  it("§12.4 exercise 6: tftp://prov.telco.com/cisco/$B/$MA.cfg, GPP_B=Dj6Lmp23Q", () => {
    const r = evaluateProfileRule(
      "tftp://prov.telco.com/cisco/$B/$MA.cfg",
      fixtureVars({ GPP_B: "Dj6Lmp23Q" }),
    );
    expect(request(r)).toBe("GET tftp://prov.telco.com:69/cisco/Dj6Lmp23Q/000e08012345.cfg");
  });
});

describe("§5.3 / §11 / App. D #3: $SA..$SD only inside key (SPA) or key/uid/pwd (MPP)", () => {
  const secrets = fixtureVars({ GPP_SB: "MySecretPassword", GPP_SC: "a b]c|d#e" });
  it("§11: $SA stays literal in the URL path while --key gets the secret", () => {
    const f = fetched(evaluateProfileRule("[--key $SA] http://h/x$SA", secrets));
    expect(f.key).toBe("Secret!");
    expect(f.url.path).toBe("/x$SA");
  });
  it("§4.5.4 MPP: [--uid $SA --pwd $SB] expands both", () => {
    const f = fetched(
      evaluateProfileRule(
        "[--uid $SA --pwd $SB] https://prov.example.com/path/your_config.xml",
        secrets,
        {
          family: "mpp",
        },
      ),
    );
    expect([f.uid, f.pwd]).toEqual(["Secret!", "MySecretPassword"]);
  });
  it("§4.5.4 SPA: --uid/--pwd do not expand secrets", () => {
    const f = fetched(evaluateProfileRule("[--uid $SA --pwd $SB] https://h/x", secrets));
    expect([f.uid, f.pwd]).toEqual(["$SA", "$SB"]);
  });
  it('§4.5.1: [--key "$SD"] and substrings $(SA:0:6) in a key', () => {
    expect(fetched(evaluateProfileRule('[--key "x$(SA:0:6)y"] /a', secrets)).key).toBe("xSecrety");
  });
  it("a secret value cannot change the rule's structure (spaces, ], |, # are taken whole)", () => {
    const f = fetched(evaluateProfileRule("[--key $SC] http://h/x", secrets));
    expect(f.key).toBe("a b]c|d#e");
    expect(f.url.path).toBe("/x");
  });
  it("§5.2 single pass: $$SA in a key is the literal text $SA", () => {
    expect(fetched(evaluateProfileRule("[--key $$SA] /a", secrets)).key).toBe("$SA");
  });
  it("§5.2 single pass: a GPP value containing $SA is not expanded again in a key", () => {
    const w = fixtureVars({ GPP_C: "$SA" });
    expect(fetched(evaluateProfileRule("[--key $C] /a", w)).key).toBe("$SA");
  });
  it("§C.3: [--key $A] uses an ordinary GPP as key", () => {
    expect(
      fetched(evaluateProfileRule("[--key $A] http://prov.example.com/spa/$B/$MA.cfg", v)).key,
    ).toBe("ABC");
  });
  it("secrets never appear in diagnostics of a rule that fails to parse", () => {
    const r = evaluateProfileRule("[--key $SA] /a | /b", v);
    expect(JSON.stringify(r)).not.toContain("Secret!");
  });
});

describe("§7.2 Upgrade_Rule evaluation", () => {
  const beta =
    '("$F" ne "beta-customer")? http://p.tel.com/firmware/spa021025.bin | http://p.tel.com/firmware/spa-test-0527s.bin';
  it("§7.2: GPP_F=beta-customer selects the test image", () => {
    const r = evaluateUpgradeRule(beta, v);
    expect(r.kind === "upgrade" && formatRuleUrl(r.url)).toBe(
      "http://p.tel.com:80/firmware/spa-test-0527s.bin",
    );
  });
  it("§7.2: other customers get the release image", () => {
    const r = evaluateUpgradeRule(beta, fixtureVars({ GPP_F: "" }));
    expect(r.kind === "upgrade" && r.url.path).toBe("/firmware/spa021025.bin");
  });
  it("§7.2: (! 1.0.2)? /spa2000/1-00-02/spa.bin (Sipura legacy) fires unless already 1.0.2", () => {
    expect(
      evaluateUpgradeRule(
        "(! 1.0.2)? /spa2000/1-00-02/spa.bin",
        fixtureVars({}, { swVersion: "1.0.1" }),
      ).kind,
    ).toBe("upgrade");
    expect(
      evaluateUpgradeRule(
        "(! 1.0.2)? /spa2000/1-00-02/spa.bin",
        fixtureVars({}, { swVersion: "1.0.2" }),
      ),
    ).toMatchObject({
      kind: "skip",
      reason: "no-condition-true",
    });
  });
  it("§7.2: (<1.0)? tftp://pserv.myvoice.com:42001/upg/spa2000/1.0.2/spa.bin", () => {
    const r = evaluateUpgradeRule(
      "(<1.0)? tftp://pserv.myvoice.com:42001/upg/spa2000/1.0.2/spa.bin",
      fixtureVars({}, { swVersion: "0.9.5" }),
    );
    expect(r.kind === "upgrade" && formatRuleUrl(r.url)).toBe(
      "tftp://pserv.myvoice.com:42001/upg/spa2000/1.0.2/spa.bin",
    );
  });
  it("§7.2 MPP: ($SWVER ne sip7832.11-0-0MPP-256)? …", () => {
    const rule =
      "($SWVER ne sip7832.11-0-0MPP-256)? http://ps.tell.com/sw/sip7832.11-0-0MPP-BN.loads";
    const mpp = { family: "mpp" } as const;
    expect(
      evaluateUpgradeRule(rule, fixtureVars({}, { swVersion: "sip7832.11-0-0MPP-255" }), mpp).kind,
    ).toBe("upgrade");
    expect(
      evaluateUpgradeRule(rule, fixtureVars({}, { swVersion: "sip7832.11-0-0MPP-256" }), mpp).kind,
    ).toBe("skip");
  });
  it("§7.2 MPP: ($SWVER ge sip78xx.11-0-0MPP-7)? picks the MES image on newer units", () => {
    const rule =
      "($SWVER ge sip78xx.11-0-0MPP-7)? http://ps.tell.com/sw/sip78xx.11-2-1MES-3.loads | http://ps.tell.com/sw/sip78xx.11-0-0MPP-7.loads";
    const mpp = { family: "mpp" } as const;
    const newer = evaluateUpgradeRule(
      rule,
      fixtureVars({}, { swVersion: "sip7832.11-1-0MPP-1" }),
      mpp,
    );
    const older = evaluateUpgradeRule(
      rule,
      fixtureVars({}, { swVersion: "sip7832.10-4-1MPP-9" }),
      mpp,
    );
    expect(newer.kind === "upgrade" && newer.url.path).toBe("/sw/sip78xx.11-2-1MES-3.loads");
    expect(older.kind === "upgrade" && older.url.path).toBe("/sw/sip78xx.11-0-0MPP-7.loads");
  });
  it("§7.2 multi-stage: each version walks one step", () => {
    const rule =
      "($SWVER lt 1.0.33)? http://fw.example.net/spa2102/1-0-33.bin\n | ($SWVER lt 2.0.6)? http://fw.example.net/spa2102/2-0-6.bin\n | ($SWVER lt 3.3.6)? http://fw.example.net/spa2102/3-3-6.bin";
    const step = (sw: string) => {
      const r = evaluateUpgradeRule(rule, fixtureVars({}, { swVersion: sw }));
      return r.kind === "upgrade" ? r.url.path : r.kind;
    };
    expect(step("1.0.31(b)")).toBe("/spa2102/1-0-33.bin");
    expect(step("1.0.33")).toBe("/spa2102/2-0-6.bin");
    expect(step("2.0.6(b)")).toBe("/spa2102/3-3-6.bin");
    expect(step("3.3.6")).toBe("skip");
  });
  it("§7.2 / C9: SPA rejects https firmware URLs; MPP accepts them", () => {
    expect(evaluateUpgradeRule("https://h/fw.bin", v)).toMatchObject({
      kind: "reject",
      reason: "https-not-supported",
    });
    expect(evaluateUpgradeRule("https://h/fw.bin", v, { family: "mpp" }).kind).toBe("upgrade");
    expect(evaluateUpgradeRule("https://h/fw.bin", v, { upgradeHttps: true }).kind).toBe("upgrade");
  });
  it("§7.2: MPP requires a server; SPA may use the DHCP server", () => {
    expect(evaluateUpgradeRule("/fw.bin", v, { family: "mpp" })).toMatchObject({
      kind: "reject",
      reason: "server-required",
    });
    const spa = evaluateUpgradeRule("/fw.bin", v);
    expect(spa.kind === "upgrade" && spa.url.server).toEqual({ kind: "default" });
  });
  it("§7.2: tftp://192.168.1.5/image/sip88xx.11-0-0MPP-BN.loads (MPP, server given)", () => {
    expect(
      evaluateUpgradeRule("tftp://192.168.1.5/image/sip88xx.11-0-0MPP-BN.loads", v, {
        family: "mpp",
      }).kind,
    ).toBe("upgrade");
  });
  it("§7.2: options are a syntax error → skipped", () => {
    expect(evaluateUpgradeRule("[--key k] http://h/fw.bin", v)).toMatchObject({
      kind: "skip",
      reason: "syntax-error",
    });
  });
  it("§7.3: the selecting condition is returned for Sipura loop protection", () => {
    const r = evaluateUpgradeRule(
      "($SWVER ne 5.2.12)? http://prov.example.com/fw/spa2102-5-2-12.bin",
      v,
    );
    expect(r.kind === "upgrade" && r.condition?.comparisons).toHaveLength(1);
  });
});

describe("§8.4 Report_Rule evaluation", () => {
  it("§8.4: [ --key secretphrase ] http://… → HTTP POST, encrypted with the key", () => {
    const r = evaluateReportRule(
      "[ --key secretphrase ] http://prov.serv.net/spa/$MA/rep.xml.enc",
      v,
    );
    expect(r.kind === "report" && r.uploads).toEqual([
      {
        url: expect.objectContaining({ scheme: "http", path: "/spa/000e08012345/rep.xml.enc" }),
        transfer: "http-post",
        content: "config",
        key: "secretphrase",
        targetIndex: 0,
        alternativeIndex: 0,
      },
    ]);
  });
  it("§8.4: tftp target → TFTP PUT", () => {
    const r = evaluateReportRule("[ --key $SA ] tftp://ps.callhome.net/$MA/rep.xml.enc", v);
    expect(r.kind === "report" && r.uploads[0]).toMatchObject({
      transfer: "tftp-put",
      key: "Secret!",
    });
  });
  it("§8.4: --delta with $PN_$MA_$SN.xml", () => {
    const r = evaluateReportRule(
      "[ --delta ] http://reportTargetServer/reportPath/$PN_$MA_$SN.xml",
      v,
    );
    expect(r.kind === "report" && r.uploads[0]).toMatchObject({
      content: "delta",
      url: { path: "/reportPath/SPA2102_000e08012345_88012BA01234.xml" },
    });
  });
  it("§4.5.5: two targets: delta config and status", () => {
    const r = evaluateReportRule(
      "[--delta]http://my_http_server/config-525.xml; [--status]http://my_http_server/status-525.xml",
      v,
    );
    expect(r.kind === "report" && r.uploads.map((u) => [u.content, u.url.path])).toEqual([
      ["delta", "/config-525.xml"],
      ["status", "/status-525.xml"],
    ]);
  });
  it("§C.2: [--key $SA] http://prov.example.com/report/$MA.xml.enc", () => {
    const r = evaluateReportRule("[--key $SA] http://prov.example.com/report/$MA.xml.enc", v);
    expect(r.kind === "report" && r.uploads[0]?.key).toBe("Secret!");
  });
  it("a target with 300,000 assignments is evaluated, not a RangeError (evaluators never throw)", () => {
    const r = evaluateReportRule(`http://h/x; (${'a="x";'.repeat(300_000)})! http://h/y`, v);
    expect(r.kind === "report" && [r.uploads.length, r.assignments.length]).toEqual([2, 300_000]);
  });
  it("§8.4: empty Report_Rule is skipped", () => {
    expect(evaluateReportRule("", v)).toMatchObject({ kind: "skip", reason: "empty" });
  });
});

describe("§4.7 / §6.2.6 Resync_Trigger_n evaluation", () => {
  const trigger = "$REGTMR1 gt 300 and $PRVTMR ge 600";
  it("§6.2.6 / §6.10: line 1 unregistered 6 min, last resync 11 min ago → true", () => {
    const w = fixtureVars({}, { timers: { regtmr: [360], prvtmr: 660 } });
    expect(evaluateResyncTrigger(trigger, w)).toEqual({
      active: true,
      value: true,
      diagnostics: [],
    });
  });
  it("§6.2.6: registered line → false", () => {
    const w = fixtureVars({}, { timers: { regtmr: [0], prvtmr: 660 } });
    expect(evaluateResyncTrigger(trigger, w).value).toBe(false);
  });
  it("§6.2.6 MPP example: $UPGTMR gt 300 and $PRVTMR ge 600", () => {
    const w = fixtureVars({}, { timers: { upgtmr: 301, prvtmr: 600 } });
    expect(
      evaluateResyncTrigger("$UPGTMR gt 300 and $PRVTMR ge 600", w, { family: "mpp" }).value,
    ).toBe(true);
  });
  it("§4.7: empty ⇒ inactive; # comment ⇒ inactive", () => {
    expect(evaluateResyncTrigger("", v)).toEqual({ active: false, value: false, diagnostics: [] });
    expect(evaluateResyncTrigger("# $PRVTMR ge 600", v).active).toBe(false);
  });
  it("§6.2.6: parse errors ⇒ false with a diagnostic", () => {
    const r = evaluateResyncTrigger("($PRVTMR ge 600)?", v);
    expect(r.active).toBe(true);
    expect(r.value).toBe(false);
    expect(r.diagnostics[0]?.code).toBe("RULE_SYNTAX");
  });
});

describe("parameter names", () => {
  it("ruleKindOf maps parameter names to rule kinds", () => {
    expect(
      [
        "Profile_Rule",
        "Profile_Rule_D",
        "Upgrade_Rule",
        "Report_Rule",
        "Resync_Trigger_2",
        "GPP_A",
      ].map(ruleKindOf),
    ).toEqual(["profile", "profile", "upgrade", "report", "trigger", undefined]);
  });
});
