/**
 * The server's route table: every tenant's profile paths, compiled (by the rules module's
 * linear-time matcher) once per tenant change and matched against request targets.
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
        // there) a pair counts as overlapping: the safe side, no auto-create on either.
        if (
          stats.steps <= MAX_ROUTE_OVERLAP_STEPS &&
          !pathPatternsOverlap(a.pattern, b.pattern, stats)
        ) {
          continue;
        }
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
