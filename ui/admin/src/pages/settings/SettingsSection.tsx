/**
 * Settings: tenants (with their staging and client-certificate settings), the trusted
 * client CAs, and — for admins — API tokens and users. One tab per sub-route.
 */
import { Stack, Tabs } from "@mantine/core";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { isAdmin } from "../../api/session.ts";
import { usePrincipal } from "../../app/principal.tsx";
import { PageHeader } from "../../components/index.ts";
import { ClientCasTab } from "./ClientCasTab.tsx";
import { TenantsTab } from "./TenantsTab.tsx";
import { TokensTab } from "./TokensTab.tsx";
import { UsersTab } from "./UsersTab.tsx";

const TABS = [
  { path: "tenants", label: "Tenants", adminOnly: false },
  { path: "client-cas", label: "Client CAs", adminOnly: false },
  { path: "tokens", label: "API tokens", adminOnly: true },
  { path: "users", label: "Users", adminOnly: true },
] as const;

export function SettingsSection() {
  const principal = usePrincipal();
  const location = useLocation();
  const navigate = useNavigate();
  const admin = isAdmin(principal);
  const tabs = TABS.filter((t) => admin || !t.adminOnly);
  const current = location.pathname.split("/")[2] ?? "tenants";
  return (
    <Stack>
      <PageHeader
        title="Settings"
        description="Tenants and how their devices are trusted; who may use this console and the API."
      />
      <Tabs value={current} onChange={(value) => value !== null && navigate(`/settings/${value}`)}>
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab key={t.path} value={t.path}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Routes>
        <Route index element={<Navigate to="tenants" replace />} />
        <Route path="tenants" element={<TenantsTab />} />
        <Route path="client-cas" element={<ClientCasTab />} />
        {admin ? <Route path="tokens" element={<TokensTab />} /> : null}
        {admin ? <Route path="users" element={<UsersTab />} /> : null}
        <Route path="*" element={<Navigate to="tenants" replace />} />
      </Routes>
    </Stack>
  );
}
