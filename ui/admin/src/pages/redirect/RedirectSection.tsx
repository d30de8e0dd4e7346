/** The redirect (RC) service: registered units, redirect profiles, granted MAC ranges. */
import { Tabs } from "@mantine/core";
import { useSearchParams } from "react-router";
import { PageHeader } from "../../components/index.ts";
import { GrantsTab } from "./GrantsTab.tsx";
import { ProfilesTab } from "./ProfilesTab.tsx";
import { UnitsTab } from "./UnitsTab.tsx";

export function RedirectSection() {
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "units";
  return (
    <>
      <PageHeader
        title="Redirect"
        description="Units registered by MAC are sent, on first contact, to their provider's provisioning server."
      />
      <Tabs
        value={tab}
        onChange={(value) => setParams(value === "units" || value === null ? {} : { tab: value })}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="units">Registered units</Tabs.Tab>
          <Tabs.Tab value="profiles">Profiles</Tabs.Tab>
          <Tabs.Tab value="grants">Granted ranges</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="units">{tab === "units" ? <UnitsTab /> : null}</Tabs.Panel>
        <Tabs.Panel value="profiles">{tab === "profiles" ? <ProfilesTab /> : null}</Tabs.Panel>
        <Tabs.Panel value="grants">{tab === "grants" ? <GrantsTab /> : null}</Tabs.Panel>
      </Tabs>
    </>
  );
}
