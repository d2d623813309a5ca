import { defineConfig } from "tsup"
import { base } from "../../tsup.base.js"

export default defineConfig({
  ...base,
  entry: ["src/bin.ts", "src/index.ts"],
  // The CLI is bundled whole (workspace packages and Effect included): loading one tree-shaken
  // file instead of hundreds of modules is what makes `ml-agents --help` start in a fraction of a
  // second. The native SQLite driver stays external. Plugins bring their own `effect` and core,
  // whose services and errors meet ours by tag key.
  noExternal: [/^(?!better-sqlite3$)/],
  external: ["better-sqlite3"],
  // Some bundled CommonJS code calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
})
