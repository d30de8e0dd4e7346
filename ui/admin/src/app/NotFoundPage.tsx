import { Button } from "@mantine/core";
import { Link } from "react-router";
import { EmptyState } from "../components/index.ts";

export function NotFoundPage() {
  return (
    <EmptyState
      title="No such page"
      action={
        <Button component={Link} to="/" variant="light">
          Go to the dashboard
        </Button>
      }
    >
      The address does not name a page of this console.
    </EmptyState>
  );
}
