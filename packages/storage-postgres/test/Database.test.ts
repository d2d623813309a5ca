/**
 * The PostgreSQL database: URL parsing, connecting and migrating (also from several processes at
 * once), failures that name the database and never the password, DATABASE_POOL_SIZE, the views
 * the README documents, and the schema version health reports.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { EvaluationRepository, ResultRepository } from "@ml-agents/core"
import { ConfigProvider, Effect, Either, Exit, Layer, Logger, LogLevel } from "effect"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Database from "../src/Database.js"
import * as Migrations from "../src/Migrations.js"
import * as PgStorage from "../src/PgStorage.js"
import * as TestDatabase from "../src/TestDatabase.js"
import { freshSchema, open, serverAvailable, setUp, tearDown, withDatabase } from "./fixtures.js"
import { AgentConfig, Benchmark, BenchmarkRepository, Evaluation, FailureReason, QuestionResult, Usage } from "@ml-agents/core"

describe("Database.parseUrl", () => {
  it("accepts postgresql://, postgres:// and SQLAlchemy's postgresql+driver://, and says where they point", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["postgresql://admin:s3cr3t@db.example.com:5433/ml", "admin@db.example.com:5433/ml"],
      ["postgres://me@localhost/results?sslmode=require&application_name=x", "me@localhost:5432/results"],
      ["postgresql+psycopg2://u:p%40ss@10.0.0.5/lab", "u@10.0.0.5:5432/lab"],
      ["postgresql://postgres@127.0.0.1:5432/test", "postgres@127.0.0.1:5432/test"]
    ]
    for (const [url, display] of cases) {
      const parsed = Database.parseUrl(url)
      assert.isTrue(Either.isRight(parsed), url)
      assert.strictEqual(Either.getOrThrow(parsed).display, display)
      assert.notInclude(Either.getOrThrow(parsed).display, "s3cr3t")
    }
    assert.isTrue(Database.isPostgresUrl("POSTGRESQL://x/y"))
    assert.isFalse(Database.isPostgresUrl("sqlite:///x.db"))
    assert.isFalse(Database.isPostgresUrl("./postgres.db"))
  })

  it("refuses an unknown sslmode, naming DATABASE_URL, with the password masked", () => {
    const parsed = Database.parseUrl("postgresql://u:hunter2@h/db?sslmode=sometimes")
    assert.isTrue(Either.isLeft(parsed))
    const message = Either.isLeft(parsed) ? parsed.left.message : ""
    assert.include(message, "DATABASE_URL")
    assert.include(message, "sslmode")
    assert.notInclude(message, "hunter2")
  })
})

describe("Database.config", () => {
  const read = (env: Record<string, string>) =>
    Effect.withConfigProvider(Database.config, ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("reads DATABASE_POOL_SIZE, default 10", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* read({ DATABASE_URL: "postgresql://h/db" })).poolSize, 10)
      assert.strictEqual((yield* read({ DATABASE_URL: "postgresql://h/db", DATABASE_POOL_SIZE: "32" })).poolSize, 32)
    }))

  it.effect("a bad DATABASE_POOL_SIZE is a ConfigError naming it", () =>
    Effect.gen(function*() {
      for (const bad of ["0", "many", "2.5", "5000"]) {
        const exit = yield* Effect.exit(read({ DATABASE_URL: "postgresql://h/db", DATABASE_POOL_SIZE: bad }))
        assert.isTrue(Exit.isFailure(exit), bad)
        assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "DATABASE_POOL_SIZE")
      }
    }))
})

describe("connection failures", () => {
  it.scoped("a server that is not running is a StorageError naming the database and saying so", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(TestDatabase.closedPort)
      const error = yield* Effect.flip(Layer.build(PgStorage.layer({ url: `postgresql://researcher:hunter2@127.0.0.1:${port}/lab` })))
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual((error as { operation: string }).operation, Database.CONNECT)
      assert.include(error.message, `researcher@127.0.0.1:${port}/lab`)
      assert.include(error.message, "refused")
      assert.notInclude(error.message, "hunter2")
    }))

  it.scoped("a refused password is a StorageError saying so, without the password", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(Effect.promise(TestDatabase.refusingServer), (s) => Effect.promise(s.close))
      const password = "Sup3r-S3cret/pass@word"
      const error = yield* Effect.flip(Layer.build(PgStorage.layer({ url: server.url("researcher", password) })))
      assert.deepStrictEqual(server.passwords, [password], "the password reached the server")
      assert.strictEqual((error as { operation: string }).operation, Database.CONNECT)
      assert.include(error.message, "refused the password")
      assert.notInclude(error.message, password)
      assert.notInclude(error.message, encodeURIComponent(password))
      assert.notInclude(JSON.stringify(error), "S3cret")
    }))
})

describe.skipIf(!serverAvailable)("Database on a real server", () => {
  beforeAll(setUp)
  afterAll(tearDown)

  it.scoped("creates the tables, the views and the migrations record; status reports the server and schema version", () =>
    withDatabase(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql<{ name: string }>`
        SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() ORDER BY table_name`
      assert.deepStrictEqual(tables.map((t) => t.name), [
        "benchmarks",
        "effect_sql_migrations",
        "evaluation_errors",
        "evaluation_question_results",
        "evaluation_summary",
        "evaluations",
        "experiment_cells",
        "experiment_samples",
        "experiments",
        "model_calls",
        "questions",
        "response_cache",
        "work_items"
      ])
      const status = yield* Database.status
      assert.match(status.server, /^PostgreSQL \d+/)
      assert.strictEqual(status.schemaVersion, Migrations.LATEST)
      assert.strictEqual(status.latestVersion, Migrations.LATEST)
    })))

  it.scoped("opening again runs no migration twice and keeps the data", () =>
    Effect.gen(function*() {
      const url = yield* freshSchema
      const first = yield* open(url)
      const bench = new Benchmark.PreprocessedBenchmark({
        id: "bench_keep", name: "KEEP", description: "", questionCount: 0, formatVersion: "1", metadata: {}, createdAt: new Date()
      })
      yield* Effect.provide(Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (r) => r.create(bench, [])), first)
      const again = yield* Effect.scoped(Effect.flatMap(open(url), (context) =>
        Effect.provide(Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const ran = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM effect_sql_migrations`
          const found = yield* (yield* BenchmarkRepository.BenchmarkRepository).findByName("KEEP")
          return { ran: ran[0]!.n, found: found._tag }
        }), context)))
      assert.deepStrictEqual(again, { ran: Migrations.LATEST, found: "Some" })
    }))

  it("several processes starting at once on a new database migrate it once, and all of them work", async () => {
    const database = await TestDatabase.create("mla_migrate_race")
    try {
      const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrate-child.mjs")
      const outputs = await Promise.all(Array.from({ length: 4 }, () =>
        new Promise<string>((resolve, reject) =>
          execFile(process.execPath, [child, database.url], { timeout: 60_000 }, (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())))))
      for (const output of outputs) assert.deepStrictEqual(JSON.parse(output), { version: Migrations.LATEST, benchmarks: 0 })
      const rows = await TestDatabase.query<{ migration_id: number }>(database.url, "SELECT migration_id FROM effect_sql_migrations ORDER BY 1")
      assert.deepStrictEqual(rows.map((r) => r.migration_id), Array.from({ length: Migrations.LATEST }, (_, i) => i + 1))
    } finally {
      await database.drop()
    }
  })

  it.scoped("the views read like SQLite's: evaluation_summary, evaluation_errors, model_calls", () =>
    withDatabase(Effect.gen(function*() {
      const qs = ["a", "b", "c"].map((id) => new Benchmark.Question({ id, text: id, expectedAnswer: "1", metadata: {} }))
      const bench = new Benchmark.PreprocessedBenchmark({
        id: "bench_v", name: "V", description: "", questionCount: 3, formatVersion: "1", metadata: {}, createdAt: new Date("2025-01-01T00:00:00.000Z")
      })
      yield* (yield* BenchmarkRepository.BenchmarkRepository).create(bench, qs)
      const config = new AgentConfig.AgentConfig({
        agentType: "none", modelProvider: "openrouter", modelName: "m/x", modelParameters: new AgentConfig.ModelParameters({}), agentParameters: {}
      })
      const e = Evaluation.create({ id: "eval_view01", agentConfig: config, benchmarkId: bench.id, benchmarkName: "V", now: new Date("2025-01-02T00:00:00.000Z") })
      yield* (yield* EvaluationRepository.EvaluationRepository).create(e)
      const usage = new Usage.TokenUsage({ promptTokens: 10, completionTokens: 5, reasoningTokens: 1, totalTokens: 15 })
      const call = { model: "m/x", provider: "P", generationId: "gen-1", finishReason: "stop", promptTokens: 10, completionTokens: 5, reasoningTokens: 1, costUsd: 0.25, attempts: 0, error: null }
      const row = (q: Benchmark.Question, correct: boolean, error: boolean) =>
        new QuestionResult.EvaluationQuestionResult({
          evaluationId: e.id, questionId: q.id, questionText: q.text, expectedAnswer: "1", extractedAnswer: error ? null : correct ? "1" : "2",
          rawOutput: null, isCorrect: correct, executionTimeMs: 100, reasoningTrace: null,
          error: error ? FailureReason.make({ category: "network_timeout", description: "t" }) : null,
          usage, costUsd: 0.25, llmCalls: 1, calls: [call], outcome: error ? null : correct ? "correct" : "incorrect", processedAt: new Date("2025-01-03T00:00:00.000Z")
        })
      yield* (yield* ResultRepository.ResultRepository).saveAll([row(qs[0]!, true, false), row(qs[1]!, false, false), row(qs[2]!, false, true)])
      const sql = yield* SqlClient.SqlClient
      const [summary] = yield* sql<Record<string, unknown>>`SELECT * FROM evaluation_summary WHERE evaluation_id = ${e.id}`
      assert.deepStrictEqual(
        { ...summary },
        {
          evaluation_id: "eval_view01", status: "pending", agent_type: "none", model_name: "m/x", benchmark_name: "V",
          questions: 3, processed: 3, correct: 1, incorrect: 1, no_answer: 0, errors: 1, accuracy: 1 / 3,
          total_tokens: 45, reasoning_tokens: 3, cost_usd: 0.75, llm_calls: 3, avg_time_ms: 100,
          created_at: "2025-01-02T00:00:00.000Z", completed_at: null
        }
      )
      const errors = yield* sql`SELECT * FROM evaluation_errors`
      assert.deepStrictEqual(errors.map((r) => ({ ...r })), [{ evaluation_id: "eval_view01", category: "network_timeout", questions: 1 }])
      const calls = yield* sql`SELECT question_id, call_number, provider, generation_id, prompt_tokens, cost_usd, attempts, cached FROM model_calls ORDER BY question_id`
      assert.deepStrictEqual(calls.map((r) => ({ ...r })).slice(0, 1), [
        { question_id: "a", call_number: 1, provider: "P", generation_id: "gen-1", prompt_tokens: 10, cost_usd: 0.25, attempts: 0, cached: 1 }
      ])
      assert.strictEqual(calls.length, 3)
    })))

  it.scoped("DATABASE_ECHO logs each statement at Debug level", () =>
    Effect.gen(function*() {
      const url = yield* freshSchema
      const logged: Array<string> = []
      const logger = Logger.make(({ message }) => void logged.push(String(Array.isArray(message) ? message[0] : message)))
      const context = yield* Layer.build(PgStorage.layer({ url, echo: true }))
      yield* Effect.provide(Effect.flatMap(BenchmarkRepository.BenchmarkRepository, (r) => r.findByName("x")), context).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      assert.isTrue(logged.some((l) => l.startsWith("SELECT * FROM benchmarks WHERE")), logged.join("\n"))
    }))
})
