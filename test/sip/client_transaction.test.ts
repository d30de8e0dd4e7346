/**
 * The non-INVITE client transaction's timers (RFC 3261 §17.1.2.2) on a virtual clock:
 * retransmissions at T1, 2·T1, 4·T1 … capped at T2, every T2 after a provisional answer,
 * Timer F at 64·T1, and the final response ends the retransmissions.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../src/device/index.ts";
import { NonInviteClientTransaction, type SipResponse } from "../../src/sip/index.ts";

const timers = { t1: 500, t2: 4_000, t4: 5_000 };
const response = (status: number): SipResponse => ({
  kind: "response",
  status,
  reason: "x",
  headers: [],
  body: "",
});

function start() {
  const clock = new VirtualClock(0);
  const sent: number[] = [];
  let terminated = false;
  const t = new NonInviteClientTransaction({
    send: () => sent.push(clock.now()),
    clock,
    timers,
    onTerminated: () => (terminated = true),
  });
  return { clock, sent, t, isTerminated: () => terminated };
}

describe("non-INVITE client transaction", () => {
  it("retransmits at T1 doubling to T2 and times out at 64·T1 with no answer", async () => {
    const { clock, sent, t, isTerminated } = start();
    await clock.advance(64 * timers.t1);
    expect(sent).toEqual([
      0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500,
    ]);
    await expect(t.result).resolves.toEqual({ kind: "timeout", transmissions: 11 });
    expect(isTerminated()).toBe(true);
  });

  it("a provisional answer moves retransmissions to every T2; a final one stops them", async () => {
    const { clock, sent, t, isTerminated } = start();
    await clock.advance(600);
    t.receive(response(100));
    await clock.advance(10_000);
    expect(sent).toEqual([0, 500, 4_600, 8_600]);
    t.receive(response(200));
    await clock.advance(2_000);
    expect(sent).toHaveLength(4);
    const result = await t.result;
    expect(result.kind === "response" && result.response.status).toBe(200);
    // Kept for Timer K (T4) to absorb retransmitted responses, then forgotten.
    expect(isTerminated()).toBe(false);
    t.receive(response(500));
    await clock.advance(timers.t4);
    expect(isTerminated()).toBe(true);
    expect((await t.result).kind).toBe("response");
  });
});
