import type { ReactNode } from "react";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { Loading, type LoadingProps } from "./Loading.tsx";

/** The part of a TanStack Query result (of useQuery or useInfiniteQuery) a view reads. */
type QueryState<T> =
  | { isPending: true; isError: false; error: unknown; data: undefined }
  | { isPending: false; isError: true; error: unknown; data: T | undefined }
  | { isPending: false; isError: false; error: unknown; data: T };

const isEmptyList = (data: unknown) => Array.isArray(data) && data.length === 0;

/**
 * A query's result as a page shows it: a placeholder while it loads, the error as the server
 * stated it, what an empty result says, or else the content made of the data.
 */
export function QueryView<T>(props: {
  query: QueryState<T>;
  loading: LoadingProps;
  /** The error's title (default: ErrorAlert's own). */
  errorTitle?: string;
  /** Shown instead of the content when `isEmpty` says the data is empty. */
  empty?: ReactNode | ((data: T) => ReactNode);
  /** Whether to show `empty` (default: the data is an empty list). */
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}): ReactNode {
  const { query } = props;
  if (query.isPending) return <Loading {...props.loading} />;
  if (query.isError) return <ErrorAlert error={query.error} title={props.errorTitle} />;
  const { empty } = props;
  if (empty !== undefined && (props.isEmpty ?? isEmptyList)(query.data)) {
    return typeof empty === "function" ? empty(query.data) : empty;
  }
  return props.children(query.data);
}
