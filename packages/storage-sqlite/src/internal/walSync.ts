/**
 * Durability without blocking the program: the write-ahead log (WAL) is flushed to the disk on
 * libuv's thread pool, and only the writes that a user counts on wait for it.
 *
 * SQLite's `synchronous = FULL` flushes the WAL inside every commit, on the calling thread, and
 * better-sqlite3 runs on the JavaScript thread: each commit of a run's results stopped every
 * request and reply of the run for the length of an fsync (about 1 ms here, some 60 ms in a
 * run of 1,000 questions at concurrency 64). With `synchronous = NORMAL`, a commit only writes
 * to the WAL (the operating system keeps it: a killed process loses nothing), and SQLite flushes
 * it before each checkpoint, and flushes the directory of a new WAL; on its own, NORMAL may lose
 * the last commits to a power loss. FULL is NORMAL plus a flush of the WAL after each commit;
 * `sync` is that flush, done off the JavaScript thread, and the repositories wait for it before a
 * write counts as done (a result, an evaluation's state, an imported benchmark). So a write that
 * is acknowledged is on the disk, as with FULL. What the repositories do not wait for (a lease, a
 * cached response) is flushed with the next write that waits, as the WAL is written in order.
 * One difference: another process (`evaluate show`) may see a commit before its flush ends.
 *
 * The WAL is flushed through one file descriptor of its own, opened at the first flush and kept
 * until the database closes, so that a write-back error reported for it is not missed (an error
 * is reported to the descriptors open when it happens). SQLite holds no POSIX lock on the WAL, so
 * closing this descriptor drops none of its locks; never do the same with the database file or
 * its `-shm`, whose locks a close would drop. After a failed flush, every later one fails the same
 * way until the database is opened again: the WAL may have a hole, and a later success would say
 * that writes behind it are safe.
 */
import type { StorageError } from "@ml-agents/core"
import { Context, Effect, Option, type Scope } from "effect"
import * as fs from "node:fs"
import { messageOf, storageError } from "./errors.js"

const OPERATION = "Database.sync"

/** Flushes what was committed to the database's WAL to the disk. */
export class WalSync extends Context.Tag("@ml-agents/storage-sqlite/WalSync")<
  WalSync,
  { readonly sync: Effect.Effect<void, StorageError.StorageError> }
>() {}

/**
 * The flush of the WAL of the database file `filename`, the path SQLite opened (symbolic links
 * resolved: SQLite puts the WAL beside the file a link points to). The database must be open in
 * WAL mode. The WAL's descriptor is closed with the scope.
 */
export const make = (filename: string): Effect.Effect<WalSync["Type"], never, Scope.Scope> =>
  Effect.gen(function*() {
    const wal = `${filename}-wal`
    let fd: number | undefined
    let failed: StorageError.StorageError | undefined
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        if (fd !== undefined) fs.closeSync(fd)
        fd = undefined
      })
    )
    const fail = (error: unknown) => {
      failed ??= storageError(
        OPERATION,
        `cannot flush the database's write-ahead log ${wal} to the disk (${messageOf(error)}); the last ` +
          `writes are committed but may not survive a power loss, and no write counts as stored until ` +
          `the database is opened again`
      )
      return failed
    }
    const descriptor = Effect.async<number, StorageError.StorageError>((resume) => {
      if (fd !== undefined) return resume(Effect.succeed(fd))
      fs.open(wal, "r+", (error, opened) => {
        if (error !== null) return resume(Effect.fail(fail(error)))
        // Two first flushes at once: keep one descriptor.
        if (fd === undefined) {
          fd = opened
        } else {
          fs.close(opened, () => {})
        }
        resume(Effect.succeed(fd))
      })
    })
    // fsync, as SQLite does (on macOS libuv's is F_FULLFSYNC, which SQLite's FULL is not by default).
    const flush = (at: number) =>
      Effect.async<void, StorageError.StorageError>((resume) => {
        fs.fsync(at, (error) => resume(error === null ? Effect.void : Effect.fail(fail(error))))
      })
    const sync = Effect.suspend(() =>
      failed !== undefined ? Effect.fail(failed) : Effect.flatMap(descriptor, flush)
    )
    return { sync }
  })

/**
 * What a repository waits for after a write that must survive a power loss: the WAL flush when
 * the database was opened by this package in WAL mode; otherwise nothing (an in-memory database,
 * or a SqlClient from elsewhere, whose commits are as durable as its own `synchronous` makes them).
 * Not for a write inside `sql.withTransaction`: the flush would come before the commit.
 */
export const durable: Effect.Effect<Effect.Effect<void, StorageError.StorageError>> = Effect.map(
  Effect.serviceOption(WalSync),
  Option.match({ onNone: () => Effect.void, onSome: (wal) => wal.sync })
)
