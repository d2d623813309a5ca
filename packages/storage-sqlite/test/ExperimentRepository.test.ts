/**
 * The SQLite ExperimentRepository on a real file, beyond the storage conformance suite (which
 * stores, reads back and finds experiments on every adapter): a refused experiment leaves no row
 * in any of its tables, not even an orphan cell or sample row the repository would never read.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Experiment, ExperimentRepository } from "@ml-agents/core"
import { StorageConformance } from "@ml-agents/core/testing"
import { Effect } from "effect"
import { withDatabase } from "./fixtures.js"

describe("SqliteExperimentRepository", () => {
  it.scoped("a sample naming a question the benchmark does not have stores nothing at all", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* ExperimentRepository.ExperimentRepository
      const { evaluations, experiment } = yield* StorageConformance.fixtures.anExperiment()
      const bad = new Experiment.Experiment({
        ...experiment,
        samples: [new Experiment.BenchmarkSample({ ...experiment.samples[0]!, questionIds: ["q1", "nope"] })]
      })
      const error = yield* Effect.flip(repo.create(bad, evaluations))
      assert.strictEqual(error._tag, "StorageError")
      const sql = yield* SqlClient.SqlClient
      const counts = yield* sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM experiments) + (SELECT COUNT(*) FROM evaluations)
        + (SELECT COUNT(*) FROM experiment_cells) + (SELECT COUNT(*) FROM experiment_samples) AS n`
      assert.strictEqual(counts[0]!.n, 0)
      assert.deepStrictEqual(yield* repo.list(), [])
    })))
})
