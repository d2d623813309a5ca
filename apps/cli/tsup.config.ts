import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/bin.ts", "src/index.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true,
  // The CLI is bundled whole (workspace packages and Effect included): loading one tree-shaken
  // file instead of hundreds of modules is what makes `ml-agents --help` start in a fraction of a
  // second. The native SQLite driver stays external, and so does everything a plugin shares with
  // the host... nothing: plugins bring their own `effect`, whose services meet ours by tag key.
  noExternal: [/^(?!better-sqlite3$)/],
  external: ["better-sqlite3"],
  // Some bundled CommonJS code calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
})
