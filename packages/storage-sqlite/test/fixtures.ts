/**
 * Test fixtures: a scoped temporary directory, a migrated database in it, and domain values.
 */
import { AgentConfig, Benchmark, Evaluation, FailureReason, QuestionResult, type StorageError, Usage } from "@ml-agents/core"
import { type Context, Effect, Layer, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStorage from "../src/SqliteStorage.js"

/** A fresh directory, removed with everything in it when the scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-sqlite-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Opens (and migrates) the database file for the rest of the scope, returning its services. */
export const open = (
  filename: string
): Effect.Effect<Context.Context<SqliteStorage.Services>, StorageError.StorageError, Scope.Scope> =>
  Layer.build(SqliteStorage.layer({ filename }))

/** Runs an effect against a new database file in a temporary directory. */
export const withDatabase = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StorageError.StorageError, Scope.Scope | Exclude<R, SqliteStorage.Services>> =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const context = yield* open(path.join(dir, "test.db"))
    return yield* Effect.provide(effect, context)
  })

const base = new Date("2025-03-01T10:00:00.000Z").getTime()

/** A date `seconds` after a fixed instant. */
export const at = (seconds: number): Date => new Date(base + seconds * 1000)

/** Questions `q0…q{n-1}` with metadata. */
export const questions = (n: number, prefix = "q"): Array<Benchmark.Question> =>
  Array.from({ length: n }, (_, i) =>
    new Benchmark.Question({
      id: `${prefix}${i}`,
      text: `What is ${i} + ${i}?`,
      expectedAnswer: String(i * 2),
      metadata: { index: String(i), subject: i % 2 === 0 ? "even" : "odd" }
    }))

/** A benchmark named `name` for `count` questions. */
export const benchmark = (name: string, count: number, createdAt = at(0)): Benchmark.PreprocessedBenchmark =>
  new Benchmark.PreprocessedBenchmark({
    id: `bench_${name.toLowerCase()}`,
    name,
    description: `The ${name} benchmark`,
    questionCount: count,
    formatVersion: Benchmark.FORMAT_VERSION,
    metadata: { source: `${name}.csv`, columns: ["INPUT", "OUTPUT"], nested: { a: 1, b: null } },
    createdAt
  })

/** An agent configuration with every optional field used. */
export const agentConfig = new AgentConfig.AgentConfig({
  agentType: "tot",
  modelProvider: "openrouter",
  modelName: "anthropic/claude-3.5-sonnet",
  modelParameters: new AgentConfig.ModelParameters({ temperature: 0.9, maxTokens: 1500, topP: 0.95 }),
  agentParameters: { tree_depth: 3, branches_per_step: 4, evaluation_method: "vote", backtrack_on_failure: true }
})

/** A pending evaluation of a benchmark. */
export const evaluation = (
  id: string,
  bench: Benchmark.PreprocessedBenchmark,
  createdAt = at(60),
  config: AgentConfig.AgentConfig = agentConfig
): Evaluation.Evaluation =>
  Evaluation.create({ id, agentConfig: config, benchmarkId: bench.id, benchmarkName: bench.name, now: createdAt })

/** A failure reason. */
export const reason = (category: FailureReason.FailureCategory = "rate_limit_exceeded") =>
  FailureReason.make({ category, description: `failed with ${category}`, technicalDetails: "HTTP 429 {\"error\":\"slow down\"}" })

/** A result of question `question` in an evaluation. */
export const result = (
  evaluationId: string,
  question: Benchmark.Question,
  options: {
    readonly correct?: boolean
    readonly error?: FailureReason.FailureReason | null
    readonly cost?: number | null
    readonly timeMs?: number
    readonly trace?: unknown
    readonly processedAt?: Date
    readonly calls?: ReadonlyArray<QuestionResult.ModelCall>
  } = {}
): QuestionResult.EvaluationQuestionResult =>
  new QuestionResult.EvaluationQuestionResult({
    evaluationId,
    questionId: question.id,
    questionText: question.text,
    expectedAnswer: question.expectedAnswer,
    extractedAnswer: options.error ? null : options.correct ? question.expectedAnswer : "wrong",
    rawOutput: options.error ? null : `Answer: ${options.correct ? question.expectedAnswer : "wrong"}`,
    isCorrect: options.error ? false : options.correct ?? false,
    executionTimeMs: options.timeMs ?? 1234.5,
    reasoningTrace: options.trace ?? { steps: ["think", "answer"], depth: 1 },
    error: options.error ?? null,
    usage: new Usage.TokenUsage({ promptTokens: 100, completionTokens: 40, reasoningTokens: 10, totalTokens: 140 }),
    costUsd: options.cost === undefined ? 0.00125 : options.cost,
    llmCalls: 2,
    calls: options.calls ?? [],
    processedAt: options.processedAt ?? at(120)
  })
