/**
 * Which storage the CLI runs on, picked by `DATABASE_URL`'s scheme: `postgresql://` or
 * `postgres://` (libpq parameters such as `sslmode` included) is PostgreSQL, anything else SQLite.
 * This is the one module that knows both adapters; everything above it sees core's repositories
 * and `StorageInfo`. A database that cannot be reached or opened (server down, password refused,
 * not a database) is a configuration error, exit 2, with the password never shown.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type {
  BenchmarkRepository,
  EvaluationRepository,
  ExperimentRepository,
  ResponseCache,
  ResultRepository,
  WorkQueue
} from "@ml-agents/core"
import { StorageError } from "@ml-agents/core"
import { Database as PgDatabase, PgStorage } from "@ml-agents/storage-postgres"
import { Database as SqliteDatabase, Migrations as SqliteMigrations, SqliteStorage } from "@ml-agents/storage-sqlite"
import { Context, Effect, Layer, type Scope } from "effect"
import type { AppConfig } from "./AppConfig.js"
import { ConfigInvalid } from "./AppConfig.js"
import { ExitCode, UserError } from "./Errors.js"

/** What the storage is, for `health`: the kind, where it is (no password), and its versions. */
export interface Info {
  readonly kind: "sqlite" | "postgresql"
  /** The file, or `user@host:port/database`. */
  readonly location: string
  /** The server's (or SQLite library's) version and the schema version against the expected one. */
  readonly status: Effect.Effect<
    { readonly server: string; readonly schemaVersion: number; readonly latestVersion: number },
    StorageError.StorageError
  >
}

/** The StorageInfo service. */
export class StorageInfo extends Context.Tag("@ml-agents/cli/StorageInfo")<StorageInfo, Info>() {}

/** The repositories every command may use, and what the storage is. */
export type Services =
  | BenchmarkRepository.BenchmarkRepository
  | EvaluationRepository.EvaluationRepository
  | ResultRepository.ResultRepository
  | ExperimentRepository.ExperimentRepository
  | ResponseCache.ResponseCache
  | WorkQueue.WorkQueue
  | StorageInfo

/** Whether a `DATABASE_URL` value names a PostgreSQL database. */
export const isPostgres = (url: string): boolean => PgDatabase.isPostgresUrl(url)

/** `DATABASE_POOL_SIZE`, validated with the rest of the configuration (PostgreSQL only). */
export const poolSize = (config: AppConfig): number => config.databasePoolSize

const HINT = "check DATABASE_URL: is the server running and reachable, are the user, password and database right? (see .env.example)"

/** A database that cannot be reached or opened is a configuration problem: exit 2. */
const unusable = (error: StorageError.StorageError | PgDatabase.DatabaseUrlError): UserError | StorageError.StorageError =>
  error._tag === "DatabaseUrlError"
    ? new UserError({ code: ExitCode.config, text: `Configuration error: ${error.message}`, hint: HINT })
    : error.operation === PgDatabase.CONNECT || error.operation === "Database.migrate"
    ? new UserError({ code: ExitCode.config, text: `Cannot use the database: ${error.message}`, hint: HINT })
    : error

const sqliteStatus = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [library] = yield* sql<{ readonly v: string }>`SELECT sqlite_version() AS v`
  const [schema] = yield* sql<{ readonly v: number | null }>`SELECT MAX(migration_id) AS v FROM effect_sql_migrations`
  const known = yield* SqliteMigrations.loader
  return {
    server: `SQLite ${library?.v ?? "?"}`,
    schemaVersion: schema?.v ?? 0,
    latestVersion: Math.max(0, ...known.map(([id]) => id))
  }
}).pipe(Effect.mapError((error) => new StorageError.StorageError({ operation: "Database.status", message: String(error.message) })))

type Status = Effect.Effect.Success<Info["status"]>

const info = (kind: Info["kind"], location: string, status: Effect.Effect<Status, StorageError.StorageError, SqlClient.SqlClient>) =>
  Layer.effect(
    StorageInfo,
    Effect.map(SqlClient.SqlClient, (sql) => ({ kind, location, status: Effect.provideService(status, SqlClient.SqlClient, sql) }))
  )

/** The storage named by the configuration's `DATABASE_URL`, opened (and migrated) when built. */
export const layer = (config: AppConfig): Layer.Layer<Services, UserError | StorageError.StorageError | ConfigInvalid> => {
  const url = config.databaseUrl
  if (isPostgres(url)) {
    let size: number
    try {
      size = poolSize(config)
    } catch (error) {
      return Layer.fail(error as ConfigInvalid)
    }
    const location = PgDatabase.parseUrl(url)
    const display = location._tag === "Right" ? location.right.display : url
    const storage = PgStorage.layer({ url, poolSize: size, echo: config.databaseEcho })
    return Layer.provideMerge(info("postgresql", display, PgDatabase.status), storage).pipe(
      Layer.mapError(unusable),
      Layer.map((context) => Context.omit(SqlClient.SqlClient)(context) as Context.Context<Services>)
    )
  }
  const storage = SqliteStorage.layer({ url, echo: config.databaseEcho })
  return Layer.provideMerge(info("sqlite", url, sqliteStatus), storage).pipe(
    Layer.mapError((error) =>
      error._tag === "DatabaseUrlError"
        ? new UserError({
          code: ExitCode.config,
          text: `Configuration error: DATABASE_URL: ${error.message}`,
          hint: "use postgresql://user:password@host:5432/database, sqlite:///relative.db, sqlite:////absolute/path.db or a file path (see .env.example)"
        })
        : error
    ),
    Layer.map((context) => Context.omit(SqlClient.SqlClient)(context) as Context.Context<Services>)
  )
}

/** A `DATABASE_URL`-style value as it may be shown: without its password. */
export const display = (url: string): string => PgDatabase.maskUrl(url)

/**
 * The SQL client of the database at `url` (PostgreSQL or SQLite, by the scheme), connected and
 * migrated, for the rest of the scope: what `db copy` reads and writes through.
 */
export const open = (
  url: string,
  config: AppConfig
): Effect.Effect<SqlClient.SqlClient, UserError | StorageError.StorageError | ConfigInvalid, Scope.Scope> =>
  Effect.gen(function*() {
    const client: Layer.Layer<SqlClient.SqlClient, UserError | StorageError.StorageError | ConfigInvalid> = isPostgres(url)
      ? Layer.suspend(() => PgDatabase.layer({ url, poolSize: poolSize(config), echo: config.databaseEcho })).pipe(
        Layer.mapError((error) => (error instanceof ConfigInvalid ? error : unusable(error)))
      )
      : SqliteDatabase.layer({ url, echo: config.databaseEcho }).pipe(
        Layer.mapError((error) =>
          error._tag === "DatabaseUrlError"
            ? new UserError({ code: ExitCode.config, text: `Configuration error: ${error.message}`, hint: HINT })
            : error
        )
      )
    const context = yield* Layer.build(client)
    return Context.get(context, SqlClient.SqlClient)
  })
