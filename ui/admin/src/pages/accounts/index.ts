export { AccountsPage as default } from "./AccountsPage.tsx";
