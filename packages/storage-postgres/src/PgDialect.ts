/**
 * PostgreSQL as storage-sql's shared repositories see it: no LIMIT for no limit, `COLLATE "C"`
 * to order text by bytes as SQLite does, constraints told by SQLSTATE and name, and a commit
 * that is durable by itself.
 */
import type { Dialect } from "@ml-agents/storage-sql"
import { Effect } from "effect"
import { violation } from "./internal/errors.js"

const matches: Record<Dialect.Constraint, (violated: NonNullable<ReturnType<typeof violation>>) => boolean> = {
  "benchmarks.name": (v) => v.name === "benchmarks_name_key",
  "benchmarks.id": (v) => v.name === "benchmarks_pkey",
  "questions.id": (v) => v.name === "questions_pkey",
  "evaluations.id": (v) => v.name === "evaluations_pkey",
  "evaluation_question_results.ordinal": (v) => v.kind === "not_null" && v.name === "ordinal",
  "foreign_key": (v) => v.kind === "foreign_key",
  "any": () => true
}

/** The PostgreSQL dialect. */
export const dialect: Dialect.Dialect = {
  // 6 parameters per question, far under PostgreSQL's 65,535.
  questionBatch: 1000,
  byteOrder: (sql, column) => sql`${sql(column)} COLLATE "C"`,
  limit: (sql, limit) => limit === undefined ? sql`` : sql`LIMIT ${limit}`,
  countIf: (sql, condition) => sql`COUNT(*) FILTER (WHERE ${condition})`,
  jsonObjectAgg: (sql, query) => sql`(SELECT COALESCE(json_object_agg(category, n), '{}')::text FROM (
            ${query}
          ) AS by_category)`,
  // PostgreSQL refuses to update one row twice in a statement.
  oneUpdatePerRow: true,
  // Values in byte order with the questions lacking the key first, as SQLite orders them.
  byMetadata: (sql, evaluationId, key) =>
    sql`SELECT * FROM (SELECT q.metadata ->> ${key} AS value,
            COUNT(*) AS processed,
            COUNT(*) FILTER (WHERE r.error_json IS NULL AND r.is_correct = 1) AS correct
          FROM evaluation_question_results r
          JOIN evaluations e ON e.id = r.evaluation_id
          JOIN questions q ON q.benchmark_id = e.benchmark_id AND q.id = r.question_id
          WHERE r.evaluation_id = ${evaluationId}
          GROUP BY 1) AS groups ORDER BY value COLLATE "C" NULLS FIRST`,
  providerShares: (sql, evaluationId) =>
    sql`SELECT * FROM (SELECT c ->> 'provider' AS provider, COUNT(*) AS calls,
            SUM((c ->> 'costUsd')::double precision) AS "costUsd"
          FROM evaluation_question_results r CROSS JOIN LATERAL json_array_elements(r.calls) AS c
          WHERE r.evaluation_id = ${evaluationId} AND c ->> 'error' IS NULL
            AND (c ->> 'attempts')::integer > 0
          GROUP BY 1) AS shares ORDER BY calls DESC, provider COLLATE "C" NULLS FIRST`,
  violated: (error, constraint) => {
    const violated = violation(error)
    return violated !== undefined && matches[constraint](violated)
  },
  durable: Effect.succeed(Effect.void)
}
