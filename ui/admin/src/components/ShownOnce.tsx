import { Alert, Button, Group, Stack } from "@mantine/core";
import type { ReactNode } from "react";

/** A secret the server shows only once: the warning to copy it now, the secret, and Done. */
export function ShownOnce(props: { warning: string; onDone(): void; children: ReactNode }) {
  return (
    <Stack>
      <Alert color="yellow" title="Shown once">
        {props.warning}
      </Alert>
      {props.children}
      <Group justify="flex-end">
        <Button onClick={props.onDone}>Done</Button>
      </Group>
    </Stack>
  );
}
