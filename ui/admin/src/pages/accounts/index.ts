export { AccountsSection as default } from "./AccountsSection.tsx";
