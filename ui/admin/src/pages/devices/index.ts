export { DevicesSection as default } from "./DevicesSection.tsx";
