/** Firmware: rollouts (the default view), upgrade policies and images; one rollout's page. */
import { Tabs } from "@mantine/core";
import { Route, Routes, useSearchParams } from "react-router";
import { PageHeader } from "../../components/index.ts";
import { ImagesTab } from "./ImagesTab.tsx";
import { PoliciesTab } from "./PoliciesTab.tsx";
import { RolloutPage } from "./RolloutPage.tsx";
import { RolloutsTab } from "./RolloutsTab.tsx";

function FirmwareOverview() {
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "rollouts";
  return (
    <>
      <PageHeader
        title="Firmware"
        description="Images, the policies that say which version units run, and rollouts in waves."
      />
      <Tabs
        value={tab}
        onChange={(value) =>
          setParams(value === "rollouts" || value === null ? {} : { tab: value })
        }
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="rollouts">Rollouts</Tabs.Tab>
          <Tabs.Tab value="policies">Policies</Tabs.Tab>
          <Tabs.Tab value="images">Images</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="rollouts">{tab === "rollouts" ? <RolloutsTab /> : null}</Tabs.Panel>
        <Tabs.Panel value="policies">{tab === "policies" ? <PoliciesTab /> : null}</Tabs.Panel>
        <Tabs.Panel value="images">{tab === "images" ? <ImagesTab /> : null}</Tabs.Panel>
      </Tabs>
    </>
  );
}

export function FirmwareSection() {
  return (
    <Routes>
      <Route index element={<FirmwareOverview />} />
      <Route path="rollouts/:id" element={<RolloutPage />} />
    </Routes>
  );
}
