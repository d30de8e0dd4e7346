export { DevicesPage as default } from "./DevicesPage.tsx";
