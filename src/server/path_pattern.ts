/**
 * Per-tenant profile paths written with the device's macros (`/profile/$MA.xml`,
 * `/spa$PSN.cfg`, `/cgi-bin/prov?mac=$MAU`), compiled once to anchored regular expressions
 * and matched against request targets to extract what the path says about the device.
 *
 * Macro syntax follows spec §5.2: `$NAME` takes the maximal run of `[A-Z0-9]`, `$(NAME)`
 * delimits explicitly, `$$` is a literal `$`, and a name that is not a macro stays literal
 * text. Only macros that identify or describe a device may appear in a path pattern; a
 * pattern using a runtime-only macro (`$IP`, `$PRVST`, …) or a substring form `$(MA:4)` is
 * rejected when compiled, so a typo fails at configuration time and not per request.
 */
import { expandMacros } from "../rules/index.ts";
import { tryParseMac } from "../store/index.ts";
import { serverError } from "./errors.ts";

/** What a matched request target says about the device. */
export interface PathFacts {
  readonly mac?: string;
  readonly serial?: string;
  readonly product?: string;
  readonly series?: string;
  readonly firmware?: string;
  /** Values of `$A`…`$P` (e.g. a random directory `$B`), by letter. */
  readonly gpp?: Readonly<Record<string, string>>;
}

type Fact = "mac" | "serial" | "product" | "series" | "firmware" | "gpp";

interface MacroSpec {
  readonly regex: string;
  readonly fact: Fact;
  /** Turns the captured text into the fact's value; `undefined` rejects the match. */
  readonly normalize: (captured: string) => string | undefined;
}

const HEX12 = "[0-9a-fA-F]{12}";
const same = (s: string): string => s;
const MACROS: Readonly<Record<string, MacroSpec>> = {
  MA: { regex: HEX12, fact: "mac", normalize: tryParseMac },
  MAU: { regex: HEX12, fact: "mac", normalize: tryParseMac },
  MAC: { regex: "[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}", fact: "mac", normalize: tryParseMac },
  SN: { regex: "[A-Za-z0-9]{1,32}", fact: "serial", normalize: same },
  PN: { regex: "[A-Za-z0-9._-]{1,32}", fact: "product", normalize: same },
  PSN: { regex: "[A-Za-z0-9]{1,16}", fact: "series", normalize: same },
  SWVER: { regex: "[A-Za-z0-9._()-]{1,32}", fact: "firmware", normalize: same },
};
const GPP = /^[A-P]$/;
const GPP_REGEX = "[A-Za-z0-9._-]{1,64}";

interface Capture {
  readonly name: string;
  readonly spec: MacroSpec;
}

export interface PathPattern {
  /** The pattern as written. */
  readonly source: string;
  /** True when the pattern includes a query part (`?`); it is then matched against path+query. */
  readonly withQuery: boolean;
  /** Macros that appear in the pattern, in order. */
  readonly macros: readonly string[];
  /** True when a match yields the device's MAC (a `$MA`, `$MAU` or `$MAC` in the pattern). */
  readonly identifiesByMac: boolean;
  /** Matches a decoded path (and query when {@link withQuery}); `undefined` if no match. */
  match(target: string): PathFacts | undefined;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

const SENTINEL = "\u0000";
const SENTINEL_SPLIT = /\u0000([A-Z0-9]+)\u0000/;

/**
 * Splits a pattern into literal text and macro names, with the rules module's own expander
 * (§5.2 tokenization, `$$`, `$(NAME)`, unknown names left as written): every macro a path may
 * use expands to a NUL-delimited sentinel, which the decoded request path can never contain.
 */
export function tokenizePattern(source: string): Array<{ literal: string } | { macro: string }> {
  if (/\$\([A-Z0-9]+:\d/.test(source.replaceAll("$$", ""))) {
    throw serverError(
      "SERVER_PATH_PATTERN_INVALID",
      `path pattern ${JSON.stringify(source)}: substring macros like $(MA:4) cannot be matched`,
    );
  }
  const runtime: string[] = [];
  const expanded = expandMacros(source, (name) => {
    if (MACROS[name] !== undefined || GPP.test(name)) return `${SENTINEL}${name}${SENTINEL}`;
    if (KNOWN_RUNTIME_MACROS.has(name)) runtime.push(name);
    return undefined;
  });
  if (runtime.length > 0) {
    throw serverError(
      "SERVER_PATH_PATTERN_INVALID",
      `path pattern ${JSON.stringify(source)}: $${runtime[0]} is not known to the server when a request arrives; use $MA, $MAU, $MAC, $SN, $PN, $PSN, $SWVER or $A…$P`,
    );
  }
  const parts = expanded.split(SENTINEL_SPLIT);
  const out: Array<{ literal: string } | { macro: string }> = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      out.push({ macro: part });
    } else if (part.includes(SENTINEL)) {
      throw serverError(
        "SERVER_PATH_PATTERN_INVALID",
        `path pattern ${JSON.stringify(source)}: substring macros like $(MA:4) cannot be matched`,
      );
    } else if (part !== "") {
      out.push({ literal: part });
    }
  }
  return out;
}

