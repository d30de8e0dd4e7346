/** The frame around every page: navigation, the tenant switcher and the signed-in user. */
import { AppShell, Badge, Burger, Button, Group, NavLink, Select, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";
import { Link, useLocation } from "react-router";
import { useSignOut } from "../api/session.ts";
import { SECTIONS } from "./navigation.ts";
import { usePrincipal } from "./principal.tsx";
import { useTenant } from "./tenant.tsx";

function active(pathname: string, path: string): boolean {
  return path === "/" ? pathname === "/" : pathname === path || pathname.startsWith(`${path}/`);
}

export function Shell(props: { children: ReactNode }) {
  const principal = usePrincipal();
  const tenant = useTenant();
  const signOut = useSignOut();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const sections = SECTIONS.filter((s) => s.adminOnly !== true || principal.role === "admin");

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Text fw={700} size="lg" component={Link} to="/">
              Provisio
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {tenant.canSwitch ? (
              <Select
                aria-label="Tenant"
                size="xs"
                w={200}
                allowDeselect={false}
                value={tenant.tenant}
                data={tenant.tenants.map((t) => ({ value: t.id, label: t.name }))}
                onChange={(value) => {
                  if (value !== null) tenant.select(value);
                }}
              />
            ) : (
              <Text size="sm" c="dimmed">
                {tenant.current?.name ?? tenant.tenant}
              </Text>
            )}
            <Text size="sm" visibleFrom="sm">
              {principal.name}
            </Text>
            <Badge variant="light" color="gray">
              {principal.role}
            </Badge>
            <Button variant="subtle" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Sections">
        {sections.map((section) => (
          <NavLink
            key={section.path}
            component={Link}
            to={section.path}
            label={section.label}
            active={active(location.pathname, section.path)}
            // Filled: white on the primary colour passes contrast, hovered or not (light fails).
            variant="filled"
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{props.children}</AppShell.Main>
    </AppShell>
  );
}
