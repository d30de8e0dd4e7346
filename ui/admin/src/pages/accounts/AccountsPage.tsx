import { PageHeader } from "../../components/index.ts";

export function AccountsPage() {
  return <PageHeader title="Accounts" description="This page is being built." />;
}
