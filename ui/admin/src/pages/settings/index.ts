export { SettingsSection as default } from "./SettingsSection.tsx";
