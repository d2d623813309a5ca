/**
 * The SQLite EvaluationRepository on a real file: every lifecycle state round-trips exactly, and
 * listing filters and orders as the CLI shows it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { AgentConfig, BenchmarkRepository, Evaluation, EvaluationRepository } from "@ml-agents/core"
import { Effect, Option } from "effect"
import { agentConfig, at, benchmark, evaluation, questions, reason, withDatabase } from "./fixtures.js"

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
  it.scoped("round-trips an evaluation through every status, failure reason included", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      const pending = evaluation("eval_abc123", gpqa)
      yield* repo.create(pending)
      const found = yield* repo.findById(pending.id)
      assert.deepStrictEqual(found, Option.some(pending))
      assert.instanceOf(Option.getOrThrow(found), Evaluation.Evaluation)
      assert.instanceOf(Option.getOrThrow(found).agentConfig.modelParameters, AgentConfig.ModelParameters)

      const running = yield* Evaluation.start(pending, at(100))
      yield* repo.update(running)
      assert.deepStrictEqual(yield* repo.findById(pending.id), Option.some(running))

      const failed = yield* Evaluation.fail(running, reason("credit_limit_exceeded"), at(200))
      yield* repo.update(failed)
      const storedFailed = Option.getOrThrow(yield* repo.findById(pending.id))
      assert.deepStrictEqual(storedFailed, failed)
      assert.strictEqual(storedFailed.failureReason?.category, "credit_limit_exceeded")
      assert.strictEqual(storedFailed.failureReason?.technicalDetails, "HTTP 429 {\"error\":\"slow down\"}")

      const rerun = yield* Evaluation.start(failed, at(300))
      yield* repo.update(rerun)
      assert.deepStrictEqual(yield* repo.findById(pending.id), Option.some(rerun))
      assert.isNull(Option.getOrThrow(yield* repo.findById(pending.id)).failureReason)

      const interrupted = yield* Evaluation.interrupt(rerun, at(400))
      yield* repo.update(interrupted)
      assert.deepStrictEqual(yield* repo.findById(pending.id), Option.some(interrupted))

      const resumed = yield* Evaluation.start(interrupted, at(500))
      const completed = yield* Evaluation.complete(resumed, at(600))
      yield* repo.update(resumed)
      yield* repo.update(completed)
      assert.deepStrictEqual(yield* repo.findById(pending.id), Option.some(completed))
    })))

  it.scoped("keeps an evaluation's answer-kind override, and an update can set or clear it", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      const plain = evaluation("eval_kind01", gpqa)
      yield* repo.create(plain)
      assert.isNull(Option.getOrThrow(yield* repo.findById(plain.id)).answerKind)
      const asLabel = new Evaluation.Evaluation({ ...plain, answerKind: "label" })
      yield* repo.update(asLabel)
      assert.deepStrictEqual(yield* repo.findById(plain.id), Option.some(asLabel))
      yield* repo.update(new Evaluation.Evaluation({ ...plain, answerKind: null }))
      assert.isNull(Option.getOrThrow(yield* repo.findById(plain.id)).answerKind)

      const created = new Evaluation.Evaluation({ ...evaluation("eval_kind02", gpqa), answerKind: "math" })
      yield* repo.create(created)
      assert.strictEqual(Option.getOrThrow(yield* repo.findById(created.id)).answerKind, "math")
    })))

  it.scoped("keeps a minimal agent configuration exactly (no optional parameters)", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      const minimal = new AgentConfig.AgentConfig({
        agentType: "none",
        modelProvider: "openrouter",
        modelName: "openai/gpt-4o-mini",
        modelParameters: new AgentConfig.ModelParameters({}),
        agentParameters: {}
      })
      const e = evaluation("eval_minimal", gpqa, at(1), minimal)
      yield* repo.create(e)
      const found = Option.getOrThrow(yield* repo.findById(e.id))
      assert.deepStrictEqual(found, e)
      assert.isFalse("temperature" in found.agentConfig.modelParameters)
    })))

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

  it.scoped("lists most recent first, filtered by status and benchmark, limited", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { folio, gpqa } = yield* setup
      const e1 = evaluation("eval_one111", gpqa, at(10))
      const e2 = evaluation("eval_two222", folio, at(20))
      const e3 = evaluation("eval_thr333", gpqa, at(30))
      const e4 = evaluation("eval_fou444", gpqa, at(30)) // same instant as e3: ordered by id
      for (const e of [e2, e4, e1, e3]) yield* repo.create(e)
      yield* repo.update(yield* Evaluation.start(e1, at(40)))
      yield* repo.update(yield* Evaluation.start(e2, at(41)))

      const ids = (list: ReadonlyArray<Evaluation.Evaluation>) => list.map((e) => e.id)
      assert.deepStrictEqual(ids(yield* repo.list()), ["eval_fou444", "eval_thr333", "eval_two222", "eval_one111"])
      assert.deepStrictEqual(ids(yield* repo.list({})), ["eval_fou444", "eval_thr333", "eval_two222", "eval_one111"])
      assert.deepStrictEqual(ids(yield* repo.list({ status: "running" })), ["eval_two222", "eval_one111"])
      assert.deepStrictEqual(ids(yield* repo.list({ benchmarkName: "GPQA" })), [
        "eval_fou444",
        "eval_thr333",
        "eval_one111"
      ])
      assert.deepStrictEqual(ids(yield* repo.list({ status: "running", benchmarkName: "GPQA" })), ["eval_one111"])
      assert.deepStrictEqual(ids(yield* repo.list({ status: "pending", benchmarkName: "GPQA", limit: 1 })), [
        "eval_fou444"
      ])
      assert.deepStrictEqual(ids(yield* repo.list({ limit: 2 })), ["eval_fou444", "eval_thr333"])
      assert.deepStrictEqual(yield* repo.list({ status: "completed" }), [])
      assert.deepStrictEqual(yield* repo.list({ benchmarkName: "MATH3" }), [])
      assert.deepStrictEqual(yield* repo.list({ status: undefined, benchmarkName: undefined, limit: undefined }), [
        ...(yield* repo.list())
      ])
    })))

  it.scoped("the run lease: one owner at a time, renewable, expiring, replaceable when its owner died, releasable", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      yield* repo.create(evaluation("eval_lease1", gpqa))
      const id = "eval_lease1"
      assert.isTrue(Option.isNone(yield* repo.lease(id)))
      assert.isTrue(yield* repo.claim(id, { owner: "a", now: at(0), expiresAt: at(30_000) }))
      assert.deepStrictEqual(yield* repo.lease(id), Option.some({ owner: "a", expiresAt: at(30_000) }))
      assert.isFalse(yield* repo.claim(id, { owner: "b", now: at(1_000), expiresAt: at(31_000) }), "held by a")
      assert.isTrue(yield* repo.claim(id, { owner: "a", now: at(10_000), expiresAt: at(40_000) }), "a renews")
      assert.isFalse(yield* repo.claim(id, { owner: "b", now: at(35_000), expiresAt: at(65_000) }), "renewed, not expired")
      assert.isTrue(yield* repo.claim(id, { owner: "b", now: at(41_000), expiresAt: at(71_000) }), "expired: b takes it")
      assert.isTrue(yield* repo.claim(id, { owner: "c", now: at(42_000), expiresAt: at(72_000), replacing: "b" }), "b is dead")
      yield* repo.release(id, "b")
      assert.strictEqual(Option.getOrThrow(yield* repo.lease(id)).owner, "c", "only the holder releases")
      yield* repo.release(id, "c")
      assert.isTrue(Option.isNone(yield* repo.lease(id)))
      const found = Option.getOrThrow(yield* repo.findById(id))
      assert.strictEqual(found.status, "pending", "the lease does not touch the evaluation's state")
    })))

  it.scoped("findById of an unknown id is none", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      assert.deepStrictEqual(yield* repo.findById("eval_nothere"), Option.none())
    })))

  it.scoped("updating an evaluation that is not stored is a StorageError", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      const error = yield* Effect.flip(repo.update(evaluation("eval_ghost1", gpqa)))
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "EvaluationRepository.update")
      assert.include(error.message, "eval_ghost1")
    })))

  it.scoped("creating an evaluation of a benchmark that is not stored is a StorageError", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const error = yield* Effect.flip(repo.create(evaluation("eval_orphan", benchmark("MISSING", 1))))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "MISSING")
      assert.deepStrictEqual(yield* repo.findById("eval_orphan"), Option.none())
    })))

  it.scoped("creating the same id twice is a StorageError", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { gpqa } = yield* setup
      yield* repo.create(evaluation("eval_twice1", gpqa))
      const error = yield* Effect.flip(repo.create(evaluation("eval_twice1", gpqa)))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "eval_twice1")
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
