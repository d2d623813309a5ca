/**
 * Durability without blocking the program: the write-ahead log (WAL) is flushed to the disk on
 * libuv's thread pool, and only the writes that a user counts on wait for it.
 *
 * SQLite's `synchronous = FULL` flushes the WAL inside every commit, on the calling thread, and
 * better-sqlite3 runs on the JavaScript thread: each commit of a run's results stopped every
 * request and reply of the run for the length of an fsync (about 1 ms here, some 65 ms in a
 * run of 1,000 questions at concurrency 64). With `synchronous = NORMAL`, a commit only writes
 * to the WAL (the operating system keeps it: a killed process loses nothing), and SQLite flushes
 * it before each checkpoint; on its own, NORMAL may lose the last commits to a power loss. FULL
 * is NORMAL plus a flush of the WAL after each commit; `sync` is that flush, done off the
 * JavaScript thread, and the repositories wait for it before a write counts as done (a result,
 * an evaluation's state, an imported benchmark). What they do not wait for (a lease, a cached
 * response) is flushed with the next write that waits, as the WAL is written in order.
 */
import type { StorageError } from "@ml-agents/core"
import { Context, Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { messageOf, storageError } from "./errors.js"

const OPERATION = "Database.sync"

/** Flushes what was committed to the database's WAL to the disk. */
export class WalSync extends Context.Tag("@ml-agents/storage-sqlite/WalSync")<
  WalSync,
  { readonly sync: Effect.Effect<void, StorageError.StorageError> }
>() {}

/**
 * Opens `file`, flushes it to the disk and closes it: a file's data (fdatasync, as SQLite does
 * for its WAL), a directory's entries (fsync).
 */
const flush = (file: string, flags: string, what: string, dataOnly: boolean): Effect.Effect<void, StorageError.StorageError> =>
  Effect.async<void, StorageError.StorageError>((resume) => {
    const fail = (error: unknown) =>
      resume(Effect.fail(storageError(OPERATION, `cannot flush ${what} ${file} to the disk: ${messageOf(error)}`)))
    fs.open(file, flags, (openError, fd) => {
      if (openError !== null) return fail(openError)
      ;(dataOnly ? fs.fdatasync : fs.fsync)(fd, (syncError) =>
        fs.close(fd, () => {
          if (syncError !== null) return fail(syncError)
          resume(Effect.void)
        }))
    })
  })

/**
 * The flush of the WAL of the database `filename` (which must be open in WAL mode). The first
 * flush also flushes the directory, so that a WAL file created by this connection survives a
 * power loss as well (SQLite's FULL does the same for a new WAL). Windows cannot open a
 * directory and has no such step.
 */
export const make = (filename: string): WalSync["Type"] => {
  const wal = `${filename}-wal`
  const directory = path.dirname(filename)
  let directoryFlushed = process.platform === "win32"
  const flushWal = flush(wal, "r+", "the database's write-ahead log", true)
  const flushDirectory = Effect.suspend(() =>
    directoryFlushed
      ? Effect.void
      : flush(directory, "r", "the database's directory", false).pipe(Effect.tap(() => {
        directoryFlushed = true
      }))
  )
  return { sync: Effect.zipRight(flushWal, flushDirectory) }
}

/**
 * What a repository waits for after a write that must survive a power loss: the WAL flush when
 * the database was opened by this package in WAL mode; otherwise nothing (an in-memory database,
 * or a SqlClient from elsewhere, whose commits are as durable as its own `synchronous` makes them).
 */
export const durable: Effect.Effect<Effect.Effect<void, StorageError.StorageError>> = Effect.map(
  Effect.serviceOption(WalSync),
  Option.match({ onNone: () => Effect.void, onSome: (wal) => wal.sync })
)
