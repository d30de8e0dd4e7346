import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The admin UI, served by the admin listener at `/`. In development, `npx vite ui/admin`
// proxies the API to a running server's admin port (PROVISIO_ADMIN, default :8081).
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: { sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { "/api": process.env.PROVISIO_ADMIN ?? "http://127.0.0.1:8081" },
  },
});
