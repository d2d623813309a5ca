/**
 * Opening the database file: checks that catch the common mistakes before SQLite does (a missing
 * directory, a path that is a directory, a file that is not a SQLite database), the connection
 * pragmas, and the migrations. Every failure here is a StorageError that names the file.
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { StorageError } from "@ml-agents/core"
import { Cause, Effect, Option, Predicate, type Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Migrations from "../Migrations.js"
import { codeOf, messageOf, storageError } from "./errors.js"
import * as WalSync from "./walSync.js"

const OPERATION = "Database.open"

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1")

/** Whether a filename means a private in-memory database rather than a file. */
export const isMemory = (filename: string): boolean => filename === ":memory:" || filename === ""

const readHeader = (filename: string): Buffer => {
  const fd = fs.openSync(filename, "r")
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length)
    const read = fs.readSync(fd, header, 0, header.length, 0)
    return header.subarray(0, read)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Creates the parent directory if missing and refuses a path that exists but is not a SQLite
 * database. An empty file is accepted: SQLite treats it as a new database.
 */
const checkFile = (filename: string): Effect.Effect<void, StorageError.StorageError> =>
  Effect.suspend(() => {
    const directory = path.dirname(filename)
    try {
      fs.mkdirSync(directory, { recursive: true })
    } catch (error) {
      return Effect.fail(
        storageError(OPERATION, `cannot create the directory ${directory} for the database ${filename}: ${messageOf(error)}`)
      )
    }
    let stat: fs.Stats
    try {
      stat = fs.statSync(filename)
    } catch {
      return Effect.void // a new database
    }
    if (stat.isDirectory()) {
      return Effect.fail(storageError(OPERATION, `${filename} is a directory, not a SQLite database file`))
    }
    if (stat.size === 0) return Effect.void
    let header: Buffer
    try {
      header = readHeader(filename)
    } catch (error) {
      return Effect.fail(storageError(OPERATION, `cannot read the database file ${filename}: ${messageOf(error)}`))
    }
    return header.equals(SQLITE_HEADER)
      ? Effect.void
      : Effect.fail(
        storageError(
          OPERATION,
          `${filename} is not a SQLite database (it exists but lacks the SQLite file header); ` +
            `point DATABASE_URL at a SQLite database or at a new file`
        )
      )
  })

const describeOpenFailure = (filename: string, error: unknown): StorageError.StorageError => {
  if (Predicate.isTagged(error, "StorageError")) return error as StorageError.StorageError
  const code = codeOf(error)
  const message = messageOf(error)
  return code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT"
    ? storageError(OPERATION, `${filename} is not a usable SQLite database (${message})`)
    : storageError(OPERATION, `cannot open the database ${filename}: ${message}`)
}

/** Whether an existing file can be written by this process (a new file will be created). */
const writable = (filename: string): boolean => {
  try {
    fs.accessSync(filename, fs.constants.W_OK)
    return true
  } catch (error) {
    return codeOf(error) === "ENOENT"
  }
}

/**
 * A database file this process may not write (its permissions, a read-only mount): opened
 * read-only, so that the commands that only read (list, show, export, report) work on it. Nothing
 * is migrated, so it must already be at the current schema; a write fails with SQLite's
 * "attempt to write a readonly database".
 */
const openReadOnly = (filename: string) =>
  Effect.gen(function*() {
    const client = yield* SqliteClient.make({ filename, readonly: true, disableWAL: true })
    yield* client`PRAGMA busy_timeout = 5000`
    const rows = yield* client<{ id: number | null }>`SELECT MAX(migration_id) AS id FROM ${client(Migrations.TABLE)}`.pipe(
      Effect.orElseSucceed(() => [{ id: null }])
    )
    const at = rows[0]?.id ?? 0
    if (at < Migrations.latest) {
      return yield* Effect.fail(
        storageError(
          OPERATION,
          `${filename} is read-only and its tables are older than this version of ml-agents (schema ${at}, needs ${Migrations.latest}); ` +
            `open it once with write access to upgrade it`
        )
      )
    }
    return { client: client as SqlClient.SqlClient, walSync: undefined }
  })

/**
 * Opens (creating if needed) a SQLite database, sets the connection pragmas, runs the migrations
 * and returns the client. The connection is closed when the scope closes. A file this process
 * may not write is opened read-only instead (see openReadOnly).
 */
export const open = (
  filename: string
): Effect.Effect<
  { readonly client: SqlClient.SqlClient; readonly walSync: WalSync.WalSync["Type"] | undefined },
  StorageError.StorageError,
  Scope.Scope | Reactivity.Reactivity
> =>
  Effect.gen(function*() {
    const memory = isMemory(filename)
    if (!memory) yield* checkFile(filename)
    if (!memory && !writable(filename)) return yield* openReadOnly(filename)
    // WAL is switched on below, after busy_timeout, so that a locked file is waited for.
    const client = yield* SqliteClient.make({ filename, disableWAL: true })
    const walSync = yield* Effect.gen(function*() {
      yield* client`PRAGMA busy_timeout = 5000`
      const modes = memory ? [] : yield* client<{ journal_mode: string }>`PRAGMA journal_mode = WAL`
      const wal = modes[0]?.journal_mode.toLowerCase() === "wal"
      // A result, an evaluation's state or a benchmark counts as stored only once it is on the
      // disk, so that a power loss loses only the questions in flight. In WAL mode the
      // repositories flush the WAL for that off the JavaScript thread (see walSync.ts), and the
      // commits themselves do not wait (NORMAL); otherwise each commit waits for the disk (FULL).
      if (wal) {
        yield* client`PRAGMA synchronous = NORMAL`
      } else {
        yield* client`PRAGMA synchronous = FULL`
      }
      yield* client`PRAGMA foreign_keys = ON`
      yield* Migrations.run.pipe(Effect.provideService(SqlClient.SqlClient, client))
      if (!wal) return undefined
      // The file SQLite opened, links resolved: its WAL is beside that one.
      const [main] = yield* client<{ file: string }>`SELECT file FROM pragma_database_list WHERE name = 'main'`
      return yield* WalSync.make(main?.file || filename)
    }).pipe(Effect.withSpan("Database.open", { attributes: { filename } }))
    return { client: client as SqlClient.SqlClient, walSync }
  }).pipe(
    // The driver throws (a defect) where a file cannot be opened or a migration fails: for the
    // caller these are ordinary failures.
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.interrupt
        : Effect.fail(
          describeOpenFailure(filename, Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause)))
        )
    )
  )
