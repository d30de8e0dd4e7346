import { Button, Group } from "@mantine/core";

/** "Show more" under a keyset-paged list: shown while the server has a next page. */
export function MoreButton(props: {
  hasMore: boolean;
  loading: boolean;
  onMore: () => unknown;
  label: string;
}) {
  if (!props.hasMore) return null;
  return (
    <Group justify="center" mt="md">
      <Button variant="default" loading={props.loading} onClick={() => void props.onMore()}>
        {props.label}
      </Button>
    </Group>
  );
}
