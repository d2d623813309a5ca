/**
 * Group commit: items handed in while a write is under way go out together in the next write;
 * each caller resumes only once its own item is written, or fails with its own write's error.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option, Scope } from "effect"
import * as GroupCommit from "../src/internal/groupCommit.js"

// Lets every forked fiber run as far as it can.
const settle = Effect.repeatN(Effect.yieldNow(), 50)

describe("GroupCommit", () => {
  it.scoped("a lone item is written at once; items arriving during a write go together in the next, at most maxBatch", () =>
    Effect.gen(function*() {
      const batches: Array<ReadonlyArray<number>> = []
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const write = yield* GroupCommit.make({
        writeAll: (items: ReadonlyArray<number>) =>
          Effect.gen(function*() {
            batches.push(items)
            // The first write is slow: everything handed in meanwhile waits for the next one.
            if (batches.length === 1) yield* Deferred.succeed(started, undefined).pipe(Effect.zipRight(Deferred.await(gate)))
          }),
        maxBatch: 3,
        linger: () => false
      })
      const first = yield* Effect.fork(write(1))
      yield* Deferred.await(started)
      assert.deepStrictEqual(batches, [[1]])
      const rest = yield* Effect.forEach([2, 3, 4, 5], (n) => Effect.fork(write(n)))
      yield* settle
      assert.deepStrictEqual(batches, [[1]])
      // Nobody is done before their write is.
      assert.isTrue(Option.isNone(yield* Fiber.poll(first)))
      assert.isTrue(Option.isNone(yield* Fiber.poll(rest[0]!)))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      yield* Effect.forEach(rest, Fiber.join)
      assert.deepStrictEqual(batches, [[1], [2, 3, 4], [5]])
    }))

  it.live("when lingering, the writer lets the event loop's pending work hand in more before it writes", () =>
    Effect.gen(function*() {
      const batches: Array<ReadonlyArray<number>> = []
      const write = yield* GroupCommit.make({
        writeAll: (items: ReadonlyArray<number>) => Effect.sync(() => batches.push(items)),
        maxBatch: 100,
        linger: () => true
      })
      const first = yield* Effect.fork(write(1))
      yield* settle
      // Without lingering, 1 would be written by now, alone.
      assert.deepStrictEqual(batches, [])
      const rest = yield* Effect.forEach([2, 3, 4], (n) => Effect.fork(write(n)))
      yield* Fiber.join(first)
      yield* Effect.forEach(rest, Fiber.join)
      assert.deepStrictEqual(batches, [[1, 2, 3, 4]])
    }).pipe(Effect.scoped))

  it.effect("items still queued when the scope closes are written, not dropped", () =>
    Effect.gen(function*() {
      const batches: Array<ReadonlyArray<number>> = []
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const scope = yield* Scope.make()
      const write = yield* GroupCommit.make({
        writeAll: (items: ReadonlyArray<number>) =>
          Effect.gen(function*() {
            batches.push(items)
            if (batches.length === 1) yield* Deferred.succeed(started, undefined).pipe(Effect.zipRight(Deferred.await(gate)))
          }),
        maxBatch: 10,
        linger: () => false
      }).pipe(Scope.extend(scope))
      yield* Effect.fork(write(1))
      yield* Deferred.await(started)
      yield* Effect.forEach([2, 3], (n) => Effect.fork(write(n)))
      yield* settle
      // The run ends (Ctrl+C, say) while 1 is being written and 2 and 3 wait: the writer stops
      // after writing 1, and what waits is written as the scope closes.
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* settle
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      assert.deepStrictEqual(batches, [[1], [2, 3]])
    }))

  it.scoped("a write that throws fails its callers (no one waits forever) and the writer goes on", () =>
    Effect.gen(function*() {
      const write = yield* GroupCommit.make({
        writeAll: (items: ReadonlyArray<number>): Effect.Effect<void> => {
          if (items.includes(13)) throw new Error("driver bug")
          return Effect.void
        },
        maxBatch: 10,
        linger: () => false
      })
      const exit = yield* Effect.exit(write(13))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.deepStrictEqual(yield* Effect.exit(write(14)), Exit.void)
    }))

  it.scoped("a failed write fails its own callers only; the writer goes on", () =>
    Effect.gen(function*() {
      const write = yield* GroupCommit.make({
        writeAll: (items: ReadonlyArray<number>) => items.includes(13) ? Effect.fail(`refused ${items.join(",")}`) : Effect.void,
        maxBatch: 10,
        linger: () => false
      })
      assert.deepStrictEqual(yield* Effect.exit(write(13)), Exit.fail("refused 13"))
      assert.deepStrictEqual(yield* Effect.exit(write(14)), Exit.void)
    }))
})
