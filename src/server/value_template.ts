/**
 * Value templates: a layer value may reference account and device fields,
 * e.g. `{{ account.line1.user_id }}` or `{{ device.mac | upcase }}`.
 *
 * LiquidJS is sandboxed by construction (no code execution); on top of that, the tags that
 * look a name up at render time (`include`, `render`, `layout`) do not exist here — their
 * "not found" errors would echo whatever value named them, a password included — own
 * properties only, and parse, memory and step limits stop a hostile template from spinning.
 * The step limit counts rendered nodes (LiquidJS checks its render limiter before each one):
 * a count, not a clock, so a busy or slow machine never fails a benign template.
 * A render error of a template that read a secret names no detail of the library's message. Compiled templates
 * are cached by source text, so a value shared by 100,000 devices is parsed once.
 */
import { Context, Liquid, type Template } from "liquidjs";
import type { Account, Device, DeviceModel, Tenant } from "../store/index.ts";
import { formatMac } from "../store/index.ts";
import { serverError } from "./errors.ts";

export type TemplateContext = Readonly<Record<string, unknown>>;

export interface ValueTemplateOptions {
  /** Most compiled templates kept; least recently added are dropped first. */
  readonly maxCached?: number;
}

/** True when the value needs rendering (contains `{{` or `{%`). */
export function isValueTemplate(value: string): boolean {
  return value.includes("{{") || value.includes("{%");
}

export class ValueTemplates {
  readonly #liquid: Liquid;
  readonly #cache = new Map<string, Template[]>();
  readonly #maxCached: number;

  constructor(options: ValueTemplateOptions = {}) {
    this.#maxCached = options.maxCached ?? 10_000;
    this.#liquid = new Liquid({
      templates: {},
      ownPropertyOnly: true,
      strictFilters: true,
      strictVariables: false,
      parseLimit: 16 * 1024,
      memoryLimit: 1024 * 1024,
      cache: false,
    });
    for (const tag of NAME_LOOKUP_TAGS) delete this.#liquid.tags[tag];
  }

  /** Parses (or fetches from the cache); throws `SERVER_TEMPLATE_INVALID` on a syntax error. */
  compile(source: string): Template[] {
    let templates = this.#cache.get(source);
    if (templates === undefined) {
      try {
        templates = this.#liquid.parse(source);
      } catch (error) {
        throw serverError(
          "SERVER_TEMPLATE_INVALID",
          `value template ${JSON.stringify(source.slice(0, 80))} does not parse: ${messageOf(error)}`,
          { cause: error },
        );
      }
      if (this.#cache.size >= this.#maxCached) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
      this.#cache.set(source, templates);
    }
    return templates;
  }

  /** Renders `value` when it is a template, otherwise returns it unchanged. */
  render(value: string, context: TemplateContext): string {
    if (!isValueTemplate(value)) return value;
    const templates = this.compile(value);
    const readsBefore = secretReadsOf(context);
    try {
      const out: unknown = this.#liquid.renderSync(templates, this.#context(context));
      return typeof out === "string" ? out : String(out);
    } catch (error) {
      // The library's message may quote a value it was handed; after a secret was read, that
      // value may be the secret, so neither the message nor the cause travels on.
      const secret = secretReadsOf(context) !== readsBefore;
      throw serverError(
        "SERVER_TEMPLATE_FAILED",
        `value template ${JSON.stringify(value.slice(0, 80))} failed: ${
          secret ? "while using a secret value (details withheld)" : messageOf(error)
        }`,
        secret ? {} : { cause: error },
      );
    }
  }

  /** A render context whose render limiter counts steps instead of reading the clock. */
  #context(scope: TemplateContext): Context {
    return new Context(
      scope,
      this.#liquid.options,
      { sync: true },
      {
        liquid: this.#liquid,
        renderLimit: new StepBudget(MAX_RENDER_STEPS) as unknown as Context["renderLimit"],
      },
    );
  }

  get cachedCount(): number {
    return this.#cache.size;
  }
}

const NAME_LOOKUP_TAGS = ["include", "render", "layout"] as const;

