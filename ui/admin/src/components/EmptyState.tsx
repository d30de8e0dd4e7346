import { Paper, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

/** What an empty list says: why it is empty and what to do next. */
export function EmptyState(props: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder p="xl" radius="md">
      <Stack align="center" gap="xs">
        <Text fw={600}>{props.title}</Text>
        {props.children === undefined ? null : (
          <Text c="dimmed" size="sm" ta="center" maw={520}>
            {props.children}
          </Text>
        )}
        {props.action}
      </Stack>
    </Paper>
  );
}
