/**
 * Where the data and the configuration are, said where it matters (`health`, an empty list,
 * `--verbose`): which database file is in use and why (DATABASE_URL and where it was set, or the
 * per-user default), and which configuration files were read.
 *
 * The default database is per user, `$XDG_DATA_HOME/ml-agents/ml_agents.db` (else
 * `~/.local/share/ml-agents/ml_agents.db`), not the working directory's: run from another folder,
 * the same data is there. DATABASE_URL still chooses any other file (12-factor), and a
 * DATABASE_URL whose directory does not exist is an error rather than a new empty database
 * somewhere unexpected. Only the per-user default's directory is created.
 */
import { Database as SqliteDatabase } from "@ml-agents/storage-sqlite"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { AppConfig } from "./AppConfig.js"
import * as ConfigSource from "./ConfigSource.js"
import * as Storage from "./Storage.js"

/** The database file in use (absolute), or undefined when DATABASE_URL is not a file (`:memory:`, or another scheme another storage reads). */
export const databaseFile = (config: AppConfig): string | undefined =>
  Either.match(SqliteDatabase.parseUrl(config.databaseUrl), {
    onLeft: () => undefined,
    onRight: (file) => (file === SqliteDatabase.MEMORY ? undefined : file)
  })

/** "/home/ada/.local/share/ml-agents/ml_agents.db (the per-user default; DATABASE_URL chooses another)". */
export const databaseText = (config: AppConfig): string => {
  const file = databaseFile(config) ?? Storage.display(config.databaseUrl)
  if (!config.databaseUrlSet) return `${file} (the per-user default; DATABASE_URL chooses another)`
  const origin = config.source.origin("DATABASE_URL")
  return `${file} (DATABASE_URL${origin !== undefined ? `, set in ${origin}` : ""})`
}

/** "read /x/.env, /x/.env.production (ML_AGENTS_ENV=production)", or what was looked for. */
export const configurationText = (config: AppConfig): string => {
  const read = config.source.files.filter((f) => f.read).map((f) => f.file)
  const missing = config.source.files.filter((f) => !f.read).map((f) => f.file)
  return [
    read.length > 0 ? `read ${read.join(", ")}` : "no configuration file (environment variables only)",
    config.source.environment !== undefined ? `environment '${config.source.environment}'` : undefined,
    missing.length > 0 ? `not found: ${missing.join(", ")}` : undefined
  ].filter((s) => s !== undefined).join("; ")
}

/**
 * Before the database is opened: the per-user default's directory is created; a DATABASE_URL
 * under a directory that does not exist is refused (naming the variable and where it was set).
 */
export const prepare = (config: AppConfig): Effect.Effect<void, ConfigSource.ConfigInvalid> =>
  Effect.suspend(() => {
    const file = databaseFile(config)
    if (file === undefined) return Effect.void
    const directory = path.dirname(file)
    if (!config.databaseUrlSet) {
      try {
        fs.mkdirSync(directory, { recursive: true, mode: 0o700 })
      } catch (e) {
        return Effect.fail(
          new ConfigSource.ConfigInvalid({
            variable: "DATABASE_URL",
            problem: `unset, and the default database's directory ${directory} cannot be created (${(e as Error).message}); set DATABASE_URL to a writable place`
          })
        )
      }
      return Effect.void
    }
    if (fs.existsSync(directory)) return Effect.void
    return Effect.fail(
      new ConfigSource.ConfigInvalid({
        variable: "DATABASE_URL",
        problem: `the directory ${directory} does not exist (create it with: mkdir -p ${directory}, or fix the path)`,
        origin: config.source.origin("DATABASE_URL")
      })
    )
  })
