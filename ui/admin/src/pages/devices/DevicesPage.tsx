import { PageHeader } from "../../components/index.ts";

export function DevicesPage() {
  return <PageHeader title="Devices" description="This page is being built." />;
}
