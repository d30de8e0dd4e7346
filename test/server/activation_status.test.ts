/**
 * The customer's activation page on the device-facing listeners, over real sockets on both
 * dialects: `POST /activate/status` tells a code's state (unknown, waiting, bound, expired)
 * with its own tenant's branding and nothing else; a revoked code is an unknown one; bad
 * input is a clear 400; guesses and requests are limited per source address. The page's
 * exact paths are answered on HTTP and HTTPS; every other path, and TFTP, still reaches the
 * resync pipeline.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActivationStatus } from "../../src/server/index.ts";
import { parseMac } from "../../src/store/index.ts";
import { type E2eServer, startE2eServer } from "../e2e/provisio_server.ts";
import { curl } from "./helpers.ts";
import { nodeDialects } from "./node_dialects.ts";
import { sendFrom, tftpFirstAnswer } from "./sources.ts";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

for (const dialect of nodeDialects("t_act")) {
  describe(`the activation page's status endpoint (${dialect.name})`, () => {
    let server: E2eServer;
    let port: number;
    let acmeCode: string;
    let defaultCode: string;
    let acmeAccountRef: string;
    let acmeId: string;

    /** POST /activate/status from a chosen loopback address. */
    async function status(body: unknown, from = "127.0.0.1"): Promise<Answer> {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      const r = await sendFrom(port, "POST", "/activate/status", {
        from,
        body: raw,
        headers: { "content-type": "application/json" },
      });
      const text = r.body.toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: the test says what it expects
      }
      return { status: r.status, headers: r.headers, json, text };
    }

    beforeAll(async () => {
      server = await startE2eServer([], dialect.env);
      port = server.node.addresses.http!.port;
      const { store } = server.node;
      const acme = await store.tenants.create({
        slug: "acme",
        name: 'Acme <img src=x onerror="alert(1)">',
        settings: {
          profilePaths: ["/acme/$MA.xml"],
          brandAccent: "#FF6600",
          brandLogoText: "ACME",
        },
      });
      acmeId = acme.id;
      acmeAccountRef = "ACME-SECRET-REF";
      const acmeAccount = await store.accounts.create({
        tenantId: acme.id,
        reference: acmeAccountRef,
        lines: [{ line: 1, userId: "4085550101", password: "pw" }],
      });
      const defaultAccount = await store.accounts.create({ reference: "DEF-1", lines: [] });
      acmeCode = (await store.activationCodes.issue({ accountId: acmeAccount.id })).secret;
      defaultCode = (await store.activationCodes.issue({ accountId: defaultAccount.id })).secret;
      await server.node.cache.settled();
    }, 180_000);

    afterAll(async () => {
      await server?.close();
      await dialect.drop();
    });

    it("a waiting code: its tenant's name and branding, the init URL on this server's HTTPS listener, nothing more", async () => {
      const grouped = acmeCode.replace(/(\d{4})(?=\d)/g, "$1 ");
      const answer = await status({ code: grouped });
      expect(answer.status).toBe(200);
      expect(answer.headers["cache-control"]).toBe("no-store");
      expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(answer.json).toEqual({
        state: "waiting",
        brand: {
          name: 'Acme <img src=x onerror="alert(1)">',
          accent: "#ff6600",
          logoText: "ACME",
        },
        initUrl: `${server.https}/init/${acmeCode}`,
      });
    });

    it("branding settings are checked when written: a #rrggbb accent, a short printable logo text", async () => {
      const { store } = server.node;
      const refused = [
        { brandAccent: "red" },
        { brandAccent: "#ff6600; background: url(x)" },
        { brandLogoText: "" },
        { brandLogoText: "x".repeat(41) },
        { brandLogoText: "ACME\u202eevil" },
        { brandLogoText: "two\nlines" },
      ];
      for (const settings of refused) {
        await expect(
          store.tenants.update("default", { settings }),
          JSON.stringify(settings),
        ).rejects.toMatchObject({ code: "STORE_INVALID_SETTINGS" });
      }
      // Markup is only text: the page sets it as text.
      const acme = await store.tenants.update(acmeId, {
        settings: { brandLogoText: " <b>ACME</b> " },
      });
      expect(acme.settings.brandLogoText).toBe("<b>ACME</b>");
      await store.tenants.update(acmeId, { settings: { brandLogoText: "ACME" } });
      await server.node.cache.settled();
    });

    it("a code names only its own tenant; no account, id or MAC in any answer", async () => {
      const mine = await status({ code: defaultCode });
      const theirs = await status({ code: acmeCode });
      expect((mine.json.brand as { name: string }).name).toBe("Default");
      expect((theirs.json.brand as { name: string }).name).toContain("Acme");
      expect(mine.text).not.toContain("Acme");
      expect(mine.text).not.toContain("ff6600");
      for (const answer of [mine, theirs]) {
        expect(Object.keys(answer.json).sort()).toEqual(["brand", "initUrl", "state"]);
        expect(answer.text).not.toContain(acmeAccountRef);
        expect(answer.text).not.toMatch(/account|"id"|mac/i);
      }
    });

    it("an unknown code and a revoked one get the same bytes; a bound code says so without its MAC", async () => {
      const { store } = server.node;
      const unknown = await status({ code: "1234567890123456" }, "127.0.0.5");
      const account = await store.accounts.create({ reference: "REV-1", lines: [] });
      const revoked = await store.activationCodes.issue({ accountId: account.id });
      await store.activationCodes.revoke(revoked.code.id);
      const afterRevoke = await status({ code: revoked.secret }, "127.0.0.5");
      expect(unknown.status).toBe(200);
      expect(afterRevoke.text).toBe(unknown.text);
      expect(unknown.json).toEqual({ state: "unknown" });

      const used = await store.activationCodes.issue({ accountId: account.id });
      const mac = parseMac("000e08ad0001");
      expect(await store.activationCodes.consume(used.code.id, mac, Date.now())).toBe(true);
      const bound = await status({ code: used.secret }, "127.0.0.5");
      expect(bound.json).toEqual({
        state: "bound",
        brand: { name: "Default", accent: null, logoText: null },
      });
      expect(bound.text).not.toContain("000e08ad0001");
    });

    it("an expired code says so (the endpoint on a clock past the code's lifetime)", async () => {
      const { store } = server.node;
      const account = await store.accounts.create({ reference: "EXP-1", lines: [] });
      const issued = await store.activationCodes.issue({ accountId: account.id, ttlMs: 60_000 });
      const later = new ActivationStatus({
        store,
        tenant: (id) => server.node.cache.tenant(id),
        logger: pino({ level: "silent" }),
        now: () => issued.code.expiresAt.getTime() + 1,
      });
      const answer = await later.answer({
        transport: "http",
        method: "POST",
        path: "/activate/status",
        query: "",
        remoteAddress: "127.0.0.1",
        body: Buffer.from(JSON.stringify({ code: issued.secret })),
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(Buffer.from(answer.body!).toString())).toEqual({
        state: "expired",
        brand: { name: "Default", accent: null, logoText: null },
      });
    });

    it("bad input is a 400 that says what is expected; other methods a 405", async () => {
      const cases: [unknown, string][] = [
        ["not json", "JSON object"],
        [[acmeCode], "JSON object"],
        [{}, "JSON object"],
        [{ code: acmeCode, extra: 1 }, "JSON object"],
        [{ code: 1234567890123456 }, "JSON object"],
        [{ code: "12345" }, "10 to 32 digits"],
        [{ code: "1234abcd56789012" }, "10 to 32 digits"],
        [{ code: "1".repeat(33) }, "10 to 32 digits"],
        [JSON.stringify({ code: "1".repeat(600) }), "JSON object"],
      ];
      for (const [body, message] of cases) {
        const answer = await status(body, "127.0.0.6");
        expect(answer.status, JSON.stringify(body).slice(0, 40)).toBe(400);
        const error = answer.json.error as { code: string; message: string };
        expect(error.code).toBe("SERVER_ACTIVATION_STATUS_INVALID");
        expect(error.message).toContain(message);
      }
      const get = await sendFrom(port, "GET", "/activate/status", { from: "127.0.0.6" });
      expect(get.status).toBe(405);
      expect(get.headers.allow).toBe("POST");
    });

    it("ten unknown codes from one address, then 429 before any lookup — other addresses unaffected", async () => {
      for (let i = 0; i < 10; i++) {
        const answer = await status(
          { code: `99999999999999${String(i).padStart(2, "0")}` },
          "127.0.0.7",
        );
        expect(answer.json).toEqual({ state: "unknown" });
      }
      const limited = await status({ code: acmeCode }, "127.0.0.7");
      expect(limited.status).toBe(429);
      expect(limited.headers["retry-after"]).toBe("60");
      expect((limited.json.error as { code: string }).code).toBe(
        "SERVER_ACTIVATION_STATUS_LIMITED",
      );
      expect(limited.text).not.toContain("Acme");
      expect((await status({ code: acmeCode }, "127.0.0.8")).json.state).toBe("waiting");
    });

    it("sixty status requests a minute per address, then 429", async () => {
      for (let i = 0; i < 60; i++) {
        expect((await status({ code: acmeCode }, "127.0.0.9")).status).toBe(200);
      }
      expect((await status({ code: acmeCode }, "127.0.0.9")).status).toBe(429);
      expect((await status({ code: acmeCode }, "127.0.0.10")).status).toBe(200);
    });

    it("serves the page on HTTP and HTTPS at its exact paths only; TFTP and other paths reach the pipeline", async () => {
      const page = await curl([`${server.http}/activate/`]);
      expect(page.status).toBe(200);
      expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(page.headers["x-frame-options"]).toBe("DENY");
      expect(page.headers["referrer-policy"]).toBe("no-referrer");
      expect(page.body).toContain("Activation code");
      const script = /src="(\/activate\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
      expect(script).toBeDefined();
      const asset = await curl([`${server.http}${script}`]);
      expect(asset.status).toBe(200);
      expect(asset.headers["cache-control"]).toContain("immutable");

      const secure = await curl([
        "--cacert",
        server.node.boot.paths.serverCert,
        `${server.https}/activate/`,
      ]);
      expect(secure.status).toBe(200);
      expect(secure.body).toContain("Activation code");

      const bare = await sendFrom(port, "GET", "/activate");
      expect(bare.status).toBe(308);
      expect(bare.headers.location).toBe("/activate/");
      // Not one of the page's paths: the pipeline's ordinary answer.
      const other = await curl([`${server.http}/activate/other.cfg`]);
      expect(other.status).toBe(404);
      expect(other.body).toContain("no profile at this path");
      const tftp = await tftpFirstAnswer("127.0.0.1", server.tftpPort, "/activate/");
      expect(tftp.kind).toBe("error");
    });
  });
}
