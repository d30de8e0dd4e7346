import { defineConfig } from "vite";

// The customer's activation page, served by the device-facing listeners at `/activate/`
// (src/server/activation_page.ts). Plain TypeScript, no framework: it must load fast on a
// phone's browser. In development, `npx vite ui/activation` proxies the status endpoint to a
// running server's HTTP port (PROVISIO_HTTP, default :8080).
export default defineConfig({
  base: "/activate/",
  build: {
    sourcemap: false,
    // Files, never inline data: the page's CSP allows only its own scripts and styles.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { "/activate/status": process.env.PROVISIO_HTTP ?? "http://127.0.0.1:8080" },
  },
});
