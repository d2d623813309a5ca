/**
 * What differs between the SQL databases the shared repositories run on: the few fragments of
 * SQL, the batch sizes their parameter limits allow, how a violated constraint is named, and
 * what a write must wait for before it counts as stored. Each adapter supplies one value.
 */
import type { Fragment } from "@effect/sql/Statement"
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
  /** Any foreign key. */
  | "foreign_key"

/** One SQL dialect, as the shared repositories need it. */
export interface Dialect {
  /** Questions per multi-row INSERT: as many as the database's limit of bound parameters allows. */
  readonly questionBatch: number
  /** A text column ordered by byte value, as SQLite orders text (PostgreSQL needs `COLLATE "C"`). */
  readonly byteOrder: (sql: SqlClient.SqlClient, column: string) => Fragment
  /** `LIMIT n`, or no limit at all when `limit` is undefined. */
  readonly limit: (sql: SqlClient.SqlClient, limit: number | undefined) => Fragment
  /** Whether a failure is the violation of this constraint. */
  readonly violated: (error: unknown, constraint: Constraint) => boolean
  /**
   * What a write waits for before it counts as stored, read once when a repository is built
   * (SQLite: the WAL flush on the thread pool; PostgreSQL: nothing, a commit is durable).
   */
  readonly durable: Effect.Effect<Effect.Effect<void, StorageError.StorageError>>
}
