/**
 * Push resync against sipp (Debian sip-tester) acting as the unit, over UDP: sipp expects
 * the NOTIFY, checks its Event header, challenges with 401 Digest, verifies the answer
 * against the line's user and password (`verifyauth`) and answers 200 — or 403 when the
 * credentials are wrong. Scenario: test/fixtures/sipp/notify_digest_uas.xml.
 */
import { describe, expect, it } from "vitest";
import { type NotifyEvent, SipUdpClient } from "../../src/sip/index.ts";
import { startUas } from "./sipp_uas.ts";

async function push(port: number, event: NotifyEvent, user: string, password: string) {
  const client = await SipUdpClient.open({ bindAddress: "127.0.0.1" });
  try {
    return await client.notify({
      contact: { host: "127.0.0.1", port },
      event,
      user,
      credentials: { username: user, password },
    });
  } finally {
    await client.close();
  }
}

describe("push NOTIFY against sipp as the unit (UDP)", () => {
  it("check-sync: challenged, answered with the line's digest, accepted with 200", async () => {
    const uas = await startUas("check-sync", "4085551234", "line-Secret-9");
    const result = await push(uas.port, "check-sync", "4085551234", "line-Secret-9");
    const { code, output } = await uas.exit;
    expect(result).toMatchObject({ outcome: "accepted", status: 200, challenged: true });
    expect(code, output).toBe(0);
  }, 120_000);

  it("wrong credentials: sipp's verifyauth fails and answers 403, the push says rejected", async () => {
    const uas = await startUas("check-sync", "4085551234", "line-Secret-9");
    const result = await push(uas.port, "check-sync", "4085551234", "not-the-password");
    const { code } = await uas.exit;
    expect(result).toMatchObject({ outcome: "rejected", status: 403, challenged: true });
    expect(code).not.toBe(0);
  }, 120_000);

  it("the Event header is what was asked: sipp expecting `reboot` refuses `check-sync` with 489", async () => {
    const uas = await startUas("reboot", "4085551234", "pw");
    const wrong = await push(uas.port, "check-sync", "4085551234", "pw");
    await uas.exit;
    expect(wrong).toMatchObject({ outcome: "rejected", status: 489, challenged: false });
    const uas2 = await startUas("reboot", "4085551234", "pw");
    const right = await push(uas2.port, "reboot", "4085551234", "pw");
    expect((await uas2.exit).code).toBe(0);
    expect(right).toMatchObject({ outcome: "accepted", status: 200 });
  }, 120_000);
});
