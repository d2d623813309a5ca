/**
 * The PostgreSQL database: which `DATABASE_URL` values name one (`postgresql://`, `postgres://`,
 * with `sslmode` and the other libpq URL parameters that node-postgres understands), and the
 * `SqlClient` layer that connects a pool to it and migrates it on start. Every failure is a
 * StorageError that never contains the password.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import type { StorageError } from "@ml-agents/core"
import { Cause, Config, ConfigError, Context, Data, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import * as Migrations from "./Migrations.js"
import { SqlEcho as Echo } from "@ml-agents/storage-sql"
import { codeOf, messageOf, storageError, toStorageError } from "./internal/errors.js"
import { types } from "./internal/types.js"

/** Connections in the pool when `DATABASE_POOL_SIZE` is not set. */
export const DEFAULT_POOL_SIZE = 10

/** The operation named by the StorageError of a failed connection (the CLI exits 2 on it). */
export const CONNECT = "Database.connect"

/** `DATABASE_URL` is meant for PostgreSQL but cannot be used. */
export class DatabaseUrlError extends Data.TaggedError("DatabaseUrlError")<{
  /** The value as given, with any password masked. */
  readonly url: string
  readonly problem: string
}> {
  override get message() {
    return `DATABASE_URL ${this.problem}: '${this.url}'. Use postgresql://user:password@host:5432/database`
  }
}

const SCHEME = /^(postgres|postgresql)(\+[a-z0-9]+)?:\/\//i

/** Whether a `DATABASE_URL` value names a PostgreSQL database (by its scheme). */
export const isPostgresUrl = (url: string): boolean => SCHEME.test(url.trim())

