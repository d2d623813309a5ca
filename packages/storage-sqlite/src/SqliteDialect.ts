/**
 * SQLite as storage-sql's shared repositories see it: `LIMIT -1` for no limit, text already in
 * byte order, constraints named `table.column`, and a write stored once the WAL is flushed.
 */
import type { Dialect } from "@ml-agents/storage-sql"
import { violatedConstraint } from "./internal/errors.js"
import * as WalSync from "./internal/walSync.js"

/**
 * Bound parameters per statement. 999 is the lowest limit any SQLite build has had
 * (SQLITE_MAX_VARIABLE_NUMBER before 3.32), so batches fit every build; larger batches do not
 * measurably speed up imports.
 */
const MAX_VARIABLES = 999
const QUESTION_COLUMNS = 6

const NAMES: Record<Dialect.Constraint, string> = {
  "benchmarks.name": "benchmarks.name",
  "benchmarks.id": "benchmarks.id",
  "questions.id": "questions.benchmark_id, questions.id",
  "evaluations.id": "evaluations.id",
  "foreign_key": "FOREIGN KEY"
}

/** The SQLite dialect. */
export const dialect: Dialect.Dialect = {
  questionBatch: Math.floor(MAX_VARIABLES / QUESTION_COLUMNS),
  byteOrder: (sql, column) => sql`${sql(column)}`,
  // LIMIT -1 is SQLite's "no limit".
  limit: (sql, limit) => sql`LIMIT ${limit ?? -1}`,
  violated: (error, constraint) => violatedConstraint(error) === NAMES[constraint],
  // The WAL flush on the thread pool (see internal/walSync.ts).
  durable: WalSync.durable
}
