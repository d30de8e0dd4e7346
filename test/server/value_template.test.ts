import { describe, expect, it } from "vitest";
import { MAX_RENDER_STEPS, ValueTemplates } from "../../src/server/value_template.ts";

const context = {
  device: { mac: "000e08aabb01", mac_upper: "000E08AABB01", serial: "CCQ1234" },
  account: { line1: { user_id: "4085551234", display_name: "J. Smith" } },
};

describe("ValueTemplates (sandboxed LiquidJS)", () => {
  const templates = new ValueTemplates();

  it("renders account and device fields, and leaves plain values alone", () => {
    expect(templates.render("{{ account.line1.user_id }}", context)).toBe("4085551234");
    expect(templates.render("SEP{{ device.mac_upper }}", context)).toBe("SEP000E08AABB01");
    expect(templates.render("{{ account.line2.user_id }}", context)).toBe("");
    expect(templates.render("no template $MA", context)).toBe("no template $MA");
  });

  it("compiles a template once", () => {
    const before = templates.cachedCount;
    templates.render("{{ device.serial }}-x", context);
    templates.render("{{ device.serial }}-x", context);
    expect(templates.cachedCount).toBe(before + 1);
  });

  it("cannot reach the file system, prototypes or unknown filters", () => {
    // No tag that looks a name up exists here: refused when the template is written.
    for (const tag of ["include", "render", "layout"]) {
      expect(() => templates.render(`{% ${tag} '/etc/passwd' %}`, context)).toThrow(
        expect.objectContaining({ code: "SERVER_TEMPLATE_INVALID" }),
      );
    }
    expect(templates.render("{{ device.constructor }}{{ device.__proto__ }}", context)).toBe("");
    expect(() => templates.render("{{ device.mac | exec }}", context)).toThrow(
      expect.objectContaining({ code: "SERVER_TEMPLATE_INVALID" }),
    );
  });

  it("stops runaway templates", () => {
    expect(() => templates.render("{% for i in (1..100000000) %}x{% endfor %}", context)).toThrow(
      expect.objectContaining({ code: "SERVER_TEMPLATE_FAILED" }),
    );
  });
});

describe("ValueTemplates step limit", () => {
  const templates = new ValueTemplates();

  it("stops nested loops that allocate nothing, by counting steps (not by the clock)", () => {
    const lines = { account: { lines: Array.from({ length: 8 }, (_, i) => ({ n: i })) } };
    const nested = `${"{% for a in account.lines %}".repeat(8)}${"{% endfor %}".repeat(8)}`;
    expect(() => templates.render(nested, lines)).toThrow(
      expect.objectContaining({
        code: "SERVER_TEMPLATE_FAILED",
        message: expect.stringContaining(`more than ${MAX_RENDER_STEPS} rendering steps`),
      }),
    );
  });

  it("renders a benign loop over an account's lines however slow the machine", () => {
    const lines = { account: { lines: Array.from({ length: 16 }, (_, i) => ({ n: i })) } };
    expect(templates.render("{% for l in account.lines %}{{ l.n }},{% endfor %}", lines)).toBe(
      `${Array.from({ length: 16 }, (_, i) => i).join(",")},`,
    );
  });
});
