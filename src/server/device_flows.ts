/**
 * The device flows besides the tenants' profile paths, by server role: the redirect service
 * (role `redirect` or `both`), retail activation (a provider's server), and on a provider's
 * server the redirect status watch (a registered unit served its own profile is acquired).
 */
import type { Logger } from "pino";
import type { Store } from "../store/index.ts";
import { ActivationFlow, type ActivationFlowOptions } from "./activation_flow.ts";
import type { ServeConfig } from "./config.ts";
import type { FlowHook } from "./flow_hook.ts";
import type { DeviceLifecycles } from "./lifecycle.ts";
import type { ConfigCache } from "./profile_cache.ts";
import type { ProfileRenderer } from "./profile_renderer.ts";
import { RedirectDirectory } from "./redirect_directory.ts";
import { RedirectFlow } from "./redirect_flow.ts";
import { compileRedirectPath } from "./redirect_path.ts";

export interface DeviceFlowsOptions {
  readonly config: Pick<ServeConfig, "role" | "redirectPath">;
  readonly store: Store;
  readonly cache: ConfigCache<unknown>;
  readonly renderer: ProfileRenderer;
  readonly builtInClientCas: readonly string[];
  readonly logger: Logger;
  readonly lifecycles?: DeviceLifecycles | undefined;
  readonly activationBudgets?: ActivationFlowOptions["budgets"];
}

export interface DeviceFlows {
  readonly hooks: readonly FlowHook[];
  /** Stops following the change feed. */
  close(): void;
}

export function createDeviceFlows(options: DeviceFlowsOptions): DeviceFlows {
  const { config, store, logger } = options;
  const directory = new RedirectDirectory(store);
  const unsubscribe = store.changes.subscribe((notice) => directory.invalidate(notice));
  const hooks: FlowHook[] = [
    new RedirectFlow({
      directory,
      store,
      path: config.role === "provider" ? undefined : compileRedirectPath(config.redirectPath),
      tenantSlug: (id) => options.cache.tenant(id)?.slug,
      logger,
    }),
  ];
  if (config.role !== "redirect") {
    hooks.push(
      new ActivationFlow({
        store,
        cache: options.cache,
        renderer: options.renderer,
        builtInClientCas: options.builtInClientCas,
        logger,
        lifecycles: options.lifecycles,
        ...(options.activationBudgets === undefined ? {} : { budgets: options.activationBudgets }),
      }),
    );
  }
  return { hooks, close: unsubscribe };
}
