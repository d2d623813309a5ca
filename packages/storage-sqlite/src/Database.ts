/**
 * The SQLite database: where it is (`DATABASE_URL`, in the SQLAlchemy forms the original design
 * used, or a plain path), and the `SqlClient` layer that opens it with the right pragmas and
 * migrates it on start.
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type { StorageError } from "@ml-agents/core"
import { Config, ConfigError, Context, Data, Effect, Either, Layer, Option } from "effect"
import * as path from "node:path"
import { SqlEcho as Echo } from "@ml-agents/storage-sql"
import { isMemory, open } from "./internal/open.js"
import * as WalSync from "./internal/walSync.js"

/** The database file used when `DATABASE_URL` is not set, in the working directory. */
export const DEFAULT_FILENAME = "ml_agents.db"

/** The filename SQLite understands as a private in-memory database. */
export const MEMORY = ":memory:"

/** The forms of `DATABASE_URL` that are accepted, for error messages and help text. */
export const ACCEPTED_FORMS =
  "sqlite:///relative/path.db (relative to the working directory), sqlite:////absolute/path.db, " +
  "sqlite:///:memory:, :memory:, file:path.db, or a plain file path such as ./ml_agents.db"

/** `DATABASE_URL` names something other than a SQLite database. */
export class DatabaseUrlError extends Data.TaggedError("DatabaseUrlError")<{
  /** The value as given, with any password masked. */
  readonly url: string
  readonly problem: string
}> {
  override get message() {
    return `DATABASE_URL ${this.problem}: '${this.url}'. Only SQLite is supported; use ${ACCEPTED_FORMS}`
  }
}

