import { describe, expect, it } from "vitest";
import { runCli } from "./run_cli.ts";

// `provisio rule`: how a provider debugs a rule without a phone. Examples from spec §4.8.

async function evaluate(args: string[]) {
  const r = await runCli(["rule", ...args, "--json"]);
  return {
    code: r.code,
    json: JSON.parse(r.stdout.toString()) as { outcome: Record<string, unknown> },
  };
}

describe("provisio rule", () => {
  it("§4.8 row 1: expands $MA and defaults the http port", async () => {
    const { json } = await evaluate([
      "http://remote.server.com/cisco/$MA.cfg",
      "--mac",
      "00:0E:08:01:23:45",
    ]);
    expect(json.outcome).toMatchObject({
      action: "fetch",
      method: "GET",
      url: "http://remote.server.com:80/cisco/000e08012345.cfg",
    });
  });

  it("§4.8 row 4: the unprovisioned unit disables line 1 and fetches init-prov", async () => {
    const rule =
      '("$A" ne "Provisioned")? (Line_Enable_1_ = "No";)! https://p.tel.com/init-prov | https://p.tel.com/configs';
    const first = await evaluate([rule]);
    expect(first.json.outcome).toMatchObject({
      action: "fetch",
      url: "https://p.tel.com:443/init-prov",
      assignments: [{ name: "Line_Enable_1_", value: "No" }],
    });
    const later = await evaluate([rule, "--param", "GPP_A=Provisioned"]);
    expect(later.json.outcome).toMatchObject({
      action: "fetch",
      url: "https://p.tel.com:443/configs",
      assignments: [],
    });
  });

  it("§4.8 row 2: --post a when registration is lost (REGTMR1 via --var)", async () => {
    const rule =
      "($REGTMR1 eq 0)? http://p.tel.com/has-reg.cfg | [--post a] http://p.tel.com/lost-reg?";
    const lost = await evaluate([rule, "--var", "REGTMR1=600", "--param", "GPP_A=state"]);
    expect(lost.json.outcome).toMatchObject({
      action: "fetch",
      method: "POST",
      post: { param: "GPP_A", body: "state" },
    });
    const registered = await evaluate([rule, "--var", "REGTMR1=0"]);
    expect(registered.json.outcome).toMatchObject({
      method: "GET",
      url: "http://p.tel.com:80/has-reg.cfg",
    });
  });

  it("§3.6.5: $SA expands inside --key only", async () => {
    const { json } = await evaluate(["[--key $SA] http://h/$SA.cfg", "--param", "GPP_SA=Sekrit"]);
    expect(json.outcome).toMatchObject({ key: "Sekrit", url: "http://h:80/$SA.cfg" });
  });

  it("§4.3.1: Upgrade_Rule with a version condition, as --as Upgrade_Rule", async () => {
    const rule = "($SWVER lt 7.5.5)? http://fw.example.com/spa-7-5-5.bin";
    const old = await evaluate([rule, "--as", "Upgrade_Rule", "--swver", "7.4.8a"]);
    expect(old.json.outcome).toMatchObject({
      action: "upgrade",
      url: "http://fw.example.com:80/spa-7-5-5.bin",
    });
    const current = await evaluate([rule, "--as", "Upgrade_Rule", "--swver", "7.5.5"]);
    expect(current.json.outcome).toMatchObject({ action: "skip", reason: "no-condition-true" });
  });

  it("§4.8 last row: a commented-out rule is skipped; a syntax error is skipped and exits 1", async () => {
    expect((await evaluate(["# http://192.168.1.200/sample.cfg"])).json.outcome).toMatchObject({
      action: "skip",
    });
    const bad = await runCli(["rule", "http://a/x | http://b/y"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout.toString()).toContain("RULE_SYNTAX");
  });

  it("a syntax error reads like a compiler's: parameter:line:col, message, code, and a caret", async () => {
    const r = await runCli(["rule", "http://a/x y"]);
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toBe(
      [
        "skip     (syntax-error)",
        '  Profile_Rule:1:12: unexpected "y" (alternatives are separated by `|`) [RULE_SYNTAX]',
        "    http://a/x y",
        "               ^",
        "",
      ].join("\n"),
    );
    // A rule value spanning lines (as XML may carry it) points into the right line.
    const multi = await runCli(["rule", "(1 eq 1)? /a\n| /b |", "--as", "Profile_Rule_B"]);
    expect(multi.stdout.toString()).toContain(
      "  Profile_Rule_B:2:7: empty alternative [RULE_SYNTAX]\n    | /b |\n          ^\n",
    );
  });

  it("prints a readable summary without --json, naming the default server", async () => {
    const r = await runCli([
      "rule",
      "(<1.0)?/pre-rel.cfg | /curr.cfg",
      "--swver",
      "2.0.6(b)",
      "--server",
      "192.0.2.10",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain("fetch  GET tftp://192.0.2.10:69/curr.cfg");
  });
});
