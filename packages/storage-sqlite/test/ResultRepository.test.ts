/**
 * The SQLite ResultRepository on a real file: upserts keep one row per question, results list in
 * benchmark order a page at a time, and the SQL summary equals the one computed from the rows.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import {
  Benchmark,
  BenchmarkRepository,
  EvaluationRepository,
  EvaluationResults,
  QuestionResult,
  ResultRepository,
  Usage
} from "@ml-agents/core"
import { Chunk, Effect, Either, Option, Schema, Stream } from "effect"
import { ResultFromRow, resultRow } from "../src/internal/rows.js"
import { at, benchmark, evaluation, questions, reason, result, withDatabase } from "./fixtures.js"

const Repo = ResultRepository.ResultRepository

/** A benchmark whose file order differs from id order, and one evaluation of it. */
const setup = Effect.gen(function*() {
  const bench = benchmark("MATH3", 6)
  const qs = ["q5", "q3", "q0", "q4", "q1", "q2"].map((id, i) =>
    new Benchmark.Question({ id, text: `Question ${id}`, expectedAnswer: String(i), metadata: {} })
  )
  yield* (yield* BenchmarkRepository.BenchmarkRepository).create(bench, qs)
  const e = evaluation("eval_res001", bench)
  yield* (yield* EvaluationRepository.EvaluationRepository).create(e)
  return { bench, qs, evaluationId: e.id }
})

