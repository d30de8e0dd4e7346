/** A value to copy (a URL, a secret shown once): read-only, selectable, with a copy button. */
import { ActionIcon, CopyButton, TextInput, Tooltip } from "@mantine/core";

export function CopyField(props: { label: string; value: string; description?: string }) {
  return (
    <TextInput
      label={props.label}
      description={props.description}
      value={props.value}
      readOnly
      onFocus={(e) => e.currentTarget.select()}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
      rightSectionWidth={72}
      rightSection={
        <CopyButton value={props.value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? "Copied" : `Copy ${props.label.toLowerCase()}`} withArrow>
              <ActionIcon
                variant="filled"
                color={copied ? "teal.9" : undefined}
                onClick={copy}
                aria-label={`Copy ${props.label.toLowerCase()}`}
                w={60}
              >
                {copied ? "Copied" : "Copy"}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      }
    />
  );
}
