import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: false,
  sourcemap: true,
  clean: true,
  // Core and effect come from the host application, so that the plugin shares its services.
  external: ["@ml-agents/core", "effect"]
})
