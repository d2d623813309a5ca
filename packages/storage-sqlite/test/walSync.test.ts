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
  it.scoped("flushes the WAL of an open database, and names the file it cannot flush", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filename = path.join(dir, "ml.db")
      // Opened and migrated: the WAL exists and holds the migrations.
      yield* Layer.build(SqliteStorage.layer({ filename }))
      assert.isTrue(fs.existsSync(`${filename}-wal`))
      yield* WalSync.make(filename).sync
      const missing = path.join(dir, "gone", "x.db")
      const error = yield* Effect.flip(WalSync.make(missing).sync)
      assert.strictEqual(error._tag, "StorageError")
      assert.strictEqual(error.operation, "Database.sync")
      assert.include(error.message, `${missing}-wal`)
      assert.include(error.message, "ENOENT")
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
      same(yield* Effect.flip(results.saveAll(qs.map((q) => result(e.id, q)))))
    }))
})
