import { defineConfig } from "tsup"
import { base } from "../../tsup.base.js"

export default defineConfig([
  {
    ...base,
    // The executable (a small loader, see src/bin.ts) and the library entry.
    entry: ["src/bin.ts", "src/index.ts"],
    noExternal: [/^(?!(better-sqlite3|pg-native)$)/],
    // pg-native is node-postgres's optional native binding, never used (pg's JavaScript client is).
    external: ["better-sqlite3", "pg-native"],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // The program bundle is written by the build below, at the same time: leave it.
    clean: ["!cli.cjs", "!cli.cjs.map"]
  },
  {
    ...base,
    // The program, bundled whole (workspace packages and Effect included) into one CommonJS file
    // that bin.js compiles with a V8 code cache: one file instead of hundreds of modules is what
    // makes `ml-agents --help` start in a fraction of a second. The native SQLite driver stays
    // external. Plugins bring their own `effect` and core, whose services and errors meet ours
    // by tag key.
    entry: { cli: "src/entry.ts" },
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    splitting: false,
    // import.meta.url (where the bundled sample benchmarks are) from __filename.
    shims: true,
    noExternal: [/^(?!(better-sqlite3|pg-native)$)/],
    // pg-native is node-postgres's optional native binding, never used (pg's JavaScript client is).
    external: ["better-sqlite3", "pg-native"],
    clean: false
  }
])
