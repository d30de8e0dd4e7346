/**
 * The server's route table: every tenant's profile paths, compiled (by the rules module's
 * linear-time matcher) once per tenant change and matched against request targets.
 *
 * A request tries only the routes whose literal prefix (the text before the first macro) it
 * starts with: routes are indexed by the first path segment of that prefix, so a thousand
 * tenants with paths of their own cost a map lookup, not a thousand matches. A table built
 * from a previous one reuses its compiled patterns and overlap decisions: a tenant edit
 * compiles and compares only the paths that are new.
 */
import {
  compilePathPattern,
  type MatchStats,
  type PathFacts,
  type PathPattern,
  pathPatternsOverlap,
} from "../rules/index.ts";

/** Work a route-table build may spend deciding which routes overlap. */
const MAX_ROUTE_OVERLAP_STEPS = 4_000_000;

/** A compiled pattern and the tenants whose devices may request it. */
export interface Route {
  readonly pattern: PathPattern;
  /** Tenants that configured this pattern (the same text in several tenants is one route). */
  readonly tenantIds: ReadonlySet<string>;
  /**
   * Tenants that could claim a request this route matches: {@link tenantIds} plus every tenant
   * with a different pattern whose language overlaps this one (configurations saved before the
   * store refused overlaps). A route is a tenant's own path only when this holds one tenant; the
   * pipeline must never auto-create a device on any other route.
   */
  readonly claimants: ReadonlySet<string>;
}

export interface RouteMatch {
  readonly route: Route;
  readonly facts: PathFacts;
}

/** A route with what the index needs: its position and the text every match starts and ends with. */
interface IndexedRoute {
  readonly route: Route;
  readonly order: number;
  readonly prefix: string;
  readonly suffix: string;
}

/** The text before the pattern's first macro (`$$` included: a shorter prefix still filters). */
function literalPrefix(source: string): string {
  const dollar = source.indexOf("$");
  return dollar < 0 ? source : source.slice(0, dollar);
}

/**
 * The text after the pattern's last macro: every match ends with it. Skipping `$NAME`,
 * `$(NAME)` or `$$` may leave a shorter suffix than the literal one (a `$NAME` that is no
 * macro is literal text), never a longer one, so it only ever lets a match through.
 */
function literalSuffix(source: string): string {
  const dollar = source.lastIndexOf("$");
  if (dollar < 0) return source;
  let end = dollar + 1;
  if (source[end] === "(") {
    const close = source.indexOf(")", end);
    return close < 0 ? "" : source.slice(close + 1);
  }
  while (end < source.length && /[A-Z0-9]/.test(source[end]!)) end++;
  return source.slice(end);
}

