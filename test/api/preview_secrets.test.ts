/**
 * The layer editor's preview must not be an oracle for secrets: whether a proposed value
 * equals a SIP password (or a template's output that read one) is what a guesser wants to
 * know, and a read-only token can ask the preview as often as it likes. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, type Fresh } from "../store/dialects.ts";
import { startApi, type TestApi } from "./helpers.ts";

const PASSWORD = "pw-4711-Secret";

for (const dialect of dialects()) {
  describe(`layer preview and secrets (${dialect.name})`, () => {
    let fresh: Fresh;
    let api: TestApi;
    const mac = "000e08d00d01";

    beforeAll(async () => {
      fresh = await dialect.fresh();
      api = await startApi({ store: fresh.options });
      await api.request("PUT", "/api/v1/models/SPA962", { body: { family: "spa", lines: 2 } });
      expect(
        (
          await api.request("POST", "/api/v1/accounts", {
            body: { reference: "4711", lines: [{ line: 1, userId: "4711", password: PASSWORD }] },
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await api.request("POST", "/api/v1/devices", {
            body: { mac, model: "SPA962", account: "4711" },
          })
        ).status,
      ).toBe(201);
      const layer = await api.request("PATCH", `/api/v1/devices/${mac}/layer`, {
        body: { set: [{ name: "Admin_Passwd", value: "adm-9876" }] },
      });
      expect(layer.status).toBe(200);
      const tenant = await api.request("PATCH", "/api/v1/tenants/default/layer", {
        body: { set: [{ name: "Station_Name", value: "Lobby" }] },
      });
      expect(tenant.status).toBe(200);
    });
    afterAll(async () => {
      await api.close();
      await fresh.dispose();
    });

    const preview = async (set: { name: string; value: string }[]) => {
      const res = await api.request("POST", "/api/v1/layers/preview", {
        token: api.tokens.readOnly,
        body: { target: { scope: "device", mac }, set },
      });
      return { status: res.status, body: res.body };
    };

    it("still tells a change of an ordinary value from none", async () => {
      const same = await preview([{ name: "Station_Name", value: "Lobby" }]);
      const other = await preview([{ name: "Station_Name", value: "Hall" }]);
      expect(same.body).toMatchObject({ changed: 0 });
      expect(other.body).toMatchObject({ changed: 1, macs: [mac] });
    });

    // Station_Name is "Lobby": the first template keeps it only when the guess is right, the
    // second fails (too many steps) only then.
    const keeps = (guess: string) =>
      `{% if account.line1.password contains "${guess}" %}Lobby{% else %}x{% endif %}`;
    const fails = (guess: string) =>
      `{% if account.line1.password contains "${guess}" %}{% for i in (1..30000) %}{% endfor %}{% endif %}Lobby`;
    it.each([
      ["a SIP password", "Password_1_", PASSWORD, "not-the-password"],
      ["a secret layer value", "Admin_Passwd", "adm-9876", "adm-0000"],
      ["a template's output", "Station_Name", keeps("pw-4711"), keeps("pw-0000")],
      ["a template's failure", "Station_Name", fails("pw-4711"), fails("pw-0000")],
    ])(
      "answers alike whether a guess at %s is right or wrong",
      async (_what, name, right, wrong) => {
        const answers = [
          await preview([{ name, value: right }]),
          await preview([{ name, value: wrong }]),
        ];
        expect(answers[0]!.status).toBe(200);
        expect(answers[0]).toEqual(answers[1]);
      },
    );
  });
}
