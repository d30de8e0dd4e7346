/**
 * The lifecycle's part of the resync pipeline: a device that fetched its own profile on one
 * of its tenant's paths has a `Profile_Rule` pointing at its own profile on this server —
 * SP-CUST (unless secure provisioning already took it further).
 */
import type { Device } from "../store/index.ts";
import type { FlowHook, FlowRequest } from "./flow_hook.ts";
import { type DeviceLifecycles, ownProfileMoves } from "./lifecycle.ts";

export function lifecycleFlow(lifecycles: DeviceLifecycles): FlowHook {
  return {
    served(device: Device, flow: FlowRequest): void {
      // Nearly every resync moves nothing (the device is SP-CUST already, or further): then
      // nothing is built for it.
      if (!ownProfileMoves(lifecycles.current(device)?.state ?? null)) return;
      const { request } = flow;
      lifecycles.observe(
        device,
        { kind: "own-profile", path: flow.path },
        {
          transport: request.transport,
          path: flow.path,
          remoteAddress: request.remoteAddress,
          userAgent: request.userAgent,
        },
        flow.now,
      );
    },
  };
}
