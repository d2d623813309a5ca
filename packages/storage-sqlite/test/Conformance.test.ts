/**
 * The storage conformance suite of `@ml-agents/core/testing` on a real SQLite file: the same
 * cases MemoryStorage and PostgreSQL pass, each on a new database.
 */
import { describe, it } from "@effect/vitest"
import { StorageConformance } from "@ml-agents/core/testing"
import { withDatabase } from "./fixtures.js"

describe("StorageConformance on SQLite", () => {
  for (const c of StorageConformance.cases) {
    it.scoped(c.name, () => withDatabase(c.run))
  }
})
