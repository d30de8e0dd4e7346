export { FirmwarePage as default } from "./FirmwarePage.tsx";
