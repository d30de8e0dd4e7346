export { FirmwareSection as default } from "./FirmwareSection.tsx";
