/**
 * BenchmarkRepository on SQLite: storage-sql's SqlBenchmarkRepository in this adapter's dialect.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { BenchmarkRepository } from "@ml-agents/core"
import { SqlBenchmarkRepository } from "@ml-agents/storage-sql"
import type { Effect, Layer } from "effect"
import { dialect } from "./SqliteDialect.js"

/** Builds the repository on the SqlClient in context. */
export const make: Effect.Effect<BenchmarkRepository.BenchmarkRepository.Service, never, SqlClient.SqlClient> =
  SqlBenchmarkRepository.make(dialect)

/** The BenchmarkRepository, on the SqlClient. */
export const layer: Layer.Layer<BenchmarkRepository.BenchmarkRepository, never, SqlClient.SqlClient> = SqlBenchmarkRepository.layer(
  dialect
)

/** Questions per INSERT statement. */
export const BATCH_SIZE: number = dialect.questionBatch
