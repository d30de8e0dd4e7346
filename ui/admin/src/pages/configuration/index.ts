export { ConfigurationPage as default } from "./ConfigurationPage.tsx";
