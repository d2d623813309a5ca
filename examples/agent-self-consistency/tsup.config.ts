import { defineConfig } from "tsup"
import { base } from "../../tsup.base.js"

export default defineConfig({
  ...base,
  entry: ["src/index.ts"],
  // Core and effect come from the host application, so that the plugin shares its services.
  external: ["@ml-agents/core", "effect"]
})
