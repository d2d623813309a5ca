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
  "foreign_key": (v) => v.kind === "foreign_key"
}

/** The PostgreSQL dialect. */
export const dialect: Dialect.Dialect = {
  // 6 parameters per question, far under PostgreSQL's 65,535.
  questionBatch: 1000,
  byteOrder: (sql, column) => sql`${sql(column)} COLLATE "C"`,
  limit: (sql, limit) => limit === undefined ? sql`` : sql`LIMIT ${limit}`,
  violated: (error, constraint) => {
    const violated = violation(error)
    return violated !== undefined && matches[constraint](violated)
  },
  durable: Effect.succeed(Effect.void)
}
