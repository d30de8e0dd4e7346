/**
 * A dialog holding one form: its fields, the server's refusal when there is one, and Cancel
 * beside the submit button. Enter submits; the submit button shows progress.
 */
import { Button, Group, Modal, type ModalProps, Stack } from "@mantine/core";
import type { FormEvent, ReactNode } from "react";
import { ErrorAlert } from "./ErrorAlert.tsx";

export function FormModal(props: {
  opened: boolean;
  onClose(): void;
  title: string;
  size?: ModalProps["size"];
  onSubmit(): void;
  submitLabel: string;
  submitting: boolean;
  /** False keeps the submit button disabled (a required choice not made yet). */
  canSubmit?: boolean;
  /** The last submission's error, shown above the buttons. */
  error?: unknown;
  errorTitle?: string;
  /** The label of the button that closes without submitting (default Cancel). */
  closeLabel?: string;
  /** Shown instead of the form once it has done its work (a secret shown once, say). */
  outcome?: ReactNode;
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} size={props.size}>
      {props.outcome ?? (
        <form onSubmit={submit}>
          <Stack>
            {props.children}
            {props.error === undefined || props.error === null ? null : (
              <ErrorAlert error={props.error} title={props.errorTitle ?? "Not saved"} />
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={props.onClose}>
                {props.closeLabel ?? "Cancel"}
              </Button>
              <Button type="submit" loading={props.submitting} disabled={props.canSubmit === false}>
                {props.submitLabel}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
