import { PageHeader } from "../../components/index.ts";

export function FirmwarePage() {
  return <PageHeader title="Firmware" description="This page is being built." />;
}
