export { EmptyState } from "./EmptyState.tsx";
export { ErrorAlert } from "./ErrorAlert.tsx";
export { Loading } from "./Loading.tsx";
export { PageHeader } from "./PageHeader.tsx";
