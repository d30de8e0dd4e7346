/**
 * The redirect and activation commands as an operator runs them: a redirect profile, a MAC
 * file registered with progress (bad lines named, another provider's MAC left alone), the
 * status list, a transfer; an activation code shown once with the device-side URL.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openInstallation } from "../../src/cli/installation.ts";
import { parseMac } from "../../src/store/index.ts";
import { provisio, tempDir } from "./helpers.ts";

describe("provisio redirect / activation", () => {
  it("registers a file of MACs, lists their status, transfers one; issues an activation code once", async () => {
    const dir = tempDir("redirect");
    const data = ["--data", join(dir, "data")];
    const run = async (...args: string[]) => provisio([...args, ...data], { cwd: dir });

    // Set-up in-process on the same installation (the CLI's own opener); the commands under
    // test run as the operator would run them.
    const setup = await openInstallation({ data: join(dir, "data") });
    try {
      const { store } = setup;
      for (const slug of ["acme", "beta"]) {
        const t = await store.tenants.create({ slug, name: slug });
        if (slug === "beta") {
          await store.redirects.setProfile({
            tenantId: t.id,
            name: "default",
            profileRule: "https://prov.beta.example/$MA.xml",
          });
          await store.redirects.register(t.id, "default", [parseMac("000e08ff0003")]);
        }
      }
      await store.accounts.create({ reference: "R-7" });
    } finally {
      await setup.close();
    }
    const bad = await run(
      "redirect",
      "profile",
      "default",
      "--tenant",
      "acme",
      "--domains",
      "a.example,b.example,c.example,d.example,e.example,f.example",
      "--profile-rule",
      "https://a.example/$MA.xml",
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("at most 5");
    const ok = await run(
      "redirect",
      "profile",
      "default",
      "--tenant",
      "acme",
      "--domains",
      "acme.example",
      "--dns",
      "192.0.2.53",
      "--resync-periodic",
      "30",
      "--profile-rule",
      "https://prov.acme.example/profile/$MA.xml",
    );
    expect(ok.code, ok.stderr).toBe(0);

    const file = join(dir, "shipment.csv");
    writeFileSync(
      file,
      "serial,mac\nS1,00:0e:08:ff:00:01\nS2,000E08FF0002\nS3,not-a-mac\nS4,000e08ff0003\n",
    );
    const added = await run(
      "redirect",
      "add",
      "--file",
      file,
      "--tenant",
      "acme",
      "--profile",
      "default",
    );
    expect(added.code).toBe(1);
    expect(added.stdout).toContain(
      "2 registered, 0 unchanged, 1 held by another provider, 1 unreadable",
    );
    expect(added.stderr).toContain("line 4: not a MAC address");
    expect(added.stderr).toContain("registered 3/3");
    expect(added.stderr).not.toContain("beta");

    const list = await run("redirect", "list", "--tenant", "acme");
    expect(list.stdout).toMatch(/000e08ff0001\s+acme\s+default\s+Open/);
    expect(list.stdout).not.toContain("000e08ff0003");

    expect(
      (await run("redirect", "transfer", "000e08ff0003", "--to", "acme", "--profile", "default"))
        .code,
    ).toBe(0);
    const show = await run("redirect", "show", "000e08ff0003");
    expect(show.stdout).toMatch(/tenant\s+acme/);
    expect(show.stdout).toContain("redirect.transfer");
    expect((await run("redirect", "status", "000e08ff0003", "acquired")).stdout).toContain(
      "Acquired",
    );

    // Granted ranges: the installation's commands; two providers' ranges never overlap.
    const granted = await run("redirect", "grant", "acme", "000e08ff00", "--note", "PO 7");
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toContain("granted 000e08ff0000-000e08ff00ff (256 MACs) to acme");
    const overlap = await run("redirect", "grant", "beta", "000e08ff0080-000e08ff0100");
    expect(overlap.code).not.toBe(0);
    expect(overlap.stderr).toContain("overlaps 000e08ff0000-000e08ff00ff");
    expect((await run("redirect", "grant", "beta", "0e08")).stderr).toContain("not a MAC range");
    const grants = await run("redirect", "grants");
    expect(grants.stdout).toMatch(/acme\s+000e08ff0000\s+000e08ff00ff\s+256\s+PO 7/);
    const id = /granted .* grant (\S+)/.exec(granted.stdout)?.[1];
    const revoked = await run("redirect", "revoke", id!);
    expect(revoked.stdout, revoked.stderr).toContain("revoked 000e08ff0000");
    expect((await run("redirect", "grants")).stdout).not.toContain("000e08ff0000");

    const issued = await run("activation", "issue", "R-7", "--server", "https://prov.example.com");
    expect(issued.code, issued.stderr).toBe(0);
    const code = /activation code for account R-7: (\d{16})/.exec(issued.stdout)?.[1];
    expect(code).toBeDefined();
    expect(issued.stdout).toContain(
      `http://DEVICE/admin/resync?https://prov.example.com/init/${code}`,
    );
    const codes = await run("activation", "list", "R-7");
    expect(codes.stdout).toContain("active");
    expect(codes.stdout).not.toContain(code);
  }, 600_000);
});
