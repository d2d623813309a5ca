/**
 * Copying a whole database to another one, SQLite or PostgreSQL on either side: every table of
 * the schema (both adapters lay their tables out column for column alike, and read JSON as text
 * and timestamps as ISO-8601 text), in foreign-key order, read a page at a time by primary key
 * and written with an upsert, so memory stays flat, a re-run changes nothing, and a copy that
 * was stopped half-way is finished by running it again. At the end the rows are counted on both
 * sides.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

/** A table, its columns, and its primary key. */
export interface Table {
  readonly name: string
  readonly key: ReadonlyArray<string>
  readonly columns: ReadonlyArray<string>
}

/** Every table of the schema, parents before children. Migrations' own tables are not copied. */
export const tables: ReadonlyArray<Table> = [
  {
    name: "benchmarks",
    key: ["id"],
    columns: ["id", "name", "description", "question_count", "format_version", "metadata", "created_at"]
  },
  {
    name: "questions",
    key: ["benchmark_id", "id"],
    columns: ["benchmark_id", "ordinal", "id", "text", "expected_answer", "metadata"]
  },
  {
    name: "evaluations",
    key: ["id"],
    columns: [
      "id", "agent_type", "model_provider", "model_name", "model_parameters", "agent_parameters", "benchmark_id",
      "benchmark_name", "status", "created_at", "started_at", "completed_at", "failure_reason", "lease_owner",
      "lease_expires_at", "answer_kind"
    ]
  },
  {
    name: "evaluation_question_results",
    key: ["evaluation_id", "question_id"],
    columns: [
      "evaluation_id", "question_id", "ordinal", "question_text", "expected_answer", "extracted_answer", "raw_output",
      "is_correct", "execution_time_ms", "reasoning_trace", "error_category", "error_json", "prompt_tokens",
      "completion_tokens", "reasoning_tokens", "total_tokens", "cost_usd", "llm_calls", "processed_at", "retries",
      "cached_calls", "outcome", "grader", "grader_version", "grade_details", "calls", "sample_grades"
    ]
  },
  {
    name: "response_cache",
    key: ["key"],
    columns: ["key", "model", "request_json", "response_json", "created_at"]
  },
  {
    name: "experiments",
    key: ["id"],
    columns: ["id", "name", "grid", "baseline", "budget_usd", "created_at"]
  },
  {
    name: "experiment_cells",
    key: ["experiment_id", "position"],
    columns: ["experiment_id", "position", "evaluation_id", "agent_label", "model_name", "benchmark_name", "repeat"]
  },
  {
    name: "experiment_samples",
    key: ["experiment_id", "benchmark_id", "position"],
    columns: ["experiment_id", "benchmark_id", "benchmark_name", "position", "question_id"]
  },
  {
    name: "work_items",
    key: ["evaluation_id", "question_id"],
    columns: ["evaluation_id", "question_id", "ordinal", "enqueued_at", "claimed_by", "lease_expires_at", "attempts"]
  }
]

/** Rows per page: 27 columns × 400 rows stays under the limit of bound values of SQLite ≥ 3.32 (32,766). */
export const PAGE = 400

/** What was copied of one table. */
export interface TableReport {
  readonly table: string
  /** Rows read from the source and written to the target. */
  readonly copied: number
  readonly sourceRows: number
  readonly targetRows: number
}

/** A column name as a fragment, quoted the way the database quotes it. */
const column = (sql: SqlClient.SqlClient, name: string) => sql`${sql(name)}`

const count = (sql: SqlClient.SqlClient, table: string) =>
  Effect.map(sql<{ readonly n: number | string }>`SELECT COUNT(*) AS n FROM ${sql(table)}`, (rows) => Number(rows[0]?.n ?? 0))

/** Copies one table, a page at a time in primary-key order; returns the rows copied. */
const copyTable = (from: SqlClient.SqlClient, to: SqlClient.SqlClient, table: Table, onPage: (copied: number) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const keys = table.key.map((k) => column(from, k))
    const others = table.columns.filter((c) => !table.key.includes(c))
    const update = others.map((c) => to`${to(c)} = excluded.${to(c)}`)
    let after: ReadonlyArray<unknown> | undefined
    let copied = 0
    for (;;) {
      const where = after === undefined
        ? from``
        : from`WHERE (${from.csv(keys)}) > (${from.csv(after.map((value) => from`${value as string}`))})`
      const rows = yield* from<Record<string, unknown>>`SELECT ${from.csv(table.columns.map((c) => column(from, c)))}
        FROM ${from(table.name)} ${where} ORDER BY ${from.csv(keys)} LIMIT ${PAGE}`
      if (rows.length === 0) break
      // Only the schema's columns, in its order, whatever else the row has.
      const records = rows.map((row) => Object.fromEntries(table.columns.map((c) => [c, row[c] ?? null])))
      yield* to`INSERT INTO ${to(table.name)} ${to.insert(records)}
        ON CONFLICT (${to.csv(table.key.map((k) => column(to, k)))}) DO ${update.length === 0 ? to`NOTHING` : to`UPDATE SET ${to.csv(update)}`}`
      copied += rows.length
      yield* onPage(copied)
      if (rows.length < PAGE) break
      const last = rows[rows.length - 1]!
      after = table.key.map((k) => last[k])
    }
    return copied
  })

/**
 * Copies every table from one database to the other (both already migrated), then counts the
 * rows of each on both sides. `onProgress` hears each table's running total.
 */
export const copy = (
  from: SqlClient.SqlClient,
  to: SqlClient.SqlClient,
  onProgress: (table: string, copied: number) => Effect.Effect<void> = () => Effect.void
) =>
  Effect.gen(function*() {
    const reports: Array<TableReport> = []
    for (const table of tables) {
      const copied = yield* copyTable(from, to, table, (n) => onProgress(table.name, n))
      reports.push({ table: table.name, copied, sourceRows: yield* count(from, table.name), targetRows: yield* count(to, table.name) })
    }
    // A SQLite target: move the copy from the write-ahead log into the file before saying it is done.
    yield* to.onDialectOrElse({ sqlite: () => to`PRAGMA wal_checkpoint(TRUNCATE)`, orElse: () => Effect.void })
    return reports
  })
