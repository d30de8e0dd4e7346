import { describe, expect, it } from "vitest";
import { runCli } from "./run_cli.ts";

// `provisio rule`: the defects found in review (issue 11).

async function rule(args: string[]) {
  const r = await runCli(["rule", ...args]);
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

describe("provisio rule (review fixes)", () => {
  it("Report_Rule output separates the transfer from the URL", async () => {
    const r = await rule([
      "http://prov.example.com/report ; tftp.example.com/r.xml",
      "--as",
      "Report_Rule",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  http-post http://prov.example.com:80/report (config)");
    expect(r.stdout).toContain("  tftp-put  tftp://tftp.example.com:69/r.xml (config)");
    expect(r.stdout).not.toMatch(/http-posthttp/);
  });

  it("--param Transport_Protocol sets the scheme of a URL written without one; --scheme wins", async () => {
    const viaParam = await rule([
      "prov.example.com/spa$MA.cfg",
      "--param",
      "Transport_Protocol=http",
      "--json",
    ]);
    expect(JSON.parse(viaParam.stdout).outcome).toMatchObject({
      scheme: "http",
      url: "http://prov.example.com:80/spa000e08012345.cfg",
    });
    const explicit = await rule([
      "prov.example.com/spa.cfg",
      "--param",
      "Transport_Protocol=http",
      "--scheme",
      "https",
      "--json",
    ]);
    expect(JSON.parse(explicit.stdout).outcome).toMatchObject({ scheme: "https" });
    // A URL with a scheme keeps it.
    const written = await rule([
      "tftp://prov.example.com/spa.cfg",
      "--param",
      "Transport_Protocol=https",
      "--json",
    ]);
    expect(JSON.parse(written.stdout).outcome).toMatchObject({ scheme: "tftp" });
    const bad = await rule(["/spa.cfg", "--param", "Transport_Protocol=ftp"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Transport_Protocol=ftp: expected tftp, http or https");
  });

  it("MPP triggers are printed as gates, SPA triggers as triggers", async () => {
    const trigger = "$REGTMR1 gt 300 and $PRVTMR ge 600";
    const vars = ["--var", "REGTMR1=600", "--var", "PRVTMR=900"];
    const mpp = await rule([trigger, "--as", "Resync_Trigger_1", "--family", "mpp", ...vars]);
    expect(mpp.code).toBe(0);
    expect(mpp.stdout).toMatch(/^gate {5}true: a due scheduled resync proceeds/);
    expect(mpp.stdout).not.toContain("true: resync");
    const mppFalse = await rule([
      trigger,
      "--as",
      "Resync_Trigger_1",
      "--family",
      "mpp",
      "--var",
      "REGTMR1=0",
    ]);
    expect(mppFalse.stdout).toMatch(/^gate {5}false: a due scheduled resync is skipped/);
    const spa = await rule([trigger, "--as", "Resync_Trigger_1", ...vars]);
    expect(spa.stdout).toMatch(/^trigger {2}true: resync now/);
    const json = await rule([trigger, "--as", "Resync_Trigger_2", "--family", "mpp", "--json"]);
    expect(JSON.parse(json.stdout).outcome).toMatchObject({ action: "trigger", role: "gate" });
  });

  it("an unknown --var name is refused, with the upper-case spelling when that is it", async () => {
    const typo = await rule(["/spa.cfg", "--var", "REGTMR=5"]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("--var REGTMR: not a macro variable a device has");
    const lower = await rule(["/spa.cfg", "--var", "regtmr1=5"]);
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain("did you mean REGTMR1?");
    for (const known of ["A=x", "SA=k", "UID1=u", "REGTMR2=0", "SWVER=7.5.5", "ERR=x"]) {
      expect((await rule(["/spa.cfg", "--var", known])).code).toBe(0);
    }
  });

  it("a non-numeric timer value is refused", async () => {
    for (const bad of ["PRVTMR=abc", "UPGTMR=-5", "REGTMR1=1.5", "REGTMR2="]) {
      const r = await rule(["$PRVTMR gt 1", "--as", "Resync_Trigger_1", "--var", bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("a timer is a whole number of seconds");
    }
  });
});
