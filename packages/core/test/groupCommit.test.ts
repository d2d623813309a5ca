/**
 * Group commit: the work hands items to a writer and goes on; items handed in while a write is
 * under way go out together in the next write, and the whole ends only once everything is written.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect"
import * as GroupCommit from "../src/internal/groupCommit.js"

// Lets every forked fiber run as far as it can.
const settle = Effect.repeatN(Effect.yieldNow(), 50)

interface SlowFirstWrite {
  readonly batches: Array<ReadonlyArray<number>>
  readonly gate: Deferred.Deferred<void>
  readonly started: Deferred.Deferred<void>
  readonly writeAll: (items: ReadonlyArray<number>) => Effect.Effect<void>
}

/**
 * Runs `test` with a writeAll whose first write waits for `gate` (after telling `started`) and
 * that records every batch. The gate is opened in the end whatever happens, so that a failed
 * assertion fails the test instead of leaving a write hanging.
 */
const withSlowFirstWrite = <A, E>(test: (w: SlowFirstWrite) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const batches: Array<ReadonlyArray<number>> = []
    const gate = yield* Deferred.make<void>()
    const started = yield* Deferred.make<void>()
    const writeAll = (items: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        batches.push(items)
        if (batches.length === 1) yield* Deferred.succeed(started, undefined).pipe(Effect.zipRight(Deferred.await(gate)))
      })
    return yield* test({ batches, gate, started, writeAll }).pipe(Effect.ensuring(Deferred.succeed(gate, undefined)))
  })

/** Hands in 1, waits until its write has begun (and holds the writer), then hands in 2 and 3. */
const firstThree = (submit: (n: number) => Effect.Effect<void>, started: Deferred.Deferred<void>) =>
  Effect.gen(function*() {
    yield* submit(1)
    yield* Deferred.await(started)
    yield* submit(2)
    yield* submit(3)
  })

const failureOf = <A, E>(exit: Exit.Exit<A, E>) => Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

