import { PageHeader } from "../../components/index.ts";

export function AuditPage() {
  return <PageHeader title="Audit" description="This page is being built." />;
}
