/**
 * The start-up warnings of staging: a staging tenant answers factory files (admin password
 * included) to whoever asks; without a public URL staged units are sent to the TFTP server
 * DHCP names. No staging tenant, no warning.
 */
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { expect, it } from "vitest";
import { startTestNode, tempDir } from "./helpers.ts";

async function startUpLines(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  const node = await startTestNode(dataDir, {}, { logger: pino({ level: "info" }, sink) }, env);
  await node.close();
  return lines;
}

const staging = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => String(l.msg).startsWith("staging:")).map((l) => String(l.msg));

it("warns while a tenant stages, and about a missing public URL; not once staging is off", async () => {
  const dataDir = join(tempDir("staging-warning"), "data");
  const fresh = staging(await startUpLines(dataDir));
  expect(fresh).toHaveLength(2);
  expect(fresh[0]).toContain("tenant default answers factory units' files");
  expect(fresh[1]).toContain("public.http_url / public.https_url");

  const withUrl = staging(
    await startUpLines(dataDir, { PROVISIO_PUBLIC_HTTP_URL: "http://prov.example.com" }),
  );
  expect(withUrl).toHaveLength(1);

  const first = await startTestNode(dataDir);
  await first.store.tenants.update("default", { settings: { staging: false } });
  await first.close();
  expect(staging(await startUpLines(dataDir))).toEqual([]);
}, 120_000);
