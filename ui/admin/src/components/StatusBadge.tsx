import { Badge } from "@mantine/core";
import type { ReactNode } from "react";

/**
 * A state as a tinted badge with dark text: Mantine's light badges put the colour's own shade
 * on its tint, which for orange, yellow and green fails WCAG AA contrast.
 */
export function StatusBadge(props: {
  color: string;
  size?: "xs" | "sm" | "md" | "lg";
  children: ReactNode;
}) {
  return (
    <Badge variant="light" color={props.color} c="dark.8" size={props.size ?? "sm"}>
      {props.children}
    </Badge>
  );
}
