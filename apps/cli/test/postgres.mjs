// Runs end-to-end test files with every command on PostgreSQL (ML_AGENTS_E2E_STORAGE=postgres):
// each workspace gets a database of its own on the test server (ML_AGENTS_TEST_POSTGRES_URL).
// Without arguments, the whole suite. Where no server answers, it prints one line and skips,
// except under CI (CI=true), where that fails.
//   node test/postgres.mjs [test files…]
import { TestDatabase } from "@ml-agents/storage-postgres/testing"
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"

let available
try {
  available = await TestDatabase.available("end-to-end tests on PostgreSQL")
} catch (error) {
  console.error(`✗ ${error.message}`)
  process.exit(1)
}
if (!available) process.exit(0)
const vitest = createRequire(import.meta.url).resolve("vitest/vitest.mjs")
const result = spawnSync(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, ML_AGENTS_E2E_STORAGE: "postgres" }
})
process.exit(result.status ?? 1)
