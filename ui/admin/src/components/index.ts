export { EmptyState } from "./EmptyState.tsx";
export { ErrorAlert } from "./ErrorAlert.tsx";
export { formatAgo, formatCount, formatDateTime, formatMac } from "./format.ts";
export { Loading } from "./Loading.tsx";
export { PageHeader } from "./PageHeader.tsx";
