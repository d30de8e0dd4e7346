/**
 * A destructive action behind a confirmation: the button opens a small dialog that names
 * what will happen; only its own button acts.
 */
import { Button, type ButtonProps, Group, Modal, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";

export function ConfirmButton(
  props: {
    children: ReactNode;
    /** The dialog's title, e.g. "Revoke token noc?". */
    title: string;
    message: ReactNode;
    confirmLabel: string;
    onConfirm: () => void;
    loading?: boolean;
    "aria-label"?: string;
  } & Omit<ButtonProps, "children" | "onClick">,
) {
  const { children, title, message, confirmLabel, onConfirm, loading, ...button } = props;
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button color="red" variant="subtle" size="xs" {...button} onClick={open}>
        {children}
      </Button>
      <Modal opened={opened} onClose={close} title={title} centered>
        <Stack>
          <Text size="sm">{message}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={loading}
              onClick={() => {
                onConfirm();
                close();
              }}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
