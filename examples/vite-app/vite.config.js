import { defineConfig } from "vite";

export default defineConfig({
  // The package uses top-level await to load its wasm once, at import.
  build: { target: "es2022" },
  // Pre-bundling would move the package away from its .wasm file in `vite dev`.
  optimizeDeps: { exclude: ["tailscale-wasm"] },
});