/** Compiles one pattern; throws `SERVER_PATH_PATTERN_INVALID` on a pattern that cannot work. */
export function compilePathPattern(source: string): PathPattern {
  if (!source.startsWith("/")) {
    throw serverError(
      "SERVER_PATH_PATTERN_INVALID",
      `path pattern ${JSON.stringify(source)} must start with "/"`,
    );
  }
  let regex = "^";
  const captures: Capture[] = [];
  const macros: string[] = [];
  for (const token of tokenizePattern(source)) {
    if ("literal" in token) {
      regex += escapeRegex(token.literal);
      continue;
    }
    const name = token.macro;
    const spec: MacroSpec = MACROS[name] ?? { regex: GPP_REGEX, fact: "gpp", normalize: same };
    captures.push({ name, spec });
    macros.push(name);
    regex += `(${spec.regex})`;
  }
  regex += "$";
  const compiled = new RegExp(regex);
  const withQuery = source.includes("?");
  const identifiesByMac = captures.some((c) => c.spec.fact === "mac");

  return {
    source,
    withQuery,
    macros,
    identifiesByMac,
    match(target: string): PathFacts | undefined {
      const m = compiled.exec(target);
      if (m === null) return undefined;
      const facts: { -readonly [K in keyof PathFacts]: PathFacts[K] } = {};
      for (let i = 0; i < captures.length; i++) {
        const { name, spec } = captures[i]!;
        const value = spec.normalize(m[i + 1]!);
        if (value === undefined) return undefined;
        if (spec.fact === "gpp") {
          facts.gpp = { ...facts.gpp, [name]: value };
          continue;
        }
        const previous = facts[spec.fact];
        // `/$MA/$MAU.cfg` must name one device twice, not two devices.
        if (previous !== undefined && previous !== value) return undefined;
        facts[spec.fact] = value;
      }
      return facts;
    },
  };
}

/** Macros that exist (§5.3) but describe the request or device state, not its identity. */
const KNOWN_RUNTIME_MACROS: ReadonlySet<string> = new Set([
  "SA",
  "SB",
  "SC",
  "SD",
  "CCERT",
  "IP",
  "EXTIP",
  "HWVER",
  "PRVST",
  "UPGST",
  "UPGERR",
  "PRVTMR",
  "UPGTMR",
  "REGTMR1",
  "REGTMR2",
  "UPGCOND",
  "SCHEME",
  "METH",
  "SERV",
  "SERVIP",
  "PORT",
  "PATH",
  "ERR",
  "UID1",
  "UID2",
  "ISCUST",
  "ORIGTYPE",
  "AUTHSTATUS",
]);

/** A compiled pattern and the tenants whose devices may request it. */
export interface Route {
  readonly pattern: PathPattern;
  readonly tenantIds: ReadonlySet<string>;
}

export interface RouteMatch {
  readonly route: Route;
  readonly facts: PathFacts;
}

/**
 * Every tenant's profile paths, compiled once per tenant change (never per request). The same
 * pattern shared by several tenants is compiled once; the device found decides the tenant.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  /** Patterns that failed to compile, with the reason (logged, never fatal). */
  readonly problems: readonly string[];

  constructor(
    tenants: Iterable<{
      readonly id: string;
      readonly settings: { readonly profilePaths: readonly string[] };
    }>,
  ) {
    const bySource = new Map<string, { pattern: PathPattern; tenantIds: Set<string> }>();
    const problems: string[] = [];
    for (const tenant of tenants) {
      for (const source of tenant.settings.profilePaths) {
        let entry = bySource.get(source);
        if (entry === undefined) {
          try {
            entry = { pattern: compilePathPattern(source), tenantIds: new Set() };
          } catch (error) {
            problems.push(
              `tenant ${tenant.id}: ${error instanceof Error ? error.message : String(error)}`,
            );
            continue;
          }
          bySource.set(source, entry);
        }
        entry.tenantIds.add(tenant.id);
      }
    }
    this.routes = [...bySource.values()];
    this.problems = problems;
  }

  /** Every route the target matches, in configuration order. */
  match(path: string, query: string): RouteMatch[] {
    const out: RouteMatch[] = [];
    for (const route of this.routes) {
      const facts = route.pattern.match(route.pattern.withQuery ? `${path}?${query}` : path);
      if (facts !== undefined) out.push({ route, facts });
    }
    return out;
  }
}
