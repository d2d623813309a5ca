/**
 * The storage the CLI composes: the core repositories and the response cache on a
 * PostgreSQL database, with the `SqlClient` they run on (for health checks and ad-hoc queries).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type {
  BenchmarkRepository,
  EvaluationRepository,
  ExperimentRepository,
  ResponseCache,
  ResultRepository,
  StorageError,
  WorkQueue
} from "@ml-agents/core"
import type { ConfigError } from "effect"
import { Layer } from "effect"
import * as Database from "./Database.js"
import * as PgBenchmarkRepository from "./PgBenchmarkRepository.js"
import * as PgEvaluationRepository from "./PgEvaluationRepository.js"
import * as PgExperimentRepository from "./PgExperimentRepository.js"
import * as PgResponseCache from "./PgResponseCache.js"
import * as PgResultRepository from "./PgResultRepository.js"
import * as PgWorkQueue from "./PgWorkQueue.js"

/** Everything this package provides. */
export type Services =
  | BenchmarkRepository.BenchmarkRepository
  | EvaluationRepository.EvaluationRepository
  | ResultRepository.ResultRepository
  | ExperimentRepository.ExperimentRepository
  | WorkQueue.WorkQueue
  | ResponseCache.ResponseCache
  | SqlClient.SqlClient

/** The repositories and the response cache, on whatever (PostgreSQL) SqlClient is provided. */
export const services: Layer.Layer<Exclude<Services, SqlClient.SqlClient>, never, SqlClient.SqlClient> = Layer.mergeAll(
  PgBenchmarkRepository.layer,
  PgEvaluationRepository.layer,
  PgResultRepository.layer,
  PgExperimentRepository.layer,
  PgResponseCache.layer,
  PgWorkQueue.layer.pipe(Layer.provide(PgResultRepository.layer))
)

/**
 * The repositories and the response cache on the PostgreSQL database at `url`, connected and
 * migrated when the layer is built.
 */
export const layer = (options: Database.Options): Layer.Layer<Services, StorageError.StorageError | Database.DatabaseUrlError> =>
  Layer.provideMerge(services, Database.layer(options))

/** The same, configured from `DATABASE_URL`, `DATABASE_POOL_SIZE` and `DATABASE_ECHO`. */
export const layerConfig: Layer.Layer<Services, StorageError.StorageError | ConfigError.ConfigError> = Layer.provideMerge(
  services,
  Database.layerConfig
)
