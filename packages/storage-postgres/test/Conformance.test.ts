/**
 * The storage conformance suite of `@ml-agents/core/testing` on a real PostgreSQL server: the
 * same cases MemoryStorage and SQLite pass, each on a new schema.
 */
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { StorageConformance } from "@ml-agents/core/testing"
import { serverAvailable, setUp, tearDown, withDatabase } from "./fixtures.js"

describe.skipIf(!serverAvailable)("StorageConformance on PostgreSQL", () => {
  beforeAll(setUp)
  afterAll(tearDown)
  for (const c of StorageConformance.cases) {
    it.scoped(c.name, () => withDatabase(c.run))
  }
})