const rowCount = (evaluationId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM evaluation_question_results WHERE evaluation_id = ${evaluationId}`
    return rows[0]!.n
  })

describe("SqliteResultRepository", () => {
  it.scoped("lists results in benchmark order whatever the order they were saved in, a page at a time", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      const results = qs.map((q, i) => result(evaluationId, q, { correct: i % 2 === 0 }))
      for (const i of [3, 0, 5, 1, 4, 2]) yield* repo.save(results[i]!)

      const all = yield* repo.list(evaluationId)
      assert.deepStrictEqual(all, results)
      assert.deepStrictEqual(all.map((r) => r.questionId), ["q5", "q3", "q0", "q4", "q1", "q2"])
      assert.instanceOf(all[0], QuestionResult.EvaluationQuestionResult)

      assert.deepStrictEqual(yield* repo.list(evaluationId, { offset: 0, limit: 2 }), results.slice(0, 2))
      assert.deepStrictEqual(yield* repo.list(evaluationId, { offset: 2, limit: 2 }), results.slice(2, 4))
      assert.deepStrictEqual(yield* repo.list(evaluationId, { offset: 4, limit: 10 }), results.slice(4))
      assert.deepStrictEqual(yield* repo.list(evaluationId, { offset: 6, limit: 2 }), [])
      assert.deepStrictEqual(yield* repo.list("eval_other1"), [])
    })))

  it.scoped("stream reads every result in benchmark order across chunks, saved in any order, only of that evaluation", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const n = 1234 // more than two chunks of 500
      const bench = benchmark("BIG", n)
      const qs = questions(n)
      yield* (yield* BenchmarkRepository.BenchmarkRepository).create(bench, qs)
      const evaluations = yield* EvaluationRepository.EvaluationRepository
      yield* evaluations.create(evaluation("eval_big001", bench))
      yield* evaluations.create(evaluation("eval_big002", bench))
      // Saved back to front, with every 10th question missing.
      for (let i = n - 1; i >= 0; i--) if (i % 10 !== 3) yield* repo.save(result("eval_big001", qs[i]!, { correct: i % 2 === 0 }))
      yield* repo.save(result("eval_big002", qs[0]!))
      const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(repo.stream("eval_big001")))
      const expected = qs.filter((_, i) => i % 10 !== 3).map((q) => q.id)
      assert.deepStrictEqual(streamed.map((r) => r.questionId), expected)
      assert.deepStrictEqual(streamed, yield* repo.list("eval_big001"))
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(repo.stream("eval_big002"))), 1)
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(repo.stream("eval_none01"))), 0)
    })))

  it.scoped("round-trips every field: nulls, errors, traces of any JSON shape", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      const traces: ReadonlyArray<unknown> = [
        { tree: { depth: 3, children: [{ thought: "a", score: 0.5 }, { thought: "b", score: null }] } },
        ["step 1", "step 2"],
        "just text",
        42,
        null
      ]
      const saved = [
        ...traces.map((trace, i) => result(evaluationId, qs[i]!, { correct: i % 2 === 0, trace, cost: i === 1 ? null : 0.5 })),
        result(evaluationId, qs[5]!, { error: reason("parsing_error"), cost: null, timeMs: 0 })
      ]
      // A grader's details (a code grader's per-test outcomes) come back as the same JSON.
      saved[0] = new QuestionResult.EvaluationQuestionResult({
        ...saved[0]!,
        gradeDetails: { tests: [{ name: "t1", passed: true }, { name: "t2", passed: false, error: "AssertionError" }] }
      })
      for (const r of saved) yield* repo.save(r)
      assert.deepStrictEqual(yield* repo.list(evaluationId), saved)
    })))

  it("writes the row ResultFromRow encodes, byte for byte, for every shape of result", () => {
    const q = new Benchmark.Question({ id: "q1", text: "Q?", expectedAnswer: "1", metadata: {} })
    const calls: ReadonlyArray<QuestionResult.ModelCall> = [
      { model: "m/a", provider: "P", generationId: "gen-1", finishReason: "stop", promptTokens: 5, completionTokens: 2, reasoningTokens: 1, costUsd: 0.001, attempts: 2, error: null },
      { model: "m/a", provider: null, generationId: null, finishReason: null, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, costUsd: null, attempts: 1, error: "network_timeout" }
    ]
    const shapes = [
      result("e1", q, { correct: true, calls }),
      result("e1", q, { correct: false, trace: null, cost: null }),
      result("e1", q, { trace: undefined }),
      result("e1", q, { trace: ["a", { b: [1, 2.5, null] }], timeMs: 0 }),
      result("e1", q, { error: reason("parsing_error") }),
      new QuestionResult.EvaluationQuestionResult({ ...result("e1", q, {}), gradeDetails: { passed: 3, failed: 1 } })
    ]
    for (const r of shapes) {
      assert.deepStrictEqual(Either.getOrThrow(resultRow(r)), Schema.encodeSync(ResultFromRow)(r))
    }
  })

  it.scoped("a reasoning trace JSON cannot hold is a StorageError saying so, and nothing is written", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const error = yield* Effect.flip(repo.save(result(evaluationId, qs[0]!, { trace: cyclic })))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "reasoning_trace: not serialisable as JSON")
      assert.strictEqual(yield* rowCount(evaluationId), 0)
      const big = yield* Effect.flip(repo.save(result(evaluationId, qs[0]!, { trace: { n: 1n } })))
      assert.include(big.message, "BigInt")
    })))

  it.scoped("keeps every model call of a question, readable one row per call through the model_calls view", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      const calls: ReadonlyArray<QuestionResult.ModelCall> = [
        { model: "openai/gpt-4o-mini", provider: "OpenAI", generationId: "gen-1", finishReason: "stop", promptTokens: 60, completionTokens: 20, reasoningTokens: 5, costUsd: 0.0004, attempts: 2, error: null },
        { model: "openai/gpt-4o-mini", provider: null, generationId: null, finishReason: null, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, costUsd: null, attempts: 3, error: "network_timeout" },
        { model: "openai/gpt-4o-mini", provider: "Azure", generationId: "gen-2", finishReason: "stop", promptTokens: 40, completionTokens: 20, reasoningTokens: 5, costUsd: 0, attempts: 0, error: null },
        { model: "openai/gpt-4o-mini", provider: "Azure", generationId: "gen-3", finishReason: "stop", promptTokens: 40, completionTokens: 20, reasoningTokens: 5, costUsd: null, attempts: 1, error: null }
      ]
      const saved = result(evaluationId, qs[0]!, { correct: true, calls })
      yield* repo.save(saved)
      yield* repo.save(result(evaluationId, qs[1]!, { correct: false }))
      assert.deepStrictEqual((yield* repo.list(evaluationId))[0]!.calls, calls)
      assert.deepStrictEqual((yield* repo.list(evaluationId))[1]!.calls, [])

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<Record<string, unknown>>`
        SELECT question_id, call_number, provider, generation_id, prompt_tokens, cost_usd, attempts, cached, error_category
        FROM model_calls WHERE evaluation_id = ${evaluationId} ORDER BY question_id, call_number`
      assert.deepStrictEqual(rows, [
        { question_id: "q5", call_number: 1, provider: "OpenAI", generation_id: "gen-1", prompt_tokens: 60, cost_usd: 0.0004, attempts: 2, cached: 0, error_category: null },
        { question_id: "q5", call_number: 2, provider: null, generation_id: null, prompt_tokens: 0, cost_usd: null, attempts: 3, cached: 0, error_category: "network_timeout" },
        { question_id: "q5", call_number: 3, provider: "Azure", generation_id: "gen-2", prompt_tokens: 40, cost_usd: 0, attempts: 0, cached: 1, error_category: null },
        { question_id: "q5", call_number: 4, provider: "Azure", generation_id: "gen-3", prompt_tokens: 40, cost_usd: null, attempts: 1, cached: 0, error_category: null }
      ])
      // Served by: the calls that reached a provider, not the failed one nor the cached one.
      assert.deepStrictEqual(yield* repo.providers(evaluationId), [
        { provider: "Azure", calls: 1, costUsd: null },
        { provider: "OpenAI", calls: 1, costUsd: 0.0004 }
      ])
    })))

  it.scoped("saving the same question again replaces the row: exactly one row per question", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      const failed = result(evaluationId, qs[1]!, { error: reason("network_timeout"), processedAt: at(100) })
      const retried = result(evaluationId, qs[1]!, { correct: true, processedAt: at(200), cost: 0.01 })
      yield* repo.save(failed)
      yield* repo.save(failed)
      yield* repo.save(retried)
      assert.strictEqual(yield* rowCount(evaluationId), 1)
      assert.deepStrictEqual(yield* repo.list(evaluationId), [retried])
      const summary = yield* repo.summarize(evaluationId)
      assert.strictEqual(summary.errors, 0)
      assert.strictEqual(summary.correct, 1)
      assert.deepStrictEqual(summary.errorsByCategory, {})
    })))

  it.scoped("answeredQuestionIds are the questions with a stored result, failed ones included", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      assert.deepStrictEqual([...(yield* repo.answeredQuestionIds(evaluationId))], [])
      yield* repo.save(result(evaluationId, qs[0]!, { correct: true }))
      yield* repo.save(result(evaluationId, qs[4]!, { error: reason() }))
      yield* repo.save(result(evaluationId, qs[4]!, { error: reason() }))
      const answered = yield* repo.answeredQuestionIds(evaluationId)
      assert.deepStrictEqual([...answered].sort(), ["q1", "q5"])
      assert.isTrue(answered.has("q5"))
    })))

  it.scoped("summarize equals EvaluationResults.fromRows of the same rows", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      const rows = [
        result(evaluationId, qs[0]!, { correct: true, cost: 0.1, timeMs: 1500.25 }),
        result(evaluationId, qs[1]!, { correct: false, cost: null, timeMs: 800 }),
        result(evaluationId, qs[2]!, { error: reason("rate_limit_exceeded"), cost: 0.2, timeMs: 30_000 }),
        result(evaluationId, qs[3]!, { error: reason("rate_limit_exceeded"), cost: null, timeMs: 12.5 }),
        // a failed question never counts as correct, whatever its is_correct says
        new QuestionResult.EvaluationQuestionResult({
          ...result(evaluationId, qs[4]!, { error: reason("parsing_error"), cost: 0.3, timeMs: 700 }),
          isCorrect: true
        }),
        new QuestionResult.EvaluationQuestionResult({
          ...result(evaluationId, qs[5]!, { correct: true }),
          usage: new Usage.TokenUsage({ promptTokens: 7, completionTokens: 3, reasoningTokens: 0, totalTokens: 10 }),
          llmCalls: 9,
          costUsd: 0.0000123
        })
      ]
      for (const r of rows) yield* repo.save(r)
      const fromSql = yield* repo.summarize(evaluationId)
      const fromRows = EvaluationResults.fromRows(rows)

      assert.instanceOf(fromSql, EvaluationResults.EvaluationResults)
      assert.strictEqual(fromSql.processed, 6)
      assert.strictEqual(fromSql.correct, 2)
      assert.strictEqual(fromSql.incorrect, 1)
      assert.strictEqual(fromSql.errors, 3)
      assert.deepStrictEqual(fromSql.errorsByCategory, { rate_limit_exceeded: 2, parsing_error: 1 })
      assert.deepStrictEqual(fromSql.usage, fromRows.usage)
      assert.strictEqual(fromSql.llmCalls, fromRows.llmCalls)
      // Float sums may differ in the last bit with summation order (SQLite sums with Kahan-Babuska).
      assert.closeTo(fromSql.costUsd, fromRows.costUsd, 1e-12)
      assert.closeTo(fromSql.costUsd, 0.6000123, 1e-12)
      assert.closeTo(fromSql.totalTimeMs, fromRows.totalTimeMs, 1e-9)
      assert.closeTo(fromSql.averageTimeMs, fromRows.averageTimeMs, 1e-9)
      assert.closeTo(fromSql.accuracy, fromRows.accuracy, 1e-12)
      assert.deepStrictEqual(
        { ...fromSql, costUsd: 0, totalTimeMs: 0, averageTimeMs: 0, accuracy: 0 },
        { ...fromRows, costUsd: 0, totalTimeMs: 0, averageTimeMs: 0, accuracy: 0 }
      )
    })))

  it.scoped("summarize of an evaluation without results is all zeros", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId } = yield* setup
      assert.deepStrictEqual(yield* repo.summarize(evaluationId), EvaluationResults.fromRows([]))
      assert.deepStrictEqual(yield* repo.summarize("eval_nobody"), EvaluationResults.fromRows([]))
    })))

  it.scoped("summarize only counts its own evaluation", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { bench, evaluationId, qs } = yield* setup
      const other = evaluation("eval_res002", bench, at(70))
      yield* (yield* EvaluationRepository.EvaluationRepository).create(other)
      yield* repo.save(result(evaluationId, qs[0]!, { correct: true }))
      yield* repo.save(result(other.id, qs[0]!, { error: reason() }))
      yield* repo.save(result(other.id, qs[1]!, { correct: true }))
      const mine = yield* repo.summarize(evaluationId)
      assert.strictEqual(mine.processed, 1)
      assert.strictEqual(mine.errors, 0)
      assert.deepStrictEqual(mine.errorsByCategory, {})
      assert.strictEqual((yield* repo.summarize(other.id)).processed, 2)
      assert.deepStrictEqual((yield* repo.list(other.id)).map((r) => r.questionId), ["q5", "q3"])
    })))

  it.scoped("a result for a question outside the evaluation's benchmark is a StorageError", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId } = yield* setup
      const stray = new Benchmark.Question({ id: "not-there", text: "?", expectedAnswer: "?", metadata: {} })
      const error = yield* Effect.flip(repo.save(result(evaluationId, stray)))
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "ResultRepository.save")
      assert.include(error.message, "not-there")
      assert.strictEqual(yield* rowCount(evaluationId), 0)
    })))

  it.scoped("saveAll stores every result in one go, and none of them when one is refused", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      yield* repo.saveAll(qs.slice(0, 3).map((q) => result(evaluationId, q, { correct: true })))
      assert.strictEqual(yield* rowCount(evaluationId), 3)
      yield* repo.saveAll([result(evaluationId, qs[3]!)])
      assert.strictEqual(yield* rowCount(evaluationId), 4)
      const stray = new Benchmark.Question({ id: "not-there", text: "?", expectedAnswer: "?", metadata: {} })
      const error = yield* Effect.flip(repo.saveAll([result(evaluationId, qs[4]!), result(evaluationId, stray), result(evaluationId, qs[5]!)]))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "not-there")
      assert.strictEqual(yield* rowCount(evaluationId), 4)
      // The same question twice in one batch: the later one wins, as with save.
      yield* repo.saveAll([result(evaluationId, qs[4]!, { correct: false }), result(evaluationId, qs[4]!, { correct: true })])
      assert.isTrue(Option.getOrThrow(yield* repo.find(evaluationId, qs[4]!.id)).isCorrect)
    })))

  it.scoped("a result for an evaluation that is not stored is a StorageError", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { qs } = yield* setup
      const error = yield* Effect.flip(repo.save(result("eval_ghost99", qs[0]!)))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "eval_ghost99")
    })))

  it.scoped("results are removed with their evaluation (ON DELETE CASCADE)", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluationId, qs } = yield* setup
      yield* repo.save(result(evaluationId, qs[0]!, { correct: true }))
      const sql = yield* SqlClient.SqlClient
      yield* sql`DELETE FROM evaluations WHERE id = ${evaluationId}`
      assert.strictEqual(yield* rowCount(evaluationId), 0)
    })))
})
