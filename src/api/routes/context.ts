import type { TSchema } from "@sinclair/typebox";
import type { EffectiveConfigResolver } from "../../admin/index.ts";
import type { Catalogue } from "../../profile/index.ts";
import type { Store } from "../../store/index.ts";
import type { OperationRegistry } from "../operations.ts";
import { ErrorBody } from "../schemas.ts";

/** What every route module gets. */
export interface RouteContext {
  readonly store: Store;
  readonly catalogue: Catalogue;
  readonly effective: EffectiveConfigResolver;
  readonly operations: OperationRegistry;
  /** Largest CSV import body, in bytes. */
  readonly importBodyLimit: number;
}

/** Response schemas: the success ones given, plus the error shape for every 4xx. */
export function responses(ok: Record<number, TSchema>): Record<number, TSchema> {
  return {
    ...ok,
    400: ErrorBody,
    401: ErrorBody,
    403: ErrorBody,
    404: ErrorBody,
    409: ErrorBody,
  };
}

/** Either security scheme: a bearer token, or the session cookie (`POST /api/v1/session`). */
export const bearer: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];
