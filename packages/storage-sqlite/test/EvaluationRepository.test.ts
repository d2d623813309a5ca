/**
 * The SQLite EvaluationRepository on a real file, beyond the storage conformance suite: how rows
 * look in the file, and rows or tables that are broken.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { BenchmarkRepository, EvaluationRepository } from "@ml-agents/core"
import { Effect } from "effect"
import { agentConfig, at, benchmark, evaluation, questions, withDatabase } from "./fixtures.js"

const Repo = EvaluationRepository.EvaluationRepository

const setup = Effect.gen(function*() {
  const benchmarks = yield* BenchmarkRepository.BenchmarkRepository
  const gpqa = benchmark("GPQA", 3)
  const folio = benchmark("FOLIO", 3)
  yield* benchmarks.create(gpqa, questions(3))
  yield* benchmarks.create(folio, questions(3))
  return { gpqa, folio }
})

describe("SqliteEvaluationRepository", () => {
  it.scoped("stores timestamps as ISO-8601 text and JSON columns as JSON", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      yield* repo.create(evaluation("eval_text01", gpqa, at(0)))
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<Record<string, unknown>>`SELECT * FROM evaluations WHERE id = 'eval_text01'`
      assert.strictEqual(row?.created_at, "2025-03-01T10:00:00.000Z")
      assert.strictEqual(row?.status, "pending")
      assert.strictEqual(row?.agent_type, "tot")
      assert.deepStrictEqual(JSON.parse(String(row?.agent_parameters)), agentConfig.agentParameters)
      assert.isNull(row?.failure_reason)
    })))

  it.scoped("a row that no longer decodes is a StorageError naming the operation, not a defect", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      yield* repo.create(evaluation("eval_broken", gpqa))
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE evaluations SET failure_reason = '{"category":"no such category"}' WHERE id = 'eval_broken'`
      const error = yield* Effect.flip(repo.findById("eval_broken"))
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "EvaluationRepository.findById")
      assert.include(error.message, "schema")
    })))

  it.scoped("a failing statement is a StorageError with SQLite's own message", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP TABLE evaluations`
      const error = yield* Effect.flip(repo.list())
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "EvaluationRepository.list")
      assert.include(error.message, "no such table: evaluations")
    })))
})
