/**
 * Secrets never reach the server log: whatever object a log call is handed — a device record,
 * an account with lines, request headers, a configuration — device keys, SIP passwords,
 * tokens, the master key, private keys and Authorization headers come out `[redacted]`.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { redactUrl } from "../../src/server/config.ts";
import { createLogger } from "../../src/server/node.ts";

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

const SECRETS = [
  "dk-SECRET-1",
  "sip-SECRET-2",
  "tok-SECRET-3",
  "mk-SECRET-4",
  "pem-SECRET-5",
  "Bearer auth-SECRET-6",
  "sip-SECRET-7",
  "cookie-SECRET-8",
  "sip-SECRET-9",
];

describe("log redaction", () => {
  it("redacts keys, passwords, tokens and Authorization headers at any usual depth", async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ logLevel: "info" }, stream);
    logger.info({ deviceKey: "dk-SECRET-1", password: "sip-SECRET-2", token: "tok-SECRET-3" }, "a");
    logger.info({ masterKey: "mk-SECRET-4", privateKeyPem: "pem-SECRET-5" }, "b");
    logger.info(
      { req: { headers: { authorization: "Bearer auth-SECRET-6", cookie: "cookie-SECRET-8" } } },
      "c",
    );
    logger.info(
      { account: { lines: [{ line: 1, userId: "1001", password: "sip-SECRET-7" }] } },
      "d",
    );
    logger.info({ lines: [{ password: "sip-SECRET-9" }] }, "e");
    logger.info({ device: { mac: "000e08aabb01", deviceKey: "dk-SECRET-1" } }, "f");
    logger.info({ request: { req: { headers: { authorization: "Bearer auth-SECRET-6" } } } }, "g");
    await new Promise((r) => setImmediate(r));
    const text = lines.join("");
    expect(lines.length).toBe(7);
    for (const secret of SECRETS) expect(text).not.toContain(secret.replace("Bearer ", ""));
    expect(text).toContain("[redacted]");
    expect(text).toContain("000e08aabb01");
  });

  it("hides the whole database password in a logged URL, even one with a raw @", () => {
    expect(redactUrl("postgres://u:p@ss@db:5432/prov")).toBe("postgres://u:***@db:5432/prov");
    expect(redactUrl("postgresql://db/prov")).toBe("postgresql://db/prov");
  });
});
