/**
 * Password hashes and the process's other work: scrypt runs on libuv's thread pool (four
 * threads), which file reads, zlib and DNS share — the device plane's firmware files and gzip
 * profiles among them. An admin (a tenant's, an attacker to every other tenant) must not be
 * able to fill that pool by creating users or setting passwords in a burst.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type TestApi } from "./helpers.ts";

const BURST = 16;

describe("a burst of password hashes", () => {
  let api: TestApi;
  let tenantAdmin = "";

  beforeAll(async () => {
    api = await startApi();
    const acme = await api.store.tenants.create({ slug: "acme", name: "Acme" });
    tenantAdmin = (
      await api.store.tokens.issue({ name: "acme admin", role: "admin", tenantId: acme.id })
    ).secret;
  });
  afterAll(() => api.close());

  it("leaves thread-pool work of the rest of the process room to run", async () => {
    let answered = 0;
    const creations = Array.from({ length: BURST }, (_, i) =>
      api
        .request("POST", "/api/v1/users", {
          token: tenantAdmin,
          body: { username: `flood${i}`, password: `a long enough password ${i}`, role: "admin" },
        })
        .then((res) => {
          answered++;
          return res.status;
        }),
    );
    // Once one user is made, every request of the burst has been read and its hash asked for.
    await Promise.race(creations);
    await promisify(gzip)(Buffer.alloc(1024, 1));
    const whenGzipped = answered;
    expect(await Promise.all(creations)).toEqual(Array(BURST).fill(201));
    // A gzip waits for a free thread; behind a burst's queued hashes it would wait for most.
    expect(whenGzipped).toBeLessThanOrEqual(BURST / 4);
  });
});
