import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { provisio, tempDir } from "./helpers.ts";

/** `account add --line` carries every field of a line, and `layer show --effective` shows them. */
describe("provisio account add --line: outbound proxy, voicemail id, extras", () => {
  let data: string;
  beforeAll(() => {
    data = join(tempDir("account"), "data");
  });

  it("stores them, and the device's effective configuration maps them (warning what its model lacks)", async () => {
    const added = await provisio([
      "account",
      "add",
      "--id",
      "5001",
      "-d",
      data,
      "--json",
      "--line",
      "1:user_id=5001,password=pw,outbound_proxy=sbc.example.net,voicemail_id=7001,extra.Register_Expires=600,extra.Not_A_Parameter=a\\,b",
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout).lines[0]).toMatchObject({
      line: 1,
      userId: "5001",
      outboundProxy: "sbc.example.net",
      voicemailId: "7001",
      extras: { Not_A_Parameter: "a,b", Register_Expires: "600" },
      hasPassword: true,
    });
    const device = await provisio(
      ["device", "add", "--mac", "000e08ab5001", "--model", "SPA112", "--account", "5001"].concat([
        "-d",
        data,
      ]),
    );
    expect(device.code, device.stderr).toBe(0);
    const shown = await provisio([
      "layer",
      "show",
      "--device",
      "000e08ab5001",
      "--effective",
      "-d",
      data,
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    const row = (name: string) => shown.stdout.split("\n").find((l) => l.startsWith(`${name} `));
    expect(row("Outbound_Proxy_1_")).toMatch(/sbc\.example\.net .*account:5001 line 1/);
    expect(row("Use_Outbound_Proxy_1_")).toMatch(/Yes .*account:5001 line 1/);
    expect(row("Mailbox_ID_1_")).toMatch(/7001 .*account:5001 line 1/);
    expect(row("Register_Expires_1_")).toMatch(/600 .*account:5001 line 1/);
    expect(shown.stdout).not.toContain("Not_A_Parameter");
    expect(shown.stderr).toContain(
      "warning: account:5001 line 1: extras.Not_A_Parameter left out: the model has no per-line Not_A_Parameter_1_",
    );
  }, 180_000);

  it("refuses an unknown line field, naming the extra.<Parameter> form", async () => {
    const refused = await provisio([
      "account",
      "add",
      "--id",
      "5002",
      "-d",
      data,
      "--line",
      "1:user_id=5002,mailbox=1",
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('unknown field "mailbox"');
    expect(refused.stderr).toContain("outbound_proxy, voicemail_id, extra.<Parameter>");
    const store = await provisio([
      "account",
      "add",
      "--id",
      "5003",
      "-d",
      data,
      "--line",
      "1:user_id=5003,extra.User_ID=x",
    ]);
    expect(store.code).not.toBe(0);
    expect(store.stderr).toContain("is set by the line's own fields");
  }, 180_000);
});
