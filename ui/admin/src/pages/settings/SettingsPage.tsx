import { PageHeader } from "../../components/index.ts";

export function SettingsPage() {
  return <PageHeader title="Settings" description="This page is being built." />;
}
