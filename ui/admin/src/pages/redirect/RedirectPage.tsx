import { PageHeader } from "../../components/index.ts";

export function RedirectPage() {
  return <PageHeader title="Redirect" description="This page is being built." />;
}
