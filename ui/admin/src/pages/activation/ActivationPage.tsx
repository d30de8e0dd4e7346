import { PageHeader } from "../../components/index.ts";

export function ActivationPage() {
  return <PageHeader title="Activation" description="This page is being built." />;
}
