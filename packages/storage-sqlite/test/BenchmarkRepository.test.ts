/**
 * The SQLite BenchmarkRepository on a real file: round trips, question order, name conflicts,
 * all-or-nothing imports, and how long a large import takes.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Benchmark, BenchmarkRepository } from "@ml-agents/core"
import { Chunk, Effect, Either, Option, Schema, Stream } from "effect"
import { QuestionFromRow, questionFromRowFast } from "../src/internal/rows.js"
import { at, benchmark, questions, withDatabase } from "./fixtures.js"

const Repo = BenchmarkRepository.BenchmarkRepository

const count = (table: "benchmarks" | "questions") =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)}`
    return rows[0]!.n
  })

describe("SqliteBenchmarkRepository", () => {
  it.scoped("round-trips a benchmark with its metadata, and its questions in file order", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const bench = benchmark("GPQA", 5)
      // ids deliberately not in sorted order: order must come from the file, not from the ids
      const qs = ["z9", "a1", "m5", "10", "2"].map((id, i) =>
        new Benchmark.Question({
          id,
          text: `Question ${i} with "quotes", commas, and a\nnewline — and ünïcödé`,
          expectedAnswer: `answer ${i}`,
          metadata: i === 0 ? {} : { Subject: "physics", "Extra Column": `v${i}` }
        })
      )
      yield* repo.create(bench, qs)

      assert.deepStrictEqual(yield* repo.findByName("GPQA"), Option.some(bench))
      assert.deepStrictEqual(yield* repo.findById(bench.id), Option.some(bench))
      const found = Option.getOrThrow(yield* repo.findById(bench.id))
      assert.instanceOf(found, Benchmark.PreprocessedBenchmark)
      assert.strictEqual(found.createdAt.toISOString(), bench.createdAt.toISOString())

      const stored = yield* repo.questions(bench.id)
      assert.deepStrictEqual(stored, qs)
      assert.deepStrictEqual(stored.map((q) => q.id), ["z9", "a1", "m5", "10", "2"])
      assert.instanceOf(stored[0], Benchmark.Question)
    })))

  it.scoped("streams a benchmark's questions in file order across chunks, and only that benchmark's", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* BenchmarkRepository.BenchmarkRepository
      const many = questions(1111).reverse() // file order differs from id order
      yield* repo.create(benchmark("MANY", many.length), many)
      yield* repo.create(benchmark("FEW", 2), questions(2, "f"))
      const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(repo.streamQuestions("bench_many")))
      assert.deepStrictEqual(streamed, many)
      assert.deepStrictEqual(streamed, yield* repo.questions("bench_many"))
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(repo.streamQuestions("bench_none"))), 0)
    })))

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

  it.scoped("finds nothing for unknown names and ids", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      assert.deepStrictEqual(yield* repo.findByName("nope"), Option.none())
      assert.deepStrictEqual(yield* repo.findById("nope"), Option.none())
      assert.deepStrictEqual(yield* repo.questions("nope"), [])
    })))

  it.scoped("lists benchmarks most recent first", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      yield* repo.create(benchmark("OLD", 1, at(0)), questions(1))
      yield* repo.create(benchmark("NEW", 1, at(200)), questions(1))
      yield* repo.create(benchmark("MID", 1, at(100)), questions(1))
      const listed = yield* repo.list
      assert.deepStrictEqual(listed.map((b) => b.name), ["NEW", "MID", "OLD"])
    })))

  it.scoped("a second benchmark with the same name fails with BenchmarkAlreadyExists and changes nothing", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const first = benchmark("FOLIO", 3)
      yield* repo.create(first, questions(3))
      const second = new Benchmark.PreprocessedBenchmark({ ...benchmark("FOLIO", 2), id: "bench_other" })
      const error = yield* Effect.flip(repo.create(second, questions(2, "x")))
      assert.strictEqual(error._tag, "BenchmarkAlreadyExists")
      assert.strictEqual((error as BenchmarkRepository.BenchmarkAlreadyExists).name, "FOLIO")
      assert.deepStrictEqual(yield* repo.findByName("FOLIO"), Option.some(first))
      assert.strictEqual(yield* count("benchmarks"), 1)
      assert.strictEqual(yield* count("questions"), 3)
    })))

  it.scoped("importing the very same benchmark again (same id and name) is BenchmarkAlreadyExists", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const bench = benchmark("LeetCode_Python_Easy", 2)
      yield* repo.create(bench, questions(2))
      const error = yield* Effect.flip(repo.create(bench, questions(2)))
      assert.strictEqual(error._tag, "BenchmarkAlreadyExists")
      assert.strictEqual(error.message, "a benchmark named 'LeetCode_Python_Easy' is already imported")
      assert.strictEqual(yield* count("questions"), 2)
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

  it.scoped("a second benchmark with the same id is a StorageError, not a crash", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      yield* repo.create(benchmark("ONE", 1), questions(1))
      const clash = new Benchmark.PreprocessedBenchmark({ ...benchmark("ONE", 1), name: "TWO" })
      const error = yield* Effect.flip(repo.create(clash, questions(1)))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, clash.id)
      assert.strictEqual(yield* count("questions"), 1)
    })))

  it.scoped("a benchmark with no questions is stored", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      yield* repo.create(benchmark("EMPTY", 0), [])
      assert.isTrue(Option.isSome(yield* repo.findByName("EMPTY")))
      assert.deepStrictEqual(yield* repo.questions("bench_empty"), [])
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
