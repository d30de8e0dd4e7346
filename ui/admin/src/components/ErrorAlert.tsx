import { Alert, Code } from "@mantine/core";
import { ApiError } from "../api/client.ts";

/** An API error as the server stated it: its message, and its code for a support ticket. */
export function ErrorAlert(props: { error: unknown; title?: string }) {
  const error = props.error;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" title={props.title ?? "Something went wrong"} role="alert">
      {message}
      {error instanceof ApiError ? (
        <>
          {" "}
          <Code>{error.code}</Code>
        </>
      ) : null}
    </Alert>
  );
}