/** `/a/b…` → `/a/`; undefined when the text has no second `/` (index key of a prefix or target). */
function firstSegment(text: string): string | undefined {
  const slash = text.indexOf("/", 1);
  return slash < 0 ? undefined : text.slice(0, slash + 1);
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/**
 * Every tenant's profile paths, compiled once per tenant change (never per request). The same
 * pattern shared by several tenants is compiled once; the device found decides the tenant.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  /** Patterns that failed to compile, with the reason (logged, never fatal). */
  readonly problems: readonly string[];
  /** Compiled patterns by source, for the next table. */
  readonly #compiled = new Map<string, PathPattern>();
  /** Overlap decisions by pair of sources (true: overlapping or undecided), for the next table. */
  readonly #overlaps = new Map<string, boolean>();
  /** Routes by the first segment of their literal prefix. */
  readonly #bySegment = new Map<string, IndexedRoute[]>();
  /** Routes whose literal prefix has no second `/` (tried for every target). */
  readonly #unindexed: IndexedRoute[] = [];

  constructor(
    tenants: Iterable<{
      readonly id: string;
      readonly settings: { readonly profilePaths: readonly string[] };
    }>,
    previous?: RouteTable,
  ) {
    const bySource = new Map<string, { pattern: PathPattern; tenantIds: Set<string> }>();
    const problems: string[] = [];
    for (const tenant of tenants) {
      for (const source of tenant.settings.profilePaths) {
        let entry = bySource.get(source);
        if (entry === undefined) {
          try {
            const pattern =
              (previous === undefined ? undefined : previous.#compiled.get(source)) ??
              compilePathPattern(source);
            this.#compiled.set(source, pattern);
            entry = { pattern, tenantIds: new Set() };
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
    const entries = [...bySource.values()];
    const claimants = entries.map((e) => new Set(e.tenantIds));
    const stats: MatchStats = { steps: 0 };
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const [a, b] = [entries[i]!, entries[j]!];
        // Routes of one and the same single tenant may overlap freely.
        if (a.tenantIds.size === 1 && b.tenantIds.size === 1) {
          const [ta] = a.tenantIds;
          if (b.tenantIds.has(ta!)) continue;
        }
        // Past the budget (only hostile patterns saved before the store refused them get
        // there) a pair counts as overlapping: the safe side, no auto-create on either. An
        // undecided pair is not remembered: the next table tries it again with a fresh budget.
        const key = pairKey(a.pattern.source, b.pattern.source);
        let overlaps = previous === undefined ? undefined : previous.#overlaps.get(key);
        if (overlaps === undefined && stats.steps <= MAX_ROUTE_OVERLAP_STEPS) {
          overlaps = pathPatternsOverlap(a.pattern, b.pattern, stats);
          this.#overlaps.set(key, overlaps);
        } else if (overlaps !== undefined) {
          this.#overlaps.set(key, overlaps);
        }
        if (overlaps === false) continue;
        for (const id of b.tenantIds) claimants[i]!.add(id);
        for (const id of a.tenantIds) claimants[j]!.add(id);
      }
    }
    this.routes = entries.map((e, i) => ({
      pattern: e.pattern,
      tenantIds: e.tenantIds,
      claimants: claimants[i]!,
    }));
    this.problems = problems;
    this.routes.forEach((route, order) => {
      const prefix = literalPrefix(route.pattern.source);
      const indexed: IndexedRoute = {
        route,
        order,
        prefix,
        suffix: literalSuffix(route.pattern.source),
      };
      // A match's path starts with the prefix's path part (before any `?`).
      const q = prefix.indexOf("?");
      const segment = firstSegment(q < 0 ? prefix : prefix.slice(0, q));
      if (segment === undefined) {
        this.#unindexed.push(indexed);
        return;
      }
      const bucket = this.#bySegment.get(segment);
      if (bucket === undefined) this.#bySegment.set(segment, [indexed]);
      else bucket.push(indexed);
    });
  }

  /** Every route the target matches, in configuration order. */
  match(path: string, query: string): RouteMatch[] {
    const segment = firstSegment(path);
    const bucket = segment === undefined ? undefined : this.#bySegment.get(segment);
    const out: RouteMatch[] = [];
    let withQuery: string | undefined;
    const tryRoutes = (routes: readonly IndexedRoute[]): void => {
      for (const { route, prefix, suffix } of routes) {
        let target = path;
        if (route.pattern.withQuery) {
          withQuery ??= `${path}?${query}`;
          target = withQuery;
        }
        if (!target.startsWith(prefix) || !target.endsWith(suffix)) continue;
        const facts = route.pattern.match(target);
        if (facts !== undefined) out.push({ route, facts });
      }
    };
    if (bucket !== undefined) tryRoutes(bucket);
    if (this.#unindexed.length > 0) {
      const before = out.length;
      tryRoutes(this.#unindexed);
      // Both lists matched: back to configuration order.
      if (before > 0 && out.length > before) out.sort((a, b) => this.#order(a) - this.#order(b));
    }
    return out;
  }

  #order(match: RouteMatch): number {
    return this.routes.indexOf(match.route);
  }
}
