/**
 * The tsup options every package shares: ESM for Node 20, source maps, code splitting, and no
 * declarations (those come from `tsc -p tsconfig.build.json`, which keeps the namespaces that
 * `export * as X` creates). Each package's tsup.config.ts adds its entries.
 */
import type { Options } from "tsup"

export const base = {
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true
} satisfies Options
