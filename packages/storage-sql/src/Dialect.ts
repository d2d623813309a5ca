/**
 * What differs between the SQL databases the shared repositories run on: the few fragments of
 * SQL, the batch sizes their parameter limits allow, how a violated constraint is named, and
 * what a write must wait for before it counts as stored. Each adapter supplies one value.
 */
import type { Fragment, Statement } from "@effect/sql/Statement"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { StorageError } from "@ml-agents/core"
import type { Effect } from "effect"

/** The constraints the repositories tell apart, by their meaning rather than a dialect's name. */
export type Constraint =
  /** UNIQUE on `benchmarks.name`. */
  | "benchmarks.name"
  /** The primary key of `benchmarks`. */
  | "benchmarks.id"
  /** The primary key of `questions` (benchmark, question). */
  | "questions.id"
  /** The primary key of `evaluations`. */
  | "evaluations.id"
  /** NOT NULL on a result's `ordinal`: the question is not in the evaluation's benchmark. */
  | "evaluation_question_results.ordinal"
  /** Any foreign key. */
  | "foreign_key"
  /** Any integrity constraint at all. */
  | "any"

/** One SQL dialect, as the shared repositories need it. */
export interface Dialect {
  /** Questions per multi-row INSERT: as many as the database's limit of bound parameters allows. */
  readonly questionBatch: number
  /** A text column ordered by byte value, as SQLite orders text (PostgreSQL needs `COLLATE "C"`). */
  readonly byteOrder: (sql: SqlClient.SqlClient, column: string) => Fragment
  /** `LIMIT n`, or no limit at all when `limit` is undefined. */
  readonly limit: (sql: SqlClient.SqlClient, limit: number | undefined) => Fragment
  /** `COUNT` of the rows where `condition` holds, 0 for none. */
  readonly countIf: (sql: SqlClient.SqlClient, condition: Fragment) => Fragment
  /** A scalar subquery: the `(category, n)` rows of `query` as one JSON object text, `{}` for none. */
  readonly jsonObjectAgg: (sql: SqlClient.SqlClient, query: Fragment) => Fragment
  /**
   * Whether one multi-row upsert may not touch a row twice (PostgreSQL), so that a batch must keep
   * only the last result of each question.
   */
  readonly oneUpdatePerRow: boolean
  /**
   * `ResultRepository.breakdown`'s query: `(value, processed, correct)` per value of the questions'
   * metadata `key` as text, in byte order with the questions lacking it first.
   */
  readonly byMetadata: (
    sql: SqlClient.SqlClient,
    evaluationId: string,
    key: string
  ) => Statement<{ readonly value: string | null; readonly processed: number; readonly correct: number }>
  /**
   * `ResultRepository.providers`' query: `(provider, calls, costUsd)` over the answered model
   * calls, most calls first.
   */
  readonly providerShares: (
    sql: SqlClient.SqlClient,
    evaluationId: string
  ) => Statement<{ readonly provider: string | null; readonly calls: number; readonly costUsd: number | null }>
  /** Whether a failure is the violation of this constraint. */
  readonly violated: (error: unknown, constraint: Constraint) => boolean
  /**
   * What a write waits for before it counts as stored, read once when a repository is built
   * (SQLite: the WAL flush on the thread pool; PostgreSQL: nothing, a commit is durable).
   */
  readonly durable: Effect.Effect<Effect.Effect<void, StorageError.StorageError>>
}
