/**
 * BenchmarkRepository on `SqlClient`: a benchmark row plus one row per question, written in one
 * transaction with multi-row INSERTs so that large benchmarks import quickly and a failure leaves
 * nothing behind.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { type Benchmark, BenchmarkRepository, type StorageError } from "@ml-agents/core"
import { Array as Arr, Chunk, Effect, Layer, Option, Schema, Stream } from "effect"
import { storageError, toStorageError } from "./StorageErrors.js"
import { BenchmarkFromRow, QuestionFromRow, questionFromRowFast, QuestionInsertRow } from "./Rows.js"
import type { Dialect } from "./Dialect.js"

const firstDuplicate = (ids: ReadonlyArray<string>): string | undefined => {
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) return id
    seen.add(id)
  }
  return undefined
}

/** Questions read per query by `streamQuestions`. */
const QUESTION_CHUNK = 500

/** Builds the repository on the SqlClient in context, in the given dialect. */
export const make = (dialect: Dialect): Effect.Effect<BenchmarkRepository.BenchmarkRepository.Service, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const durable = yield* dialect.durable

    const insertBenchmark = SqlSchema.void({
      Request: BenchmarkFromRow,
      execute: (row) => sql`INSERT INTO benchmarks ${sql.insert(row)}`
    })

    const insertQuestions = SqlSchema.void({
      Request: Schema.Array(QuestionInsertRow),
      execute: (rows) => sql`INSERT INTO questions ${sql.insert(rows)}`
    })

    const findBy = (column: "id" | "name") =>
      SqlSchema.findOne({
        Request: Schema.String,
        Result: BenchmarkFromRow,
        execute: (value) => sql`SELECT * FROM benchmarks WHERE ${sql(column)} = ${value}`
      })
    const byId = findBy("id")
    const byName = findBy("name")

    const listAll = SqlSchema.findAll({
      Request: Schema.Void,
      Result: BenchmarkFromRow,
      execute: () => sql`SELECT * FROM benchmarks ORDER BY created_at DESC, ${dialect.byteOrder(sql, "name")}`
    })

    const questionsOf = SqlSchema.findAll({
      Request: Schema.String,
      Result: QuestionFromRow,
      execute: (benchmarkId) =>
        sql`SELECT id, text, expected_answer, metadata FROM questions WHERE benchmark_id = ${benchmarkId} ORDER BY ordinal`
    })

    // Keyset paging by ordinal, as for results: each chunk costs the same however deep it is.
    const decodeQuestions = Schema.decodeUnknown(Schema.Array(QuestionFromRow))
    const questionsAfter = (benchmarkId: string, after: number) =>
      Effect.gen(function*() {
        const rows = yield* sql<{ readonly ordinal: number }>`SELECT ordinal, id, text, expected_answer, metadata
          FROM questions WHERE benchmark_id = ${benchmarkId} AND ordinal > ${after} ORDER BY ordinal LIMIT ${QUESTION_CHUNK}`
        const fast = rows.map(questionFromRowFast)
        const questions = fast.every((q) => q !== undefined) ? fast : yield* decodeQuestions(rows)
        const next = rows.length < QUESTION_CHUNK ? Option.none() : Option.some(rows[rows.length - 1]!.ordinal)
        return [Chunk.unsafeFromArray(questions as Array<Benchmark.Question>), next] as const
      }).pipe(Effect.mapError(toStorageError("BenchmarkRepository.streamQuestions")))

    const streamQuestions = (benchmarkId: string) =>
      Stream.paginateChunkEffect(-1, (after: number) => questionsAfter(benchmarkId, after))

    const create = Effect.fn("BenchmarkRepository.create")(
      function*(benchmark: Benchmark.PreprocessedBenchmark, questions: ReadonlyArray<Benchmark.Question>) {
        yield* Effect.annotateCurrentSpan({ "benchmark.name": benchmark.name, "benchmark.questions": questions.length })
        const rows = questions.map((question, ordinal) => ({
          benchmark_id: benchmark.id,
          ordinal,
          id: question.id,
          text: question.text,
          expected_answer: question.expectedAnswer,
          metadata: question.metadata
        }))
        // The name's UNIQUE constraint detects an existing benchmark (see below). Not reading
        // first keeps the transaction's first statement a write: a deferred SQLite transaction
        // that reads and then writes fails at once, without waiting, when another process wrote in
        // between.
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* insertBenchmark(benchmark)
          for (const batch of Arr.chunksOf(rows, dialect.questionBatch)) {
            yield* insertQuestions(batch)
          }
        }))
      },
      (effect, benchmark, questions) =>
        Effect.catchAll(effect, (error): Effect.Effect<
          never,
          BenchmarkRepository.BenchmarkAlreadyExists | StorageError.StorageError
        > => {
          const alreadyExists = new BenchmarkRepository.BenchmarkAlreadyExists({ name: benchmark.name })
          if (dialect.violated(error, "benchmarks.name")) return Effect.fail(alreadyExists)
          if (dialect.violated(error, "benchmarks.id")) {
            // The database names one violated constraint; the name may be taken as well.
            return byName(benchmark.name).pipe(
              Effect.mapError(toStorageError("BenchmarkRepository.create")),
              Effect.flatMap((existing) =>
                Effect.fail(
                  Option.isSome(existing)
                    ? alreadyExists
                    : storageError("BenchmarkRepository.create", `a benchmark with id '${benchmark.id}' is already stored`)
                )
              )
            )
          }
          if (dialect.violated(error, "questions.id")) {
            const duplicate = firstDuplicate(questions.map((q) => q.id))
            return Effect.fail(storageError(
              "BenchmarkRepository.create",
              `benchmark '${benchmark.name}' has two questions with the id '${duplicate ?? "?"}'; nothing was stored`
            ))
          }
          return Effect.fail(toStorageError("BenchmarkRepository.create")(error))
        }),
      // Imported once on the disk (see Dialect.durable).
      (effect) => Effect.zipRight(effect, durable)
    )

    const findByName = Effect.fn("BenchmarkRepository.findByName")(
      (name: string) => byName(name),
      Effect.mapError(toStorageError("BenchmarkRepository.findByName"))
    )

    const findById = Effect.fn("BenchmarkRepository.findById")(
      (id: string) => byId(id),
      Effect.mapError(toStorageError("BenchmarkRepository.findById"))
    )

    const list = listAll(undefined).pipe(
      Effect.mapError(toStorageError("BenchmarkRepository.list")),
      Effect.withSpan("BenchmarkRepository.list")
    )

    const questions = Effect.fn("BenchmarkRepository.questions")(
      (benchmarkId: string) => questionsOf(benchmarkId),
      Effect.mapError(toStorageError("BenchmarkRepository.questions"))
    )

    return BenchmarkRepository.BenchmarkRepository.of({ create, findByName, findById, list, questions, streamQuestions })
  })

/** The BenchmarkRepository, on the SqlClient, in the given dialect. */
export const layer = (dialect: Dialect): Layer.Layer<BenchmarkRepository.BenchmarkRepository, never, SqlClient.SqlClient> =>
  Layer.effect(BenchmarkRepository.BenchmarkRepository, make(dialect))
