export { AccountPicker, accountLabel } from "./AccountPicker.tsx";
export { ConfirmButton } from "./ConfirmButton.tsx";
export { CopyField } from "./CopyField.tsx";
export { EmptyState } from "./EmptyState.tsx";
export { ErrorAlert } from "./ErrorAlert.tsx";
export { formatAgo, formatCount, formatDateTime, formatMac } from "./format.ts";
export { Loading } from "./Loading.tsx";
export { PageHeader } from "./PageHeader.tsx";
export { StatusBadge } from "./StatusBadge.tsx";
