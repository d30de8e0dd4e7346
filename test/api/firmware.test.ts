/**
 * The firmware API over a real admin listener: uploads verified against their checksum
 * (refusals audited, nothing stored), policies checked as a path of one family, rollouts
 * started, shown per wave, aborted — and another tenant's token sees none of it.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMac } from "../../src/store/index.ts";
import { startApi, type TestApi } from "./helpers.ts";

let api: TestApi;
let otherToken: string;
const IMAGE = Buffer.from("PRVFW1\n{}\nnot really an image, and the server does not care");
const SHA = createHash("sha256").update(IMAGE).digest("hex");

function upload(query: string, body: Buffer = IMAGE, token = api.tokens.admin) {
  return fetch(`${api.url}/api/v1/firmware?${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body,
  });
}

beforeAll(async () => {
  api = await startApi();
  const other = await api.store.tenants.create({ slug: "other", name: "Other" });
  otherToken = (await api.store.tokens.issue({ name: "o", role: "admin", tenantId: other.id }))
    .secret;
  await api.store.models.upsert({ pn: "SPA962", psn: "962", family: "spa", lines: 6 });
  await api.store.devices.bulkUpsert(
    ["000e08aa0001", "000e08aa0002", "000e08aa0003"].map((m) => ({
      mac: parseMac(m),
      modelPn: "SPA962",
    })),
  );
});

afterAll(async () => {
  await api?.close();
});

describe("firmware images", () => {
  it("an upload whose bytes match its checksum is stored and listed", async () => {
    const res = await upload(
      `version=7.5.5&models=SPA962,962&fileName=spa962-7.5.5.bin&sha256=${SHA}`,
    );
    expect(res.status).toBe(201);
    const image = await res.json();
    expect(image).toMatchObject({
      version: "7.5.5",
      models: ["SPA962", "962"],
      path: "/firmware/spa962-7.5.5.bin",
      sha256: SHA,
      bytes: IMAGE.length,
    });
    const list = await api.request("GET", "/api/v1/firmware");
    expect(list.body.map((i: { fileName: string }) => i.fileName)).toEqual(["spa962-7.5.5.bin"]);
  });

  it("a checksum mismatch is refused, stores nothing and is audited", async () => {
    const wrong = "0".repeat(64);
    const res = await upload(
      `version=7.5.6&models=SPA962&fileName=spa962-7.5.6.bin&sha256=${wrong}`,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "SERVER_FIRMWARE_CHECKSUM_MISMATCH",
    );
    const audit = await api.store.audit.list({ limit: 10 });
    const entry = audit.find((a) => a.action === "firmware.refused");
    expect(entry?.after).toMatchObject({ reason: "checksum", fileName: "spa962-7.5.6.bin" });
    expect((await api.store.firmware.listImages()).map((i) => i.version)).toEqual(["7.5.5"]);
  });

  it("a version units do not report, a path in the name: refused", async () => {
    const v = await upload(`version=latest&models=SPA962&fileName=x.bin&sha256=${SHA}`);
    expect(v.status).toBe(400);
    expect(((await v.json()) as { error: { code: string } }).error.code).toBe(
      "SERVER_FIRMWARE_INVALID",
    );
    const p = await upload(`version=7.5.7&models=SPA962&fileName=..%2Fx.bin&sha256=${SHA}`);
    expect(p.status).toBe(400);
  });

  it("another tenant's token neither sees nor removes the image", async () => {
    const list = await api.request("GET", "/api/v1/firmware", { token: otherToken });
    expect(list.body).toEqual([]);
    const [image] = await api.store.firmware.listImages();
    const del = await api.request("DELETE", `/api/v1/firmware/${image!.id}`, { token: otherToken });
    expect(del.status).toBe(404);
  });

  it("another tenant's token uploads a name this tenant uses: its own image, each lists its own", async () => {
    const res = await upload(
      `version=7.5.5&models=SPA962&fileName=spa962-7.5.5.bin&sha256=${SHA}`,
      IMAGE,
      otherToken,
    );
    expect(res.status).toBe(201);
    const theirs = (await res.json()) as { id: string; tenant: string };
    // The installation-wide token sees both; asked for the default tenant, its own only.
    const mine = await api.request("GET", "/api/v1/firmware?tenant=default");
    const listed = await api.request("GET", "/api/v1/firmware", { token: otherToken });
    expect(listed.body.map((i: { id: string }) => i.id)).toEqual([theirs.id]);
    expect(mine.body.map((i: { id: string }) => i.id)).not.toContain(theirs.id);
    // The same name again in that tenant: a conflict, about its own image only.
    const again = await upload(
      `version=7.5.5&models=SPA962&fileName=spa962-7.5.5.bin&sha256=${SHA}`,
      IMAGE,
      otherToken,
    );
    expect(again.status).toBe(409);
  });
});

describe("octet-stream body limit", () => {
  // The image parser's 256 MiB limit belongs to the upload route alone; any other route keeps
  // the admin listener's 1 MiB, so an octet-stream body cannot make it buffer 256 MiB.
  const BIG = Buffer.alloc(2 * 1024 * 1024, 7);

  it("another route refuses a 2 MiB octet-stream body with 413", async () => {
    const res = await fetch(`${api.url}/api/v1/rollouts`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${api.tokens.admin}`,
        "content-type": "application/octet-stream",
      },
      body: BIG,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "API_BODY_TOO_LARGE",
    );
  });

  it("the upload route still takes an image over 1 MiB", async () => {
    const sha = createHash("sha256").update(BIG).digest("hex");
    const res = await upload(
      `version=7.5.9&models=SPA962&fileName=spa962-big-7.5.9.bin&sha256=${sha}`,
      BIG,
    );
    expect(res.status).toBe(201);
    expect(((await res.json()) as { bytes: number }).bytes).toBe(BIG.length);
  });
});

describe("policies and rollouts", () => {
  it("a policy whose intermediate is not below the target is refused and audited", async () => {
    const res = await api.request("PUT", "/api/v1/upgrade-policies", {
      body: { name: "bad", target: "7.5.5", intermediates: ["7.6.2"] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("SERVER_ROLLOUT_INVALID");
    const mixed = await api.request("PUT", "/api/v1/upgrade-policies", {
      body: { name: "mixed", target: "sip88xx.12-0-1MPP-10", intermediates: ["7.5.5"] },
    });
    expect(mixed.status).toBe(400);
    const audit = await api.store.audit.list({ limit: 10 });
    expect(audit.filter((a) => a.action === "upgrade-policy.refused")).toHaveLength(2);
  });

  it("a rollout over the policy's units, with its progress per wave; abort by hand", async () => {
    const policy = await api.request("PUT", "/api/v1/upgrade-policies", {
      body: { name: "to-755", target: "7.5.5", model: "SPA962", staged: true },
    });
    expect(policy.status).toBe(200);
    const started = await api.request("POST", "/api/v1/rollouts", {
      body: { policy: policy.body.id, waves: [34, 100], failureThreshold: 50 },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ state: "running", wave: 1, target: "7.5.5" });
    expect(started.body.progress).toEqual([
      {
        wave: 1,
        percent: 34,
        size: 2,
        waiting: 2,
        offered: 0,
        upgraded: 0,
        failed: 0,
        unreached: 0,
      },
      {
        wave: 2,
        percent: 100,
        size: 1,
        waiting: 1,
        offered: 0,
        upgraded: 0,
        failed: 0,
        unreached: 0,
      },
    ]);
    // Another tenant cannot look at it or stop it.
    const peek = await api.request("GET", `/api/v1/rollouts/${started.body.id}`, {
      token: otherToken,
    });
    expect(peek.status).toBe(404);
    const again = await api.request("POST", "/api/v1/rollouts", {
      body: { policy: policy.body.id },
    });
    expect(again.status).toBe(400);
    // An operator halts it (a second halt is refused), then resumes it.
    const halt = await api.request("POST", `/api/v1/rollouts/${started.body.id}/halt`);
    expect(halt.status).toBe(200);
    expect(halt.body).toMatchObject({
      state: "halted",
      reason: expect.stringContaining("halted by"),
    });
    const haltAgain = await api.request("POST", `/api/v1/rollouts/${started.body.id}/halt`);
    expect(haltAgain.status).toBe(400);
    const resumed = await api.request("POST", `/api/v1/rollouts/${started.body.id}/resume`);
    expect(resumed.body).toMatchObject({ state: "running", reason: null });
    const abort = await api.request("POST", `/api/v1/rollouts/${started.body.id}/abort`);
    expect(abort.status).toBe(200);
    expect(abort.body.state).toBe("aborted");
    // Resuming an aborted rollout is refused, and the refusal is audited.
    const resume = await api.request("POST", `/api/v1/rollouts/${started.body.id}/resume`);
    expect(resume.status).toBe(400);
    const audit = await api.store.audit.list({ limit: 20 });
    expect(audit.some((a) => a.action === "rollout.refused")).toBe(true);
    expect(audit.some((a) => a.action === "rollout.aborted")).toBe(true);
  });
});
