import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

/** A fresh installation through the real CLI: built-in models, per-model checks, --allow-unknown. */
describe("provisio model and layer on a fresh installation", () => {
  let data: string;

  beforeAll(async () => {
    data = join(tempDir("models"), "data");
    // The first command creates the installation.
    const first = await provisio(["model", "list", "-d", data]);
    expect(first.code, first.stderr).toBe(0);
  }, 120_000);

  it("lists every catalogue model with PSN, family, lines, FXS ports, line keys and factory rule", async () => {
    const list = await provisio(["model", "list", "-d", data]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/FACTORY PROFILE_RULE/);
    expect(list.stdout).toMatch(/SPA2102\s+2102\s+spa-ata\s+2\s+2\s+0\s+\/spa2102\.cfg\s+built-in/);
    expect(list.stdout).toMatch(/CP-8851-3PCC\s+8851\s+mpp-phone\s+10\s+0\s+10\s+\/8851\.xml/);
    expect(list.stdout).toMatch(/ATA192-MPP\s+192\s+mpp-ata\s+2\s+2\s+0\s+\/ata192\.cfg/);
    expect(list.stdout).toMatch(/SPA-2000\s+2000\s+sipura\s+2\s+2\s+0\s+\/spa\.cfg/);
    expect(list.stdout.trim().split("\n")).toHaveLength(1 + 22);
  });

  it("adds a device of a built-in model without a warning", async () => {
    const added = await provisio([
      "device",
      "add",
      "--mac",
      "000e08cc2102",
      "--model",
      "SPA2102",
      "-d",
      data,
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).not.toContain("warning");
  });

  it("refuses Line_Enable_3_ on a 2-line ATA and Extension_7_ on a 4-key phone, with the limits", async () => {
    const ata = await provisio([
      "layer",
      "set",
      "--model",
      "SPA2102",
      "Line_Enable_3_=Yes",
      "-d",
      data,
    ]);
    expect(ata.code).toBe(1);
    expect(ata.stderr).toContain("SPA2102 has 2 lines (FXS ports)");
    const device = await provisio([
      "layer",
      "set",
      "--device",
      "000e08cc2102",
      "Proxy_3_=sip.example.net",
      "-d",
      data,
    ]);
    expect(device.code).toBe(1);
    expect(device.stderr).toContain("SPA2102 has 2 lines");
    const phone = await provisio([
      "layer",
      "set",
      "--model",
      "SPA504G",
      "Extension_7_=1",
      "-d",
      data,
    ]);
    expect(phone.code).toBe(1);
    expect(phone.stderr).toContain("SPA504G has 4 line keys");
    const ok = await provisio(["layer", "set", "--model", "SPA504G", "Extension_4_=4", "-d", data]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("sets everyday parameters on the tenant layer", async () => {
    const set = await provisio([
      "layer",
      "set",
      "--tenant",
      "default",
      "Time_Zone=GMT-05:00",
      "Primary_NTP_Server=pool.ntp.org",
      "Preferred_Codec_1_=G711u",
      "NAT_Keep_Alive_Enable_1_=Yes",
      "Enable_VLAN=Yes",
      "Text_Logo=ACME",
      "Voice_Mail_Number=*97",
      "Extension_1_=1",
      "RTP_Port_Min=16384",
      "Dial_Tone=350@-19,440@-19;10(*/0/1+2)",
      "-d",
      data,
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("set 10 parameters");
  });

  it("takes the catalogue's names with a hyphen", async () => {
    const set = await provisio([
      "layer",
      "set",
      "--tenant",
      "default",
      "RTP-Start-Loopback_Dynamic_Payload=113",
      "Auth_Resync-Reboot_1_:na=Yes",
      "-d",
      data,
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("set 2 parameters");
  });

  it("keeps an unknown parameter with --allow-unknown, with a warning; refuses it without", async () => {
    const refused = await provisio(["layer", "set", "Brand_New_Knob_1_=on", "-d", data]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("[API_UNKNOWN_PARAMETER]");
    const kept = await provisio([
      "layer",
      "set",
      "--allow-unknown",
      "Brand_New_Knob_1_=on",
      "-d",
      data,
    ]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain('warning: unknown parameter "Brand_New_Knob_1_"');
    const show = await provisio(["layer", "show", "-d", data]);
    expect(show.stdout).toMatch(/Brand_New_Knob_1_\s+on/);
    const unset = await provisio(["layer", "unset", "Brand_New_Knob_1_", "-d", data]);
    expect(unset.code, unset.stderr).toBe(0);
    expect((await provisio(["layer", "show", "-d", data])).stdout).not.toContain("Brand_New_Knob");
  });
});
