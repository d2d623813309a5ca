/**
 * The WAL flush that makes a write durable (internal/walSync.ts): the repositories wait for it
 * before a result, an evaluation or a benchmark counts as stored, and its failure is theirs.
 */
import { assert, describe, it } from "@effect/vitest"
import { BenchmarkRepository, EvaluationRepository, ResultRepository } from "@ml-agents/core"
import { Context, Deferred, Effect, Fiber, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { storageError } from "../src/internal/errors.js"
import * as WalSync from "../src/internal/walSync.js"
import * as Database from "../src/Database.js"
import * as SqliteStorage from "../src/SqliteStorage.js"
import { benchmark, evaluation, questions, result, tempDir } from "./fixtures.js"

/** The storage on an in-memory database, with `sync` in place of the WAL flush. */
const storageWith = (sync: Effect.Effect<void, ReturnType<typeof storageError>>) =>
  Layer.build(
    Layer.provideMerge(
      SqliteStorage.repositories,
      Layer.merge(
        Database.layer({ filename: ":memory:" }),
        Layer.succeed(WalSync.WalSync, { sync })
      )
    )
  )

describe("WalSync", () => {
  it.scoped("flushes the WAL of an open database; a failed flush names the file and fails every later one", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "ml.db")
      // Opened and migrated: the WAL exists and holds the migrations.
      yield* Layer.build(SqliteStorage.layer({ filename }))
      assert.isTrue(fs.existsSync(`${filename}-wal`))
      const wal = yield* WalSync.make(filename)
      yield* wal.sync
      yield* wal.sync

      const missing = path.join(dir, "later", "x.db")
      const broken = yield* WalSync.make(missing)
      const error = yield* Effect.flip(broken.sync)
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "Database.sync")
      assert.include(error.message, `${missing}-wal`)
      assert.include(error.message, "ENOENT")
      assert.include(error.message, "committed but may not survive a power loss")
      // The file is there now, but a flush that failed once may have left a hole: still failing.
      fs.mkdirSync(path.dirname(missing))
      fs.writeFileSync(`${missing}-wal`, "")
      assert.strictEqual((yield* Effect.flip(broken.sync)).message, error.message)
    }))

  it.scoped("the file layer's writes wait for the real flush: a WAL gone from the directory fails them", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "ml.db")
      const context = yield* Layer.build(SqliteStorage.layer({ filename }))
      const benchmarks = Context.get(context, BenchmarkRepository.BenchmarkRepository)
      // SQLite writes on through its open descriptor; the flush opens the WAL by name.
      fs.rmSync(`${filename}-wal`)
      const error = yield* Effect.flip(benchmarks.create(benchmark("B", 2), questions(2)))
      assert.strictEqual(error._tag, "StorageError")
      assert.include(error.message, `${filename}-wal`)
      assert.include(error.message, "ENOENT")
    }))

  it.scoped("a database reached through a symbolic link flushes the WAL beside the file the link points to", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const real = path.join(dir, "real", "x.db")
      const link = path.join(dir, "link.db")
      fs.mkdirSync(path.dirname(real))
      yield* Effect.scoped(Layer.build(SqliteStorage.layer({ filename: real })))
      fs.symlinkSync(real, link)
      const context = yield* Layer.build(SqliteStorage.layer({ filename: link }))
      const benchmarks = Context.get(context, BenchmarkRepository.BenchmarkRepository)
      yield* benchmarks.create(benchmark("B", 2), questions(2))
      assert.isTrue(fs.existsSync(`${real}-wal`))
      assert.isFalse(fs.existsSync(`${link}-wal`))
    }))

  it.scoped("a result, an evaluation and a benchmark count as stored only once the WAL is flushed", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let flushes = 0
      const context = yield* storageWith(Effect.zipRight(
        Effect.sync(() => flushes++),
        Deferred.await(gate)
      ))
      const benchmarks = Context.get(context, BenchmarkRepository.BenchmarkRepository)
      const evaluations = Context.get(context, EvaluationRepository.EvaluationRepository)
      const results = Context.get(context, ResultRepository.ResultRepository)
      const qs = questions(3)
      const b = benchmark("B", 3)
      const e = evaluation("eval_1", b)

      const importing = yield* Effect.fork(benchmarks.create(b, qs))
      yield* Effect.yieldNow()
      // Written (the SQL ran), but not done until the flush.
      assert.strictEqual(flushes, 1)
      assert.isNull(importing.unsafePoll())
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(importing)
      // The gate stays open from here: each write waits for one more flush.
      yield* evaluations.create(e)
      assert.strictEqual(flushes, 2)
      yield* evaluations.update(e)
      assert.strictEqual(flushes, 3)
      yield* results.saveAll(qs.map((q) => result(e.id, q)))
      assert.strictEqual(flushes, 4)
      yield* results.save(result(e.id, qs[0]!, { correct: true }))
      assert.strictEqual(flushes, 5)
      // Reads flush nothing.
      yield* results.summarize(e.id)
      assert.strictEqual(flushes, 5)
    }))

  it.scoped("a failed flush fails the write with its StorageError (the row may stay: it is committed)", () =>
    Effect.gen(function*() {
      const failure = storageError("Database.sync", "cannot flush the database's write-ahead log x.db-wal to the disk: EIO")
      const context = yield* storageWith(Effect.fail(failure))
      const benchmarks = Context.get(context, BenchmarkRepository.BenchmarkRepository)
      const results = Context.get(context, ResultRepository.ResultRepository)
      const qs = questions(2)
      const b = benchmark("B", 2)
      const same = (error: { readonly message: string }) => assert.strictEqual(error.message, failure.message)
      same(yield* Effect.flip(benchmarks.create(b, qs)))
      const e = evaluation("eval_1", b)
      const evaluations = Context.get(context, EvaluationRepository.EvaluationRepository)
      same(yield* Effect.flip(evaluations.create(e)))
      same(yield* Effect.flip(evaluations.update(e)))
      same(yield* Effect.flip(results.saveAll(qs.map((q) => result(e.id, q)))))
      same(yield* Effect.flip(results.save(result(e.id, qs[0]!))))
    }))
})
