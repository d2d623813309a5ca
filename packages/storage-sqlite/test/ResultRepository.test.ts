/**
 * The SQLite ResultRepository on a real file, beyond the storage conformance suite: the row
 * encoding, traces JSON cannot hold, the model_calls view, and deletion with the evaluation.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import {
  Benchmark,
  BenchmarkRepository,
  EvaluationRepository,
  QuestionResult,
  ResultRepository
} from "@ml-agents/core"
import { Effect, Either, Schema } from "effect"
import { Rows } from "@ml-agents/storage-sql"
import { benchmark, evaluation, reason, result, withDatabase } from "./fixtures.js"

const { ResultFromRow, resultRow } = Rows

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
      new QuestionResult.EvaluationQuestionResult({ ...result("e1", q, {}), gradeDetails: { passed: 3, failed: 1 } }),
      new QuestionResult.EvaluationQuestionResult({
        ...result("e1", q, {}),
        sampleGrades: [{ outcome: "correct", rawOutput: "Answer: 1" }, { outcome: "no_answer", rawOutput: "\u0000\"é\n" }]
      })
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
