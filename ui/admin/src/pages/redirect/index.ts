export { RedirectSection as default } from "./RedirectSection.tsx";
