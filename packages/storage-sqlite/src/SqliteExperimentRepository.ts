/**
 * ExperimentRepository on SQLite: storage-sql's SqlExperimentRepository in this adapter's dialect.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ExperimentRepository } from "@ml-agents/core"
import { SqlExperimentRepository } from "@ml-agents/storage-sql"
import type { Effect, Layer } from "effect"
import { dialect } from "./SqliteDialect.js"

/** Builds the repository on the SqlClient in context. */
export const make: Effect.Effect<ExperimentRepository.ExperimentRepository.Service, never, SqlClient.SqlClient> =
  SqlExperimentRepository.make(dialect)

/** The ExperimentRepository, on the SqlClient. */
export const layer: Layer.Layer<ExperimentRepository.ExperimentRepository, never, SqlClient.SqlClient> = SqlExperimentRepository.layer(
  dialect
)
