/**
 * The storage conformance suite on the in-memory repositories (the SQLite and PostgreSQL adapters
 * run the same cases in their own packages).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as EvaluationRepository from "../src/EvaluationRepository.js"
import * as MemoryStorage from "../src/MemoryStorage.js"
import * as ResponseCache from "../src/ResponseCache.js"
import * as StorageConformance from "../src/StorageConformance.js"

const fresh = Layer.merge(MemoryStorage.layer, ResponseCache.layerMemory)

describe("StorageConformance on MemoryStorage", () => {
  for (const c of StorageConformance.cases) {
    it.effect(c.name, () => Effect.provide(c.run, fresh))
  }

  it.effect("verify runs every case and passes", () =>
    StorageConformance.verify(Layer.build(fresh)))

  it.effect("verify reports a broken rule by name: a storage that lists evaluations oldest first", () =>
    Effect.gen(function*() {
      const oldestFirst = Layer.effect(
        EvaluationRepository.EvaluationRepository,
        Effect.map(EvaluationRepository.EvaluationRepository, (repo) => ({
          ...repo,
          list: (options?: EvaluationRepository.ListOptions) => Effect.map(repo.list(options), (all) => [...all].reverse())
        }))
      )
      const broken = Layer.provideMerge(oldestFirst, fresh)
      const error = yield* Effect.flip(StorageConformance.verify(Layer.build(broken)))
      assert.include(error.message, "1 storage conformance rule(s) broken")
      assert.include(error.message, "evaluations: list most recent first")
    }))
})
