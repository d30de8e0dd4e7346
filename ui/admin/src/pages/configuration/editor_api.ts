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

export type Verdict =
  | { readonly ok: true; readonly name: string; readonly warnings: readonly string[] }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly suggestions?: readonly string[];
    };

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

/** Catalogue parameters of the model (every model's when null) whose name or label matches. */
export function useCatalogue(model: string | null, q: string) {
  return useQuery<CatalogueEntry[]>({
    queryKey: ["catalogue", model, q],
    queryFn: ({ signal }) =>
      api<{ items: CatalogueEntry[] }>(
        model === null
          ? "/api/v1/parameters"
          : `/api/v1/models/${encodeURIComponent(model)}/parameters`,
        { query: { q, limit: 50 }, signal },
      ).then((b) => b.items),
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
}

/** The server's verdict on one parameter for a layer of this model, as the layer edit would judge it. */
export function useVerdict(model: string | null, tenant: string, edit: ParameterEdit | null) {
  return useQuery<Verdict>({
    queryKey: ["parameter-verdict", model, tenant, edit],
    queryFn: ({ signal }) =>
      api<Verdict>(
        model === null
          ? "/api/v1/parameters/validate"
          : `/api/v1/models/${encodeURIComponent(model)}/parameters/validate`,
        {
          method: "POST",
          query: { tenant },
          body: { name: edit?.name, value: edit?.value ?? null, access: edit?.access ?? null },
          signal,
        },
      ),
    enabled: edit !== null && edit.name.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

export function previewChange(
  path: string,
  set: readonly ParameterEdit[],
  unset: readonly string[],
): Promise<ChangePreview> {
  return api<ChangePreview>(`${path}/preview`, {
    method: "POST",
    body: { set, unset },
  });
}

export function saveChange(
  path: string,
  set: readonly ParameterEdit[],
  unset: readonly string[],
): Promise<Layer> {
  return api<Layer>(path, { method: "PATCH", body: { set, unset } });
}
