/**
 * The SQLite BenchmarkRepository on a real file, beyond the storage conformance suite: the
 * hand-checked question decoder, corrupted rows, all-or-nothing imports counted in the tables, and
 * how long a large import takes.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Benchmark, BenchmarkRepository } from "@ml-agents/core"
import { Effect, Either, Option, Schema, Stream } from "effect"
import { Rows } from "@ml-agents/storage-sql"
import { benchmark, questions, withDatabase } from "./fixtures.js"

const { QuestionFromRow, questionFromRowFast } = Rows

const Repo = BenchmarkRepository.BenchmarkRepository

const count = (table: "benchmarks" | "questions") =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`
    return rows[0]!.n
  })

describe("SqliteBenchmarkRepository", () => {
  it("the hand-checked question decoder agrees with the schema, and refuses what the schema refuses", () => {
    const good = [
      { id: "q1", text: "What is 2+2?", expected_answer: "4", metadata: "{}" },
      { id: "z", text: "ünïcödé \"quoted\"\nline", expected_answer: "", metadata: '{"category":"math","source":"x"}' }
    ]
    for (const row of good) {
      assert.deepStrictEqual(questionFromRowFast(row), Schema.decodeUnknownSync(QuestionFromRow)(row))
    }
    const bad = [
      { id: null, text: "t", expected_answer: "a", metadata: "{}" },
      { id: "q", text: "t", expected_answer: 4, metadata: "{}" },
      { id: "q", text: "t", expected_answer: "a", metadata: "not json" },
      { id: "q", text: "t", expected_answer: "a", metadata: '{"n":1}' },
      { id: "q", text: "t", expected_answer: "a", metadata: "[]" },
      null
    ]
    for (const row of bad) {
      assert.isUndefined(questionFromRowFast(row))
      assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(QuestionFromRow)(row)))
    }
  })

  it.scoped("a corrupted question row stops the stream with the schema's StorageError", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* BenchmarkRepository.BenchmarkRepository
      yield* repo.create(benchmark("BAD", 3), questions(3))
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE questions SET metadata = 'not json' WHERE ordinal = 1`
      const error = yield* Effect.flip(Stream.runCollect(repo.streamQuestions("bench_bad")))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "data does not match the table's schema")
    })))

  it.scoped("an import with a duplicate question id near the end of 10,000 stores nothing", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const qs = questions(10_000)
      qs[9_990] = new Benchmark.Question({ ...qs[9_990]!, id: qs[17]!.id })
      const error = yield* Effect.flip(repo.create(benchmark("BBEH", qs.length), qs))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, "q17")
      assert.deepStrictEqual(yield* repo.findByName("BBEH"), Option.none())
      assert.strictEqual(yield* count("benchmarks"), 0)
      assert.strictEqual(yield* count("questions"), 0)
      // and the database is still usable afterwards
      yield* repo.create(benchmark("BBEH", 3), questions(3))
      assert.strictEqual(yield* count("questions"), 3)
    })))

  it.scoped("imports 50,000 questions in one transaction (timing printed, not asserted)", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const qs = questions(50_000)
      const started = performance.now()
      yield* repo.create(benchmark("LARGE", qs.length), qs)
      const imported = performance.now() - started
      const read = yield* repo.questions("bench_large")
      const total = performance.now() - started
      console.log(
        `[storage-sqlite] imported 50,000 questions in ${imported.toFixed(0)} ms; read back in ${
          (total - imported).toFixed(0)
        } ms`
      )
      assert.strictEqual(read.length, 50_000)
      assert.strictEqual(read[49_999]!.id, "q49999")
      assert.strictEqual(read[12_345]!.expectedAnswer, "24690")
    })))
})
