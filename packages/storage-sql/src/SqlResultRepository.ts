/**
 * ResultRepository on `SqlClient`: one row per (evaluation, question), upserted so that a re-run
 * replaces rather than duplicates, listed in benchmark order, and summarised by one aggregate
 * query instead of loading every row. The dialect supplies the JSON queries and counting forms.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { EvaluationResults, type QuestionResult, ResultRepository, type StorageError, Usage } from "@ml-agents/core"
import { Chunk, Effect, Either, Layer, Option, Schema, Stream } from "effect"
import type { Dialect } from "./Dialect.js"
import { ResultFromRow, type ResultRow, resultRow, TotalsRow } from "./Rows.js"
import { storageError, toStorageError } from "./StorageErrors.js"

const PageRequest = Schema.Struct({
  evaluationId: Schema.String,
  offset: Schema.Int.pipe(Schema.nonNegative()),
  limit: Schema.optional(Schema.Int)
})

/** Results read per query by `stream`. */
const STREAM_CHUNK = 500

/** Builds the repository on the SqlClient in context, in the given dialect. */
export const make = (dialect: Dialect): Effect.Effect<ResultRepository.ResultRepository.Service, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const durable = yield* dialect.durable

    // The ordinal is the question's position in its benchmark, looked up through the evaluation;
    // a question outside that benchmark finds none and the NOT NULL constraint refuses the row.
    const values = (row: ResultRow) =>
      sql`(
          ${row.evaluation_id}, ${row.question_id},
          (SELECT q.ordinal FROM questions q JOIN evaluations e ON e.benchmark_id = q.benchmark_id
            WHERE e.id = ${row.evaluation_id} AND q.id = ${row.question_id}),
          ${row.question_text}, ${row.expected_answer}, ${row.extracted_answer},
          ${row.raw_output}, ${row.is_correct}, ${row.execution_time_ms}, ${row.reasoning_trace},
          ${row.error_category}, ${row.error_json},
          ${row.prompt_tokens}, ${row.completion_tokens}, ${row.reasoning_tokens}, ${row.total_tokens},
          ${row.cost_usd}, ${row.llm_calls}, ${row.retries}, ${row.cached_calls},
          ${row.outcome}, ${row.grader}, ${row.grader_version}, ${row.grade_details}, ${row.sample_grades}, ${row.calls}, ${row.processed_at}
        )`
    // PostgreSQL refuses to update one row twice in a statement, so there a batch keeps only the
    // last result of each question (as a later save would replace an earlier one); SQLite takes
    // any number of rows in one statement (a later row for the same question wins).
    const lastPerQuestion = (rows: ReadonlyArray<ResultRow>): ReadonlyArray<ResultRow> => {
      if (!dialect.oneUpdatePerRow) return rows
      const byKey = new Map<string, ResultRow>()
      for (const row of rows) {
        const key = `${row.evaluation_id}\u0000${row.question_id}`
        byKey.delete(key)
        byKey.set(key, row)
      }
      return byKey.size === rows.length ? rows : [...byKey.values()]
    }
    const upsert = (rows: ReadonlyArray<ResultRow>) =>
      sql`INSERT INTO evaluation_question_results (
          evaluation_id, question_id, ordinal, question_text, expected_answer, extracted_answer,
          raw_output, is_correct, execution_time_ms, reasoning_trace, error_category, error_json,
          prompt_tokens, completion_tokens, reasoning_tokens, total_tokens, cost_usd, llm_calls,
          retries, cached_calls, outcome, grader, grader_version, grade_details, sample_grades, calls, processed_at
        ) VALUES ${sql.join(", ", false)(lastPerQuestion(rows).map(values))}
        ON CONFLICT (evaluation_id, question_id) DO UPDATE SET
          ordinal = excluded.ordinal,
          question_text = excluded.question_text,
          expected_answer = excluded.expected_answer,
          extracted_answer = excluded.extracted_answer,
          raw_output = excluded.raw_output,
          is_correct = excluded.is_correct,
          execution_time_ms = excluded.execution_time_ms,
          reasoning_trace = excluded.reasoning_trace,
          error_category = excluded.error_category,
          error_json = excluded.error_json,
          prompt_tokens = excluded.prompt_tokens,
          completion_tokens = excluded.completion_tokens,
          reasoning_tokens = excluded.reasoning_tokens,
          total_tokens = excluded.total_tokens,
          cost_usd = excluded.cost_usd,
          llm_calls = excluded.llm_calls,
          retries = excluded.retries,
          cached_calls = excluded.cached_calls,
          outcome = excluded.outcome,
          grader = excluded.grader,
          grader_version = excluded.grader_version,
          grade_details = excluded.grade_details,
          sample_grades = excluded.sample_grades,
          calls = excluded.calls,
          processed_at = excluded.processed_at`

    const page = SqlSchema.findAll({
      Request: PageRequest,
      Result: ResultFromRow,
      execute: ({ evaluationId, limit, offset }) =>
        sql`SELECT * FROM evaluation_question_results WHERE evaluation_id = ${evaluationId}
          ORDER BY ordinal ${dialect.limit(sql, limit)} OFFSET ${offset}`
    })

    // Keyset paging for `stream`: the next chunk starts after the last ordinal read, through the
    // (evaluation_id, ordinal) index, so a chunk deep into the table costs what the first one does.
    const decodeRows = Schema.decodeUnknown(Schema.Array(ResultFromRow))
    const chunkAfter = (evaluationId: string, after: number) =>
      Effect.gen(function*() {
        const rows = yield* sql<{ readonly ordinal: number }>`SELECT * FROM evaluation_question_results
          WHERE evaluation_id = ${evaluationId} AND ordinal > ${after} ORDER BY ordinal LIMIT ${STREAM_CHUNK}`
        const results = yield* decodeRows(rows)
        const next = rows.length < STREAM_CHUNK ? Option.none() : Option.some(rows[rows.length - 1]!.ordinal)
        return [Chunk.unsafeFromArray(results as Array<QuestionResult.EvaluationQuestionResult>), next] as const
      }).pipe(Effect.mapError(toStorageError("ResultRepository.stream")))

    const stream = (evaluationId: string) => Stream.paginateChunkEffect(-1, (after: number) => chunkAfter(evaluationId, after))

    const one = SqlSchema.findOne({
      Request: Schema.Struct({ evaluationId: Schema.String, questionId: Schema.String }),
      Result: ResultFromRow,
      execute: ({ evaluationId, questionId }) =>
        sql`SELECT * FROM evaluation_question_results
          WHERE evaluation_id = ${evaluationId} AND question_id = ${questionId}`
    })

    const answered = SqlSchema.findAll({
      Request: Schema.String,
      Result: Schema.Struct({ question_id: Schema.String }),
      execute: (evaluationId) =>
        sql`SELECT question_id FROM evaluation_question_results WHERE evaluation_id = ${evaluationId}`
    })

    const errored = SqlSchema.findAll({
      Request: Schema.String,
      Result: Schema.Struct({ question_id: Schema.String }),
      execute: (evaluationId) =>
        sql`SELECT question_id FROM evaluation_question_results
          WHERE evaluation_id = ${evaluationId} AND error_json IS NOT NULL`
    })

    // One pass over the evaluation's rows; the per-category counts come from a subquery folded
    // into a JSON object, so the whole summary is a single statement.
    const totals = SqlSchema.single({
      Request: Schema.String,
      Result: TotalsRow,
      execute: (evaluationId) =>
        sql`SELECT
          COUNT(*) AS processed,
          ${dialect.countIf(sql, sql`error_json IS NULL AND is_correct = 1`)} AS correct,
          ${dialect.countIf(sql, sql`error_json IS NOT NULL`)} AS errors,
          ${dialect.jsonObjectAgg(sql, sql`SELECT error_category AS category, COUNT(*) AS n FROM evaluation_question_results
            WHERE evaluation_id = ${evaluationId} AND error_category IS NOT NULL
            GROUP BY error_category`)} AS errors_by_category,
          COALESCE(SUM(execution_time_ms), 0) AS total_time_ms,
          COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,
          COALESCE(SUM(completion_tokens), 0) AS completion_tokens,
          COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens,
          COALESCE(SUM(total_tokens), 0) AS total_tokens,
          COALESCE(SUM(cost_usd), 0) AS cost_usd,
          COUNT(cost_usd) AS cost_reported,
          COALESCE(SUM(llm_calls), 0) AS llm_calls,
          COALESCE(SUM(retries), 0) AS retries,
          COALESCE(SUM(cached_calls), 0) AS cached_calls,
          ${dialect.countIf(sql, sql`error_json IS NULL AND is_correct = 0 AND outcome = 'no_answer'`)} AS no_answer
        FROM evaluation_question_results WHERE evaluation_id = ${evaluationId}`
    })

    // Untraced (a span costs about 20 µs) and without the Schema encode (see resultRow): this
    // runs for every question of a run.
    const rowOf = (result: QuestionResult.EvaluationQuestionResult) =>
      Either.mapLeft(resultRow(result), (problem) =>
        storageError("ResultRepository.save", `data does not match the table's schema: ${problem}`))

    const write = (result: QuestionResult.EvaluationQuestionResult) =>
      Either.match(rowOf(result), {
        onLeft: Effect.fail,
        onRight: (row) => upsert([row]).pipe(Effect.asVoid, Effect.mapError((error) => {
          return dialect.violated(error, "evaluation_question_results.ordinal")
            ? storageError(
              "ResultRepository.save",
              `question '${result.questionId}' is not in the benchmark of evaluation '${result.evaluationId}', ` +
                `or that evaluation is not stored`
            )
            : dialect.violated(error, "foreign_key")
            ? storageError("ResultRepository.save", `evaluation '${result.evaluationId}' is not stored`)
            : toStorageError("ResultRepository.save")(error)
        }))
      })

    /**
     * One statement for the whole batch: atomic by itself, and one pass through the SQL client
     * instead of one per result. When a constraint refuses it, the results are saved again one by
     * one in a transaction, which names the one at fault and rolls the others back.
     */
    const writeAll = (all: ReadonlyArray<QuestionResult.EvaluationQuestionResult>): Effect.Effect<void, StorageError.StorageError> => {
      if (all.length === 0) return Effect.void
      if (all.length === 1) return write(all[0]!)
      return Either.match(Either.all(all.map(rowOf)), {
        onLeft: Effect.fail,
        onRight: (rows) =>
          upsert(rows).pipe(
            Effect.asVoid,
            Effect.catchTag("SqlError", (error) =>
              !dialect.violated(error, "any")
                // A locked or broken database: saving one by one would only wait for it again.
                ? Effect.fail(toStorageError("ResultRepository.saveAll")(error))
                : sql.withTransaction(Effect.forEach(all, write, { discard: true })).pipe(
                  Effect.catchTag("SqlError", (error) => Effect.fail(toStorageError("ResultRepository.saveAll")(error)))
                ))
          )
      })
    }

    // Done once on the disk (see Dialect.durable).
    const save = (result: QuestionResult.EvaluationQuestionResult) => Effect.zipRight(write(result), durable)
    const saveAll = (all: ReadonlyArray<QuestionResult.EvaluationQuestionResult>) => Effect.zipRight(writeAll(all), durable)

    const list = Effect.fn("ResultRepository.list")(
      (evaluationId: string, range?: { readonly offset: number; readonly limit: number }) =>
        page({ evaluationId, offset: range?.offset ?? 0, limit: range?.limit }),
      Effect.mapError(toStorageError("ResultRepository.list"))
    )

    const find = Effect.fn("ResultRepository.find")(
      (evaluationId: string, questionId: string) => one({ evaluationId, questionId }),
      Effect.mapError(toStorageError("ResultRepository.find"))
    )

    const answeredQuestionIds = Effect.fn("ResultRepository.answeredQuestionIds")(
      function*(evaluationId: string) {
        const rows = yield* answered(evaluationId)
        return new Set(rows.map((row) => row.question_id)) as ReadonlySet<string>
      },
      Effect.mapError(toStorageError("ResultRepository.answeredQuestionIds"))
    )

    const failedQuestionIds = Effect.fn("ResultRepository.failedQuestionIds")(
      function*(evaluationId: string) {
        const rows = yield* errored(evaluationId)
        return new Set(rows.map((row) => row.question_id)) as ReadonlySet<string>
      },
      Effect.mapError(toStorageError("ResultRepository.failedQuestionIds"))
    )

    const byMetadata = SqlSchema.findAll({
      Request: Schema.Struct({ evaluationId: Schema.String, key: Schema.String }),
      Result: Schema.Struct({ value: Schema.NullOr(Schema.String), processed: Schema.Int, correct: Schema.Int }),
      execute: ({ evaluationId, key }) =>
        dialect.byMetadata(sql, evaluationId, key)
    })

    const breakdown = Effect.fn("ResultRepository.breakdown")(
      (evaluationId: string, key: string) => byMetadata({ evaluationId, key }),
      Effect.mapError(toStorageError("ResultRepository.breakdown"))
    )

    const providerShares = SqlSchema.findAll({
      Request: Schema.String,
      Result: Schema.Struct({ provider: Schema.NullOr(Schema.String), calls: Schema.Int, costUsd: Schema.NullOr(Schema.Number) }),
      execute: (evaluationId) =>
        dialect.providerShares(sql, evaluationId)
    })

    const providers = Effect.fn("ResultRepository.providers")(
      (evaluationId: string) => providerShares(evaluationId),
      Effect.mapError(toStorageError("ResultRepository.providers"))
    )

    const summarize = Effect.fn("ResultRepository.summarize")(
      function*(evaluationId: string) {
        const row = yield* totals(evaluationId)
        return EvaluationResults.fromTotals({
          processed: row.processed,
          correct: row.correct,
          errors: row.errors,
          errorsByCategory: row.errors_by_category,
          totalTimeMs: row.total_time_ms,
          usage: new Usage.TokenUsage({
            promptTokens: row.prompt_tokens,
            completionTokens: row.completion_tokens,
            reasoningTokens: row.reasoning_tokens,
            totalTokens: row.total_tokens
          }),
          costUsd: row.cost_usd,
          costReported: row.cost_reported,
          llmCalls: row.llm_calls,
          retries: row.retries,
          cachedCalls: row.cached_calls,
          noAnswer: row.no_answer
        })
      },
      Effect.mapError(toStorageError("ResultRepository.summarize"))
    )

    return ResultRepository.ResultRepository.of({ save, saveAll, list, stream, find, breakdown, answeredQuestionIds, failedQuestionIds, providers, summarize })
  })

/** The ResultRepository, on the SqlClient, in the given dialect. */
export const layer = (dialect: Dialect): Layer.Layer<ResultRepository.ResultRepository, never, SqlClient.SqlClient> =>
  Layer.effect(ResultRepository.ResultRepository, make(dialect))
