import { PageHeader } from "../../components/index.ts";

export function DashboardPage() {
  return <PageHeader title="Dashboard" description="This page is being built." />;
}
