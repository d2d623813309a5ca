/**
 * ResultRepository on PostgreSQL: storage-sql's SqlResultRepository in this adapter's dialect (whose
 * JSON queries and counting forms are in PgDialect.ts).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ResultRepository } from "@ml-agents/core"
import { SqlResultRepository } from "@ml-agents/storage-sql"
import type { Effect, Layer } from "effect"
import { dialect } from "./PgDialect.js"

/** Builds the repository on the SqlClient in context. */
export const make: Effect.Effect<ResultRepository.ResultRepository.Service, never, SqlClient.SqlClient> =
  SqlResultRepository.make(dialect)

/** The ResultRepository, on the SqlClient. */
export const layer: Layer.Layer<ResultRepository.ResultRepository, never, SqlClient.SqlClient> = SqlResultRepository.layer(
  dialect
)
