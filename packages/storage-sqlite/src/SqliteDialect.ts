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
  "evaluation_question_results.ordinal": "evaluation_question_results.ordinal",
  "foreign_key": "FOREIGN KEY",
  "any": ""
}

/** The SQLite dialect. */
export const dialect: Dialect.Dialect = {
  questionBatch: Math.floor(MAX_VARIABLES / QUESTION_COLUMNS),
  byteOrder: (sql, column) => sql`${sql(column)}`,
  // LIMIT -1 is SQLite's "no limit".
  limit: (sql, limit) => sql`LIMIT ${limit ?? -1}`,
  countIf: (sql, condition) => sql`COALESCE(SUM(${condition}), 0)`,
  // A correlated scalar subquery; json_group_object gives text.
  jsonObjectAgg: (sql, query) => sql`(SELECT COALESCE(json_group_object(category, n), '{}') FROM (
            ${query}
          ))`,
  // Any number of rows in one statement (a later row for the same question wins).
  oneUpdatePerRow: false,
  byMetadata: (sql, evaluationId, key) =>
    sql`SELECT CAST(json_extract(q.metadata, ${"$." + JSON.stringify(key)}) AS TEXT) AS value,
            COUNT(*) AS processed,
            COALESCE(SUM(r.error_json IS NULL AND r.is_correct = 1), 0) AS correct
          FROM evaluation_question_results r
          JOIN evaluations e ON e.id = r.evaluation_id
          JOIN questions q ON q.benchmark_id = e.benchmark_id AND q.id = r.question_id
          WHERE r.evaluation_id = ${evaluationId}
          GROUP BY value ORDER BY value`,
  providerShares: (sql, evaluationId) =>
    sql`SELECT json_extract(c.value, '$.provider') AS provider, COUNT(*) AS calls,
            SUM(json_extract(c.value, '$.costUsd')) AS costUsd
          FROM evaluation_question_results r, json_each(r.calls) c
          WHERE r.evaluation_id = ${evaluationId} AND json_extract(c.value, '$.error') IS NULL
            AND json_extract(c.value, '$.attempts') > 0
          GROUP BY provider ORDER BY calls DESC, provider`,
  violated: (error, constraint) => {
    const violated = violatedConstraint(error)
    return constraint === "any" ? violated !== undefined : violated === NAMES[constraint]
  },
  // The WAL flush on the thread pool (see internal/walSync.ts).
  durable: WalSync.durable
}