/** Rendered nodes one value may take: a benign value takes tens, a loop over lines hundreds. */
export const MAX_RENDER_STEPS = 20_000;

/** LiquidJS's render limiter shape (`check` before each node), counting calls. */
class StepBudget {
  #left: number;
  constructor(steps: number) {
    this.#left = steps;
  }
  check(): void {
    if (--this.#left < 0) {
      throw serverError("SERVER_TEMPLATE_FAILED", `more than ${MAX_RENDER_STEPS} rendering steps`);
    }
  }
  use(): void {}
}

/** Counts secret reads of one context; a symbol key, so no template can name or reach it. */
const SECRET_READS = Symbol("secretReads");
interface SecretReads {
  count: number;
}

function secretReadsOf(context: TemplateContext): number {
  return (context as { [SECRET_READS]?: SecretReads })[SECRET_READS]?.count ?? 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

export interface TemplateContextOptions {
  /**
   * Called whenever a template reads a secret (a SIP password): what it renders is then
   * itself a secret wherever it is shown (the effective configuration redacts it).
   */
  readonly onSecretRead?: () => void;
}

/**
 * The variables a template sees. Line fields use snake_case (`account.line1.user_id`);
 * `account.lines` is the list. The SIP password is revealed here because profiles carry it;
 * it is a getter, so every read of it — by any path, loop or filter — is reported.
 */
export function templateContext(
  input: {
    readonly device: Device;
    readonly tenant: Tenant;
    readonly model: DeviceModel | null;
    readonly account: Account | null;
  },
  options: TemplateContextOptions = {},
): TemplateContext {
  const { device, tenant, model, account } = input;
  const reads: SecretReads = { count: 0 };
  const lines = (account?.lines ?? []).map((l) => {
    const line = {
      line: l.line,
      user_id: l.userId,
      auth_id: l.authId ?? l.userId,
      display_name: l.displayName ?? "",
      proxy: l.proxy ?? "",
      outbound_proxy: l.outboundProxy ?? "",
      voicemail_id: l.voicemailId ?? "",
      extras: { ...l.extras },
    };
    return Object.defineProperty(line, "password", {
      enumerable: true,
      get: () => {
        reads.count++;
        options.onSecretRead?.();
        return l.password?.reveal() ?? "";
      },
    });
  });
  const accountVars: Record<string, unknown> | null =
    account === null
      ? null
      : { id: account.id, reference: account.reference, name: account.name ?? "", lines };
  if (accountVars !== null) {
    for (const l of lines) accountVars[`line${l.line}`] = l;
  }
  const context = {
    device: variablesOf(RECORD_VARIABLES.device, device),
    model: model === null ? null : variablesOf(RECORD_VARIABLES.model, model),
    tenant: variablesOf(RECORD_VARIABLES.tenant, tenant),
    account: accountVars,
  };
  Object.defineProperty(context, SECRET_READS, { value: reads, enumerable: false });
  return context;
}

/**
 * The variables of the device, its model and its tenant (`device.serial`, `model.pn`, …), each
 * read from its record: `templateContext` builds them all, the renderer reads the few a plain
 * template prints without building the context.
 */
export const RECORD_VARIABLES = {
  device: {
    mac: (d: Device) => d.mac,
    mac_upper: (d: Device) => d.mac.toUpperCase(),
    mac_colon: (d: Device) => formatMac(d.mac),
    serial: (d: Device) => d.serial ?? "",
    model: (d: Device) => d.modelPn ?? "",
    label: (d: Device) => d.label ?? "",
    state: (d: Device) => d.state,
  },
  model: {
    pn: (m: DeviceModel) => m.pn,
    psn: (m: DeviceModel) => m.psn ?? "",
    family: (m: DeviceModel) => m.family,
    lines: (m: DeviceModel) => m.lines,
  },
  tenant: {
    id: (t: Tenant) => t.id,
    slug: (t: Tenant) => t.slug,
    name: (t: Tenant) => t.name,
  },
} as const;

function variablesOf<R>(
  variables: Readonly<Record<string, (record: R) => unknown>>,
  record: R,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in variables) out[name] = variables[name]!(record);
  return out;
}