/** Hides the password of a `scheme://user:password@host` URL and of `password=` parameters. */
export const maskUrl = (url: string): string =>
  url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^/?#]*@/i, "$1:***@")
    .replace(/([?&;](?:password|passwd|pwd|pass)=)[^&;#]*/gi, "$1***")

/** A parsed PostgreSQL URL: what to connect with, what to show, and the password to hide. */
export interface Target {
  /** The URL node-postgres is given (SQLAlchemy's `+driver` suffix removed). */
  readonly connectionString: Redacted.Redacted<string>
  /** `user@host:port/database`, for messages. */
  readonly display: string
  /** Every spelling of the password that could appear in a message, to scrub it. */
  readonly secrets: ReadonlyArray<string>
}

/** Checks a PostgreSQL URL and says where it points, without the password. */
export const parseUrl = (url: string): Either.Either<Target, DatabaseUrlError> => {
  const value = url.trim()
  const fail = (problem: string) => Either.left(new DatabaseUrlError({ url: maskUrl(value), problem }))
  if (!isPostgresUrl(value)) return fail("is not a postgresql:// URL")
  const normalized = value.replace(SCHEME, "postgresql://")
  let parsed: URL
  try {
    parsed = new URL(normalized)
  } catch {
    return fail("is not a valid URL")
  }
  const query = parsed.searchParams
  const host = decodeURIComponent(parsed.hostname) || query.get("host") || "localhost"
  const port = parsed.port || query.get("port") || "5432"
  const user = decodeURIComponent(parsed.username) || query.get("user") || process.env.PGUSER || "postgres"
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || query.get("dbname") || user
  const sslmode = query.get("sslmode")
  if (sslmode !== null && !["disable", "prefer", "require", "verify-ca", "verify-full", "no-verify", "allow"].includes(sslmode)) {
    return fail(`has an unknown sslmode '${sslmode}' (use disable, require, verify-ca or verify-full)`)
  }
  const secrets = [parsed.password, query.get("password") ?? ""].flatMap((raw) => {
    if (raw === "") return []
    let decoded = raw
    try {
      decoded = decodeURIComponent(raw)
    } catch {
      // kept as written
    }
    return [raw, decoded]
  })
  return Either.right({
    connectionString: Redacted.make(normalized),
    display: `${user}@${host}:${port}/${database}`,
    secrets
  })
}

const scrub = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join("***"), text)

const describeConnectFailure = (target: Target, error: unknown): StorageError.StorageError => {
  const code = codeOf(error)
  const reason = code === "ECONNREFUSED"
    ? "the connection was refused: is the server running, and on that port?"
    : code === "ENOTFOUND" || code === "EAI_AGAIN"
    ? "the host name does not resolve"
    : code === "28P01"
    ? "the server refused the password"
    : code === "28000"
    ? "the server does not accept this user from this host (pg_hba.conf)"
    : code === "3D000"
    ? "the database does not exist (create it with: createdb <name>)"
    : /timed out|timeout/i.test(messageOf(error))
    ? "no answer from the server in time"
    : messageOf(error)
  const details = code !== undefined && !reason.includes(code) ? ` [${code}]` : ""
  return storageError(CONNECT, scrub(`cannot use the PostgreSQL database ${target.display}: ${reason}${details}`, target.secrets))
}

/** How to reach the database. */
export interface Options {
  /** A `postgresql://` or `postgres://` URL (libpq parameters such as `sslmode` included). */
  readonly url: string
  /** Connections in the pool (`DATABASE_POOL_SIZE`); default 10. */
  readonly poolSize?: number | undefined
  /** Log every SQL statement at Debug level. */
  readonly echo?: boolean | undefined
  /** How long to wait for the server at start; default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

const connect = (target: Target, options: Options) =>
  Effect.gen(function*() {
    const client = yield* PgClient.make({
      url: target.connectionString,
      maxConnections: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectTimeout: options.connectTimeout ?? Duration.seconds(10),
      applicationName: "ml-agents",
      types
    }).pipe(Effect.mapError((error) => describeConnectFailure(target, error)))
    yield* Migrations.run.pipe(
      Effect.provideService(SqlClient.SqlClient, client),
      Effect.mapError((error) =>
        storageError("Database.migrate", scrub(`cannot migrate the PostgreSQL database ${target.display}: ${messageOf(error)}`, target.secrets))
      )
    )
    return client
  }).pipe(
    Effect.withSpan("Database.connect", { attributes: { database: target.display } }),
    // The driver may throw (a defect) on a malformed connection string: an ordinary failure here.
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.interrupt
        : Effect.fail(
          Option.match(Cause.failureOption(cause), {
            onNone: () => describeConnectFailure(target, Cause.squash(cause)),
            onSome: (error) => error
          })
        )
    )
  )

/**
 * The `SqlClient` on a PostgreSQL database: a pool of `poolSize` connections, checked at start,
 * and the schema migrated (safely when several processes start at once). With `echo`, every
 * statement is logged at Debug level.
 */
export const layer = (options: Options): Layer.Layer<SqlClient.SqlClient, StorageError.StorageError | DatabaseUrlError> =>
  Either.match(parseUrl(options.url), {
    onLeft: (error) => Layer.fail(error),
    onRight: (target) => {
      const client = Layer.scopedContext(
        Effect.map(connect(target, options), (client) => Context.make(SqlClient.SqlClient, client))
      ).pipe(Layer.provide(Reactivity.layer))
      return options.echo === true ? Layer.provideMerge(client, Echo.layer) : client
    }
  })

/** `DATABASE_URL` (a PostgreSQL URL), `DATABASE_POOL_SIZE` (1–1000, default 10) and `DATABASE_ECHO`. */
export const config: Config.Config<Options> = Config.all({
  url: Config.string("DATABASE_URL").pipe(
    Config.mapOrFail((url) =>
      Either.match(parseUrl(url), {
        onLeft: (error) => Either.left(ConfigError.InvalidData(["DATABASE_URL"], error.message)),
        onRight: () => Either.right(url)
      })
    )
  ),
  poolSize: Config.withDefault(Config.integer("DATABASE_POOL_SIZE").pipe(Config.validate({
    message: "expected a whole number of connections from 1 to 1000",
    validation: (n) => n >= 1 && n <= 1000
  })), DEFAULT_POOL_SIZE),
  echo: Config.withDefault(Config.boolean("DATABASE_ECHO"), false)
})

/** `layer` configured from `DATABASE_URL`, `DATABASE_POOL_SIZE` and `DATABASE_ECHO`. */
export const layerConfig: Layer.Layer<SqlClient.SqlClient, StorageError.StorageError | ConfigError.ConfigError> = Layer
  .unwrapEffect(Effect.map(config, (options) => Layer.catchAll(layer(options), (error) =>
    Layer.fail(error._tag === "DatabaseUrlError" ? storageError(CONNECT, error.message) : error))))

/** What `health` shows: the server's version and the schema's against the one this code expects. */
export interface Status {
  readonly server: string
  readonly schemaVersion: number
  readonly latestVersion: number
}

/** The server's version and the schema version of the database in context. */
export const status: Effect.Effect<Status, StorageError.StorageError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ readonly v: string }>`SELECT current_setting('server_version') AS v`
  const schemaVersion = yield* Migrations.version
  return { server: `PostgreSQL ${row?.v ?? "?"}`, schemaVersion, latestVersion: Migrations.LATEST }
}).pipe(Effect.mapError(toStorageError("Database.status")))
