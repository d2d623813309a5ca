/**
 * The storage the CLI composes: the core repositories and the response cache on a
 * PostgreSQL database, with the `SqlClient` they run on (for health checks and ad-hoc queries).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { StorageError } from "@ml-agents/core"
import { SqlStorage } from "@ml-agents/storage-sql"
import type { ConfigError } from "effect"
import { Layer } from "effect"
import * as Database from "./Database.js"
import { dialect } from "./PgDialect.js"
import * as PgResultRepository from "./PgResultRepository.js"
import * as PgWorkQueue from "./PgWorkQueue.js"

/** Everything this package provides. */
export type Services = SqlStorage.Services

/** The repositories and the response cache, on whatever (PostgreSQL) SqlClient is provided. */
export const services: Layer.Layer<Exclude<Services, SqlClient.SqlClient>, never, SqlClient.SqlClient> = SqlStorage.services(
  dialect,
  { results: PgResultRepository.layer, workQueue: PgWorkQueue.layer }
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
