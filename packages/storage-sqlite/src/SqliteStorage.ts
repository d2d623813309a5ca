/**
 * The storage the CLI composes: the core repositories and the response cache on a SQLite
 * database, with the `SqlClient` they run on (for health checks and ad-hoc queries).
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { StorageError } from "@ml-agents/core"
import { SqlStorage } from "@ml-agents/storage-sql"
import type { ConfigError } from "effect"
import { Layer } from "effect"
import * as Database from "./Database.js"
import { dialect } from "./SqliteDialect.js"
import * as SqliteResultRepository from "./SqliteResultRepository.js"
import * as SqliteWorkQueue from "./SqliteWorkQueue.js"

/** Everything this package provides. */
export type Services = SqlStorage.Services

/** The repositories, on whatever SqlClient is provided. */
export const repositories: Layer.Layer<SqlStorage.Repositories, never, SqlClient.SqlClient> = SqlStorage.repositories(dialect, SqliteResultRepository.layer)

const services = SqlStorage.services(dialect, { results: SqliteResultRepository.layer, workQueue: SqliteWorkQueue.layer })

/**
 * The repositories and the response cache on a SQLite database given by filename
 * (`{ filename: "./ml_agents.db" }`, `":memory:"`) or by a `DATABASE_URL` value
 * (`{ url: "sqlite:///ml_agents.db" }`), opened and migrated when the layer is built.
 */
export function layer(options: Database.FileOptions): Layer.Layer<Services, StorageError.StorageError>
export function layer(
  options: Database.Options
): Layer.Layer<Services, StorageError.StorageError | Database.DatabaseUrlError>
export function layer(
  options: Database.Options
): Layer.Layer<Services, StorageError.StorageError | Database.DatabaseUrlError> {
  return Layer.provideMerge(services, Database.layer(options))
}

/**
 * The repositories and the response cache on the database named by `DATABASE_URL`, echoing SQL
 * when `DATABASE_ECHO` is true; or by the Config values given (see `Database.layerConfig`).
 */
export const layerConfig = (
  options?: Parameters<typeof Database.layerConfig>[0]
): Layer.Layer<Services, StorageError.StorageError | ConfigError.ConfigError> =>
  Layer.provideMerge(services, Database.layerConfig(options))
