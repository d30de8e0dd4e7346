/**
 * The API calls of the layer editor: the layer itself, the parameter catalogue for
 * autocomplete, the server's check of one parameter as it is typed, and the preview of
 * which devices an edit changes.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client.ts";
import type { Layer } from "../../api/types.ts";

export type Access = "na" | "ro" | "rw";

/** One parameter as the editor sends it (`access: null` clears the tag). */
export interface ParameterEdit {
  readonly name: string;
  readonly value: string | null;
  readonly access: Access | null;
}

export interface CatalogueEntry {
  readonly name: string;
  readonly label: string;
  readonly group: string | null;
  readonly default: string | null;
  readonly type: string;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly maxLength?: number;
  readonly secret: boolean;
  readonly access: string | null;
}

export interface Verdict {
  readonly ok: boolean;
  /** The canonical name (ok). */
  readonly name?: string;
  readonly warnings?: readonly string[];
  /** The error code the edit would answer with (not ok). */
  readonly code?: string;
  readonly message?: string;
  readonly suggestions?: readonly string[];
}

export interface ChangePreview {
  readonly devices: number;
  readonly devicesExact: boolean;
  readonly evaluated: number;
  readonly complete: boolean;
  readonly changed: number;
  readonly macs: readonly string[];
  readonly parameters: readonly { readonly name: string; readonly devices: number }[];
  readonly warnings: readonly string[];
}

export function useLayer(path: string | null) {
  return useQuery({
    queryKey: ["layer", path],
    queryFn: ({ signal }) => api<Layer>(path ?? "", { signal }),
    enabled: path !== null,
  });
}

/** Catalogue parameters of the model whose name or label contains `q` (nothing asked for an empty `q`). */
export function useCatalogue(model: string | null, q: string) {
  return useQuery<CatalogueEntry[]>({
    queryKey: ["catalogue", model, q],
    queryFn: ({ signal }) =>
      api<{ items: CatalogueEntry[] }>(
        `/api/v1/models/${encodeURIComponent(model ?? "")}/parameters`,
        {
          query: { q },
          signal,
        },
      ).then((b) => b.items),
    enabled: model !== null && q !== "",
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
}

/**
 * The server's verdict on one parameter as the layer edit would judge it: against the model's
 * parameters (every model's when null), unknown names kept when the tenant allows them.
 */
export function useVerdict(
  model: string | null,
  allowUnknown: boolean,
  edit: ParameterEdit | null,
) {
  return useQuery<Verdict>({
    queryKey: ["parameter-verdict", model, allowUnknown, edit],
    queryFn: ({ signal }) =>
      api<Verdict>("/api/v1/parameters/validate", {
        method: "POST",
        body: {
          parameter: edit?.name ?? "",
          value: edit?.value ?? null,
          access: edit?.access ?? null,
          allowUnknown,
          ...(model === null ? {} : { model }),
        },
        signal,
      }),
    enabled: edit !== null && edit.name.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** The layer as `POST /api/v1/layers/preview` names it. */
export interface PreviewTarget {
  readonly scope: "tenant" | "model" | "group" | "account" | "device";
  readonly tenant?: string;
  readonly model?: string;
  readonly group?: string;
  readonly account?: string;
  readonly mac?: string;
}

/** Which devices the edit would change, without saving it. */
export function previewChange(
  target: PreviewTarget,
  set: readonly ParameterEdit[],
  unset: readonly string[],
): Promise<ChangePreview> {
  return api<ChangePreview>("/api/v1/layers/preview", {
    method: "POST",
    body: { target, set, unset },
  });
}

export function saveChange(
  path: string,
  set: readonly ParameterEdit[],
  unset: readonly string[],
): Promise<Layer> {
  return api<Layer>(path, { method: "PATCH", body: { set, unset } });
}
