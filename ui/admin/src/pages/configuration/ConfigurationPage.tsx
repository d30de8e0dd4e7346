import { PageHeader } from "../../components/index.ts";

export function ConfigurationPage() {
  return <PageHeader title="Configuration" description="This page is being built." />;
}
