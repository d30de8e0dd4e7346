export { ActivationPage as default } from "./ActivationPage.tsx";
