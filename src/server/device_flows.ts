/**
 * The device flows besides the tenants' profile paths, by server role: the redirect service
 * (role `redirect` or `both`), retail activation (a provider's server), and on a provider's
 * server the redirect status watch (a registered unit served its own profile is acquired),
 * in-house staging of factory units (`staging_flow.ts`) and the devices' lifecycle
 * (`lifecycle_flow.ts`).
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { defaultCatalogue } from "../profile/index.ts";
import type { Store } from "../store/index.ts";
import { ActivationFlow, type ActivationFlowOptions } from "./activation_flow.ts";
import type { ServeConfig } from "./config.ts";
import { FirmwareFiles } from "./firmware_files.ts";
import { FirmwareFlow } from "./firmware_flow.ts";
import type { FlowHook } from "./flow_hook.ts";
import type { DeviceLifecycles } from "./lifecycle.ts";
import { lifecycleFlow } from "./lifecycle_flow.ts";
import type { RouteTable } from "./path_pattern.ts";
import type { ConfigCache } from "./profile_cache.ts";
import type { ProfileRenderer } from "./profile_renderer.ts";
import { RedirectDirectory } from "./redirect_directory.ts";
import { RedirectFlow } from "./redirect_flow.ts";
import { compileRedirectPath } from "./redirect_path.ts";
import { ReportFlow, upgradeFailureEvent } from "./report_flow.ts";
import { RolloutWatch } from "./rollout_watch.ts";
import { SecureProvisioningFlow, type TargetedEncoder } from "./secure_provisioning_flow.ts";
import { targetedBootstrapEncoder } from "./secure_provisioning_target.ts";
import { StagingFlow } from "./staging_flow.ts";
import type { StatusWriter } from "./status_writer.ts";
import { UpgradeFlow } from "./upgrade_flow.ts";
import { UpgradePolicies } from "./upgrade_policies.ts";
import { ValueTemplates } from "./value_template.ts";

export interface DeviceFlowsOptions {
  readonly config: Pick<
    ServeConfig,
    "role" | "redirectPath" | "publicHttpUrl" | "publicHttpsUrl" | "filesDir" | "dataDir"
  >;
  readonly store: Store;
  readonly cache: ConfigCache<unknown>;
  readonly renderer: ProfileRenderer;
  readonly builtInClientCas: readonly string[];
  readonly logger: Logger;
  readonly lifecycles?: DeviceLifecycles | undefined;
  /** The tenants' profile paths (staging leaves a path a tenant serves to it). */
  readonly routes?: (() => RouteTable) | undefined;
  /** Where flows write events of their own (the batched writer). */
  readonly events?: Pick<StatusWriter, "event"> | undefined;
  readonly activationBudgets?: ActivationFlowOptions["budgets"];
  /** Wraps a bootstrap for one unit (SPC `--target`): TFTP/HTTP bootstraps need it. */
  readonly targeted?: TargetedEncoder | undefined;
  /** The port the node's HTTP listener took (image URLs for units asking over HTTPS). */
  readonly httpPort?: (() => number | undefined) | undefined;
  /** Where the rollout gauges go (the primary's registry; none on workers). */
  readonly registry?: Registry | undefined;
}

export interface DeviceFlows {
  readonly hooks: readonly FlowHook[];
  /** Resolves once the flows have read what they serve from (firmware registry, policies). */
  readonly ready: Promise<void>;
  /** Stops following the change feed. */
  close(): void;
}

/** A regular file (a checked request path joined to the files root: no `..`, no `//`). */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
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
        publicUrls: { http: config.publicHttpUrl, https: config.publicHttpsUrl },
        ...(options.activationBudgets === undefined ? {} : { budgets: options.activationBudgets }),
      }),
    );
  }
  const { lifecycles, routes, events } = options;
  if (config.role !== "redirect" && lifecycles !== undefined) {
    if (routes !== undefined && events !== undefined) {
      hooks.push(
        new StagingFlow({
          cache: options.cache,
          routes,
          urls: { http: config.publicHttpUrl, https: config.publicHttpsUrl },
          catalogue: defaultCatalogue,
          templates: new ValueTemplates(),
          lifecycles,
          events,
          hasStaticFile: (path) => isFile(join(config.filesDir, path)),
        }),
      );
    }
    hooks.push(lifecycleFlow(lifecycles));
  }
  if (config.role !== "redirect") {
    hooks.push(
      new SecureProvisioningFlow({
        store,
        cache: options.cache,
        renderer: options.renderer,
        urls: { http: config.publicHttpUrl, https: config.publicHttpsUrl },
        lifecycles,
        targeted: options.targeted ?? targetedBootstrapEncoder(config.dataDir),
        logger,
      }),
    );
  }
  // The rollout watch (below) learns of upgrade failures the units report to the report flow.
  let rolloutWatch: RolloutWatch | undefined;
  let reports: ReportFlow | undefined;
  if (config.role !== "redirect") {
    // Report_Rule uploads under /report/, and the units' $UPGST/$UPGERR (docs/reports-and-push.md).
    reports = new ReportFlow({
      store,
      cache: options.cache,
      renderer: options.renderer,
      builtInClientCas: options.builtInClientCas,
      logger,
      upgradeStatus: (u) => {
        events?.event(upgradeFailureEvent(u));
        rolloutWatch?.upgradeFailed(u.mac, u.error, u.attemptedAt, u.at);
      },
    });
    hooks.push(reports);
  }
  if (config.role === "redirect") return { hooks, ready: Promise.resolve(), close: unsubscribe };
  // Firmware images, upgrade policies and staged rollouts (docs/firmware.md).
  const files = new FirmwareFiles({ store, filesDir: config.filesDir });
  const policies = new UpgradePolicies(store, logger);
  const watch = new RolloutWatch({ store, logger, registry: options.registry });
  rolloutWatch = watch;
  hooks.push(
    new FirmwareFlow({
      files,
      cache: options.cache,
      builtInClientCas: options.builtInClientCas,
      logger,
      events,
      downloaded: (d) => watch.downloaded(d),
      // Where the unit's profile was served to its certificate (units that cannot use HTTPS).
      provenResync: reports?.provenResync.bind(reports),
    }),
    new UpgradeFlow({
      files,
      policies,
      watch,
      publicUrls: { http: config.publicHttpUrl, https: config.publicHttpsUrl },
      httpPort: options.httpPort,
      logger,
      events,
    }),
  );
  return {
    hooks,
    ready: Promise.all([files.reload(), policies.reload(), watch.reload()]).then(() => undefined),
    close() {
      unsubscribe();
      files.close();
      policies.close();
      void watch.close().catch(() => undefined);
    },
  };
}
