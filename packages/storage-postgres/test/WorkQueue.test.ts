/**
 * The work queue on PostgreSQL across separate connection pools, as workers on separate machines
 * have: racing claims get disjoint batches, and the results they complete make exactly one row
 * per question.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import {
  AgentConfig,
  Benchmark,
  BenchmarkRepository,
  Evaluation,
  EvaluationRepository,
  QuestionResult,
  Usage,
  WorkQueue
} from "@ml-agents/core"
import { Context, Effect } from "effect"
import { freshSchema, open, serverAvailable, setUp, tearDown } from "./fixtures.js"

const N = 500

describe.skipIf(!serverAvailable)("WorkQueue on PostgreSQL, two pools", () => {
  beforeAll(setUp)
  afterAll(tearDown)

  it.scoped("workers on two pools claim disjoint batches and complete every question exactly once", () =>
    Effect.gen(function*() {
      const url = yield* freshSchema
      const machineA = yield* open(url)
      const machineB = yield* open(url)
      const questions = Array.from({ length: N }, (_, i) =>
        new Benchmark.Question({ id: `q${i}`, text: `Q${i}`, expectedAnswer: String(i), metadata: {} }))
      const bench = new Benchmark.PreprocessedBenchmark({
        id: "bench_queue", name: "QUEUE", description: "", questionCount: N, formatVersion: "1", metadata: {}, createdAt: new Date()
      })
      const evaluation = Evaluation.create({
        id: "eval_queue01",
        agentConfig: new AgentConfig.AgentConfig({
          agentType: "none", modelProvider: "openrouter", modelName: "m/x", modelParameters: new AgentConfig.ModelParameters({}), agentParameters: {}
        }),
        benchmarkId: bench.id,
        benchmarkName: bench.name,
        now: new Date()
      })
      yield* Effect.provide(Effect.gen(function*() {
        yield* (yield* BenchmarkRepository.BenchmarkRepository).create(bench, questions)
        yield* (yield* EvaluationRepository.EvaluationRepository).create(evaluation)
        assert.strictEqual(yield* (yield* WorkQueue.WorkQueue).enqueue(evaluation.id, new Date()), N)
      }), machineA)

      const worker = (machine: Context.Context<WorkQueue.WorkQueue>, owner: string) =>
        Effect.gen(function*() {
          const queue = Context.get(machine, WorkQueue.WorkQueue)
          const answered: Array<string> = []
          for (;;) {
            const now = new Date()
            const batch = yield* queue.claim({ owner, batch: 8, now, expiresAt: new Date(now.getTime() + 60_000) })
            if (batch.length === 0) return answered
            yield* queue.complete(batch.map((item) =>
              new QuestionResult.EvaluationQuestionResult({
                evaluationId: item.evaluationId, questionId: item.questionId, questionText: "", expectedAnswer: "",
                extractedAnswer: owner, rawOutput: null, isCorrect: true, executionTimeMs: 1, reasoningTrace: null, error: null,
                usage: new Usage.TokenUsage({ promptTokens: 1, completionTokens: 1, reasoningTokens: 0, totalTokens: 2 }),
                costUsd: null, llmCalls: 1, calls: [], processedAt: new Date()
              })
            ))
            answered.push(...batch.map((i) => i.questionId))
          }
        })
      const done = yield* Effect.all(
        [0, 1, 2, 3].flatMap((i) => [worker(machineA, `a${i}`), worker(machineB, `b${i}`)]),
        { concurrency: "unbounded" }
      )
      const all = done.flat()
      assert.strictEqual(all.length, N)
      assert.strictEqual(new Set(all).size, N)
      assert.isTrue(done.filter((d) => d.length > 0).length >= 2, "the work was shared")
      const counts = yield* Effect.provide(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [rows] = yield* sql<{ rows: number; distinct: number }>`
          SELECT COUNT(*) AS rows, COUNT(DISTINCT question_id) AS distinct FROM evaluation_question_results`
        const [left] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM work_items`
        return { ...rows, left: left!.n }
      }), machineB)
      assert.deepStrictEqual(counts, { rows: N, distinct: N, left: 0 })
    }))

  it.scoped("a worker's heartbeats while it completes its claims (two connections of one pool) never deadlock", () =>
    Effect.gen(function*() {
      const url = yield* freshSchema
      const machine = yield* open(url)
      const n = 240
      const bench = new Benchmark.PreprocessedBenchmark({
        id: "bench_beat", name: "BEAT", description: "", questionCount: n, formatVersion: "1", metadata: {}, createdAt: new Date()
      })
      const evaluation = Evaluation.create({
        id: "eval_beat01",
        agentConfig: new AgentConfig.AgentConfig({
          agentType: "none", modelProvider: "openrouter", modelName: "m/x", modelParameters: new AgentConfig.ModelParameters({}), agentParameters: {}
        }),
        benchmarkId: bench.id,
        benchmarkName: bench.name,
        now: new Date()
      })
      const queue = Context.get(machine, WorkQueue.WorkQueue)
      yield* Effect.provide(Effect.gen(function*() {
        yield* (yield* BenchmarkRepository.BenchmarkRepository).create(
          bench,
          Array.from({ length: n }, (_, i) => new Benchmark.Question({ id: `q${i}`, text: `Q${i}`, expectedAnswer: "1", metadata: {} }))
        )
        yield* (yield* EvaluationRepository.EvaluationRepository).create(evaluation)
      }), machine)
      assert.strictEqual(yield* queue.enqueue(evaluation.id, new Date()), n)
      const now = new Date()
      const claimed = yield* queue.claim({ owner: "w", batch: n, now, expiresAt: new Date(now.getTime() + 60_000) })
      assert.strictEqual(claimed.length, n)
      // Completions in batches, newest first (another order than the rows'), while heartbeats
      // renew the same worker's leases over and over on other connections.
      let completing = true
      const completions = Effect.forEach(
        Array.from({ length: n / 8 }, (_, b) => claimed.slice(b * 8, b * 8 + 8).reverse()).reverse(),
        (batch) =>
          queue.complete(batch.map((item) =>
            new QuestionResult.EvaluationQuestionResult({
              evaluationId: item.evaluationId, questionId: item.questionId, questionText: "", expectedAnswer: "",
              extractedAnswer: "1", rawOutput: null, isCorrect: true, executionTimeMs: 1, reasoningTrace: null, error: null,
              usage: new Usage.TokenUsage({ promptTokens: 1, completionTokens: 1, reasoningTokens: 0, totalTokens: 2 }),
              costUsd: null, llmCalls: 1, calls: [], processedAt: new Date()
            })
          )),
        { concurrency: 3 }
      ).pipe(Effect.ensuring(Effect.sync(() => {
        completing = false
      })))
      const heartbeats = Effect.gen(function*() {
        let beats = 0
        while (completing) {
          yield* Effect.all([0, 1].map(() => queue.heartbeat("w", new Date(Date.now() + 60_000))), { concurrency: 2 })
          beats++
        }
        return beats
      })
      const [, beats] = yield* Effect.all([completions, heartbeats], { concurrency: 2 })
      assert.isAbove(beats, 0)
      const left = yield* Effect.provide(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [rows] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM evaluation_question_results`
        const [items] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM work_items`
        return [Number(rows!.n), Number(items!.n)]
      }), machine)
      assert.deepStrictEqual(left, [n, 0])
    }))
})