/** Hides the password of a `scheme://user:password@host` URL and of `password=` parameters. */
export const maskUrl = (url: string): string =>
  url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^/?#]*@/i, "$1:***@")
    .replace(/([?&;](?:password|passwd|pwd|pass)=)[^&;#]*/gi, "$1***")

const SCHEME = /^([a-z][a-z0-9+.-]+):/i

const resolve = (cwd: string, file: string): string => (isMemory(file) ? MEMORY : path.resolve(cwd, file))

/**
 * Where `DATABASE_URL` says the database is: an absolute filename, or `:memory:`.
 *
 * - unset or empty: `ml_agents.db` in `cwd`
 * - `sqlite:///relative.db` (relative to `cwd`, as in SQLAlchemy), `sqlite:////abs/path.db`,
 *   `sqlite:///:memory:`, `sqlite://` (in memory); `sqlite+driver://…` as SQLAlchemy spells it;
 *   query parameters (`?timeout=…`) are ignored
 * - `file:x.db`, `file:///abs/x.db`, `file::memory:` (SQLite URI filenames, percent-decoded)
 * - `:memory:`, or a plain path `./x.db`, `/abs/x.db`, `data/x.db`
 *
 * Any other scheme (`postgresql://`, `mysql://`, …) is refused.
 */
export const parseUrl = (url: string | undefined, cwd: string = process.cwd()): Either.Either<string, DatabaseUrlError> => {
  const value = url?.trim() ?? ""
  if (value === "") return Either.right(path.resolve(cwd, DEFAULT_FILENAME))
  const fail = (problem: string) => Either.left(new DatabaseUrlError({ url: maskUrl(value), problem }))
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase()
  if (scheme === undefined) return Either.right(resolve(cwd, value))

  if (scheme === "sqlite" || scheme.startsWith("sqlite+")) {
    const rest = value.slice(scheme.length + 1).replace(/[?#].*$/, "")
    if (!rest.startsWith("//")) return fail("is not a valid sqlite URL (expected sqlite:///path)")
    const afterSlashes = rest.slice(2)
    if (afterSlashes === "" || afterSlashes === "/") return Either.right(MEMORY)
    if (!afterSlashes.startsWith("/")) {
      return fail("has a host part, which sqlite URLs do not take (use three slashes: sqlite:///file.db)")
    }
    // `sqlite:///x` → `x` (relative); `sqlite:////x` → `/x` (absolute)
    return Either.right(resolve(cwd, afterSlashes.slice(1)))
  }

  if (scheme === "file") {
    let rest = value.slice("file:".length).replace(/[?#].*$/, "")
    if (rest.startsWith("//")) {
      const authority = /^\/\/([^/]*)/.exec(rest)![1]!
      if (authority !== "" && authority.toLowerCase() !== "localhost") {
        return fail("names a remote host, and only local SQLite files are supported")
      }
      rest = rest.slice(2 + authority.length)
    }
    try {
      rest = decodeURIComponent(rest)
    } catch {
      return fail("is not a valid file: URI (bad percent-encoding)")
    }
    if (rest === "") return fail("names no file")
    return Either.right(resolve(cwd, rest))
  }

  return fail(`uses the unsupported scheme '${scheme}'`)
}

/** A database file: absolute, relative to the working directory, or `:memory:`. */
export interface FileOptions {
  readonly filename: string
  /** Log every SQL statement at Debug level. */
  readonly echo?: boolean | undefined
}

/** A `DATABASE_URL` value (see `parseUrl`); undefined means the default file. */
export interface UrlOptions {
  readonly url: string | undefined
  /** Log every SQL statement at Debug level. */
  readonly echo?: boolean | undefined
}

/** How to reach the database: by filename or by `DATABASE_URL` value. */
export type Options = FileOptions | UrlOptions

const fromFilename = (filename: string, echo: boolean): Layer.Layer<SqlClient.SqlClient, StorageError.StorageError> => {
  const client = Layer.scopedContext(Effect.map(open(filename), ({ client, walSync }) => {
    const context = Context.make(SqlClient.SqlClient, client)
    // Not in the layer's type: the repositories look for it with serviceOption (see walSync.ts).
    return walSync === undefined ? context : Context.add(context, WalSync.WalSync, walSync)
  })).pipe(
    Layer.provide(Reactivity.layer)
  )
  return echo ? Layer.provideMerge(client, Echo.layer) : client
}

/**
 * The `SqlClient` on a SQLite database: created if missing (with its directory), opened with WAL,
 * `foreign_keys=ON` and `busy_timeout=5000`, and migrated; the repositories on it wait for a
 * write to reach the disk before it counts as done (see internal/walSync.ts). With `echo`,
 * every statement is logged at Debug level.
 */
export function layer(options: FileOptions): Layer.Layer<SqlClient.SqlClient, StorageError.StorageError>
export function layer(options: Options): Layer.Layer<SqlClient.SqlClient, StorageError.StorageError | DatabaseUrlError>
export function layer(options: Options): Layer.Layer<SqlClient.SqlClient, StorageError.StorageError | DatabaseUrlError> {
  return "filename" in options
    ? fromFilename(resolve(process.cwd(), options.filename), options.echo === true)
    : Either.match(parseUrl(options.url), {
      onLeft: (error) => Layer.fail(error),
      onRight: (filename) => fromFilename(filename, options.echo === true)
    })
}

/** `DATABASE_URL` (see `parseUrl`) and `DATABASE_ECHO` (a boolean, default false), read with Config. */
export const config: Config.Config<{ readonly filename: string; readonly echo: boolean }> = Config.all({
  filename: Config.option(Config.string("DATABASE_URL")).pipe(
    Config.mapOrFail((url) =>
      Either.mapLeft(parseUrl(Option.getOrUndefined(url)), (error) => ConfigError.InvalidData(["DATABASE_URL"], error.message))
    )
  ),
  echo: Config.withDefault(Config.boolean("DATABASE_ECHO"), false)
})

/**
 * `layer` from Config values, as Effect's own packages take them: by default `DATABASE_URL` and
 * `DATABASE_ECHO` (`config` above); a bad value fails with a ConfigError naming it.
 */
export const layerConfig = (
  options: Config.Config.Wrap<{ readonly filename: string; readonly echo: boolean }> = config
): Layer.Layer<SqlClient.SqlClient, StorageError.StorageError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(options), ({ echo, filename }) => fromFilename(filename, echo)))
