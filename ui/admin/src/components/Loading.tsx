import { Skeleton, Stack } from "@mantine/core";

export interface LoadingProps {
  rows?: number;
  height?: number;
  label?: string;
}

/** A placeholder the size of what is loading, so the page does not jump when it arrives. */
export function Loading(props: LoadingProps) {
  const rows = props.rows ?? 5;
  return (
    <Stack gap="xs" aria-busy="true" aria-label={props.label ?? "Loading"}>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <Skeleton key={i} height={props.height ?? 36} radius="sm" />
      ))}
    </Stack>
  );
}
