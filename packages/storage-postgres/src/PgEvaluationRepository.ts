/**
 * EvaluationRepository on PostgreSQL: storage-sql's SqlEvaluationRepository in this adapter's dialect.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { EvaluationRepository } from "@ml-agents/core"
import { SqlEvaluationRepository } from "@ml-agents/storage-sql"
import type { Effect, Layer } from "effect"
import { dialect } from "./PgDialect.js"

/** Builds the repository on the SqlClient in context. */
export const make: Effect.Effect<EvaluationRepository.EvaluationRepository.Service, never, SqlClient.SqlClient> =
  SqlEvaluationRepository.make(dialect)

/** The EvaluationRepository, on the SqlClient. */
export const layer: Layer.Layer<EvaluationRepository.EvaluationRepository, never, SqlClient.SqlClient> = SqlEvaluationRepository.layer(
  dialect
)