describe("GroupCommit", () => {
  it.live("the work goes on while its items are written; items handed in during a write go together in the next, at most maxBatch", () =>
    withSlowFirstWrite(({ batches, gate, started, writeAll }) => Effect.gen(function*() {
      const written: Array<number> = []
      const handedIn = yield* Deferred.make<void>()
      const running = yield* GroupCommit.run(
        { writeAll, written: (items) => Effect.sync(() => written.push(...items)), maxBatch: 3, capacity: 10 },
        (submit) =>
          Effect.gen(function*() {
            yield* submit(1)
            yield* Deferred.await(started)
            // Submitting did not wait for the write, which is still going on.
            for (const n of [2, 3, 4, 5]) yield* submit(n)
            yield* Deferred.succeed(handedIn, undefined)
            return "done"
          })
      ).pipe(Effect.fork)
      yield* Deferred.await(handedIn)
      yield* settle
      assert.deepStrictEqual(batches, [[1]])
      // Nothing counts as written before its write is committed, and the whole waits for it.
      assert.deepStrictEqual(written, [])
      assert.isTrue(Option.isNone(yield* Fiber.poll(running)))
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(yield* Fiber.join(running), "done")
      assert.deepStrictEqual(batches, [[1], [2, 3, 4], [5]])
      assert.deepStrictEqual(written, [1, 2, 3, 4, 5])
    })))

  it.live("before writing, the writer lets the event loop's pending work hand in more", () =>
    Effect.gen(function*() {
      const batches: Array<ReadonlyArray<number>> = []
      yield* GroupCommit.run(
        { writeAll: (items: ReadonlyArray<number>) => Effect.sync(() => batches.push(items)), written: () => Effect.void, maxBatch: 100, capacity: 100 },
        (submit) =>
          Effect.gen(function*() {
            yield* submit(1)
            yield* settle
            // Without that, 1 would be written by now, alone.
            assert.deepStrictEqual(batches, [])
            for (const n of [2, 3, 4]) yield* submit(n)
          })
      )
      assert.deepStrictEqual(batches, [[1, 2, 3, 4]])
    }))

  it.live("submit waits while `capacity` items already wait to be written", () =>
    withSlowFirstWrite(({ batches, gate, started, writeAll }) => Effect.gen(function*() {
      let submitted = 0
      const running = yield* GroupCommit.run(
        { writeAll, written: () => Effect.void, maxBatch: 10, capacity: 2 },
        (submit) =>
          submit(1).pipe(
            Effect.zipRight(Deferred.await(started)),
            Effect.zipRight(Effect.forEach([2, 3, 4], (n) => submit(n).pipe(Effect.tap(() => submitted++)), { discard: true }))
          )
      ).pipe(Effect.fork)
      yield* Deferred.await(started)
      yield* settle
      // 1 is being written, 2 and 3 wait: 4 is held back.
      assert.strictEqual(submitted, 2)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(running)
      assert.strictEqual(submitted, 3)
      assert.deepStrictEqual(batches, [[1], [2, 3, 4]])
    })))

  it.live("an item handed in, uninterruptibly, by a fiber already interrupted does not wait for room, and is still written", () =>
    withSlowFirstWrite(({ batches, gate, started, writeAll }) => Effect.gen(function*() {
      const go = yield* Deferred.make<void>()
      const running = yield* GroupCommit.run(
        { writeAll, written: () => Effect.void, maxBatch: 10, capacity: 2 },
        (submit) =>
          Effect.gen(function*() {
            yield* firstThree(submit, started)
            // The queue is full. A fiber stopped (as by a question's time limit) while it finishes
            // its item uninterruptibly hands that item in on its way out.
            const last = yield* Effect.fork(Effect.uninterruptible(Deferred.await(go).pipe(Effect.zipRight(submit(4)))))
            yield* Fiber.interruptFork(last)
            yield* settle
            yield* Deferred.succeed(go, undefined)
            yield* settle
            // It has ended although the first write still holds the queue full.
            const ended = yield* Fiber.poll(last)
            yield* Deferred.succeed(gate, undefined)
            return ended
          })
      ).pipe(Effect.fork)
      const ended = yield* Fiber.join(running)
      assert.isTrue(Option.isSome(ended) && Exit.isInterrupted(ended.value))
      assert.deepStrictEqual(batches.flat(), [1, 2, 3, 4])
    })))

  it.live("when the work fails, what it handed in is still written, and the whole fails with its error", () =>
    withSlowFirstWrite(({ batches, gate, started, writeAll }) => Effect.gen(function*() {
      const written: Array<number> = []
      const running = yield* GroupCommit.run(
        { writeAll, written: (items) => Effect.sync(() => written.push(...items)), maxBatch: 10, capacity: 10 },
        (submit) =>
          Effect.gen(function*() {
            yield* firstThree(submit, started)
            return yield* Effect.fail("account blocked")
          })
      ).pipe(Effect.fork)
      yield* Deferred.await(started)
      yield* settle
      // 1 is still being written: the run waits for it and for what is queued.
      assert.isTrue(Option.isNone(yield* Fiber.poll(running)))
      yield* Deferred.succeed(gate, undefined)
      assert.deepStrictEqual(failureOf(yield* Fiber.await(running)), Option.some("account blocked"))
      assert.deepStrictEqual(batches, [[1], [2, 3]])
      assert.deepStrictEqual(written, [1, 2, 3])
    })))

  it.live("when the work is interrupted (Ctrl+C), what it handed in is still written", () =>
    withSlowFirstWrite(({ batches, gate, started, writeAll }) => Effect.gen(function*() {
      const handedIn = yield* Deferred.make<void>()
      const running = yield* GroupCommit.run(
        { writeAll, written: () => Effect.void, maxBatch: 10, capacity: 10 },
        (submit) =>
          Effect.gen(function*() {
            yield* firstThree(submit, started)
            yield* Deferred.succeed(handedIn, undefined)
            return yield* Effect.never
          })
      ).pipe(Effect.fork)
      yield* Deferred.await(handedIn)
      const stopping = yield* Effect.fork(Fiber.interrupt(running))
      yield* settle
      // Stopping waits for the write under way, then writes what waits.
      assert.isTrue(Option.isNone(yield* Fiber.poll(stopping)))
      yield* Deferred.succeed(gate, undefined)
      const exit = yield* Fiber.join(stopping)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(batches, [[1], [2, 3]])
    })))

  it.live("a result whose hand-in waits on a full queue when the run is interrupted is still written", () =>
    withSlowFirstWrite(({ batches, gate, started, writeAll }) => Effect.gen(function*() {
      const blocked = yield* Deferred.make<void>()
      const running = yield* GroupCommit.run(
        { writeAll, written: () => Effect.void, maxBatch: 10, capacity: 1 },
        (submit) =>
          Effect.gen(function*() {
            yield* submit(1)
            yield* Deferred.await(started)
            yield* submit(2)
            // The queue holds 2: handing in 3 waits.
            yield* Effect.zipRight(Deferred.succeed(blocked, undefined), submit(3))
            return yield* Effect.never
          })
      ).pipe(Effect.fork)
      yield* Deferred.await(blocked)
      yield* settle
      const stopping = yield* Effect.fork(Fiber.interrupt(running))
      yield* settle
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(stopping)
      assert.deepStrictEqual(batches, [[1], [2, 3]])
    })))

  it.live("a failed write stops the work and fails the whole with the write's error", () =>
    Effect.gen(function*() {
      let interrupted = false
      const exit = yield* GroupCommit.run(
        {
          writeAll: (items: ReadonlyArray<number>) => items.includes(13) ? Effect.fail(`refused ${items.join(",")}`) : Effect.void,
          written: () => Effect.void,
          maxBatch: 10,
          capacity: 10
        },
        (submit) => submit(13).pipe(Effect.zipRight(Effect.never), Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
      ).pipe(Effect.exit)
      assert.deepStrictEqual(failureOf(exit), Option.some("refused 13"))
      assert.isTrue(interrupted)
    }))

  it.live("a write that throws ends the whole with that defect (no one waits forever)", () =>
    Effect.gen(function*() {
      const exit = yield* GroupCommit.run(
        {
          writeAll: (): Effect.Effect<void> => {
            throw new Error("driver bug")
          },
          written: () => Effect.void,
          maxBatch: 10,
          capacity: 10
        },
        (submit) => submit(1).pipe(Effect.zipRight(Effect.never))
      ).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
    }))
})
