/**
 * Question time limits kept by one watchdog, with no fiber per question: each limited effect is
 * interrupted at its own deadline and its caller gets the timeout error; one that ends in time is
 * left alone; a worker whose question was stopped is replaced by a new fiber and goes on.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Either, Exit, Fiber, Option, Queue, TestClock } from "effect"
import * as Deadlines from "../src/internal/deadlines.js"

const timeout = (label: string) => () => `timed out: ${label}`

/** The error a limited call ended with, whatever interruption its fiber carries afterwards. */
const failureOf = <A>(exit: Exit.Exit<A, string>): string | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

describe("Deadlines", () => {
  it.scoped("each effect is stopped at its own deadline, counted from its start", () =>
    Effect.gen(function*() {
      const { within } = yield* Deadlines.make(10_000)
      const stopped: Array<string> = []
      const hang = (label: string) =>
        Effect.uninterruptible(
          within(Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => stopped.push(label)))), timeout(label))
        )
      const a = yield* Effect.fork(hang("a"))
      yield* TestClock.adjust("4 seconds")
      const b = yield* Effect.fork(hang("b"))
      yield* TestClock.adjust("5999 millis")
      assert.deepStrictEqual(stopped, [])
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(failureOf(yield* Fiber.await(a)), "timed out: a")
      assert.deepStrictEqual(stopped, ["a"])
      assert.isTrue(Option.isNone(yield* Fiber.poll(b)))
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual(failureOf(yield* Fiber.await(b)), "timed out: b")
      assert.deepStrictEqual(stopped, ["a", "b"])
    }))

  it.scoped("an effect that ends in time keeps its own value or error, and later ones are still watched", () =>
    Effect.gen(function*() {
      const { within } = yield* Deadlines.make(10_000)
      const quick = yield* Effect.fork(Effect.uninterruptible(within(Effect.as(Effect.sleep("9 seconds"), "answer"), timeout("quick"))))
      const failing = yield* Effect.fork(
        Effect.uninterruptible(within(Effect.zipRight(Effect.sleep("1 second"), Effect.fail("model refused")), timeout("failing")))
      )
      yield* TestClock.adjust("9 seconds")
      assert.deepStrictEqual(yield* Fiber.join(quick), "answer")
      assert.deepStrictEqual(yield* Fiber.await(failing), Exit.fail("model refused"))
      const late = yield* Effect.fork(Effect.uninterruptible(within(Effect.never, timeout("late"))))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(failureOf(yield* Fiber.await(late)), "timed out: late")
    }))

  it.scoped("interrupted from outside (Ctrl+C), the effect stops at once and is not reported as timed out", () =>
    Effect.gen(function*() {
      const { within } = yield* Deadlines.make(10_000)
      const stopped = yield* Deferred.make<void>()
      const running = yield* Effect.fork(
        Effect.uninterruptible(within(Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(stopped, undefined))), timeout("x")))
      )
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.interrupt(running)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isUndefined(failureOf(exit))
      assert.isTrue(yield* Deferred.isDone(stopped))
    }))

  it.scoped("a worker whose item was stopped finishes that item, ends, and a new fiber takes the rest", () =>
    Effect.gen(function*() {
      const { respawning, within } = yield* Deadlines.make(10_000)
      const items = yield* Queue.unbounded<number>()
      yield* Queue.offerAll(items, [1, 2, 3, 4])
      const done: Array<string> = []
      const fibers = new Set<unknown>()
      // Item 2 never ends; the others take a second each.
      const work = Effect.gen(function*() {
        fibers.add(yield* Effect.fiberId)
        for (let item = yield* Queue.poll(items); Option.isSome(item); item = yield* Queue.poll(items)) {
          const n = item.value
          // After a timeout, the rest of this uninterruptible step still runs: the item is
          // recorded before the fiber ends.
          yield* Effect.uninterruptible(
            Effect.either(within(n === 2 ? Effect.never : Effect.as(Effect.sleep("1 second"), `answered ${n}`), timeout(String(n))))
              .pipe(Effect.map((outcome) => done.push(Either.merge(outcome))))
          )
        }
        return done.length
      })
      const running = yield* Effect.fork(respawning(work))
      for (let second = 0; second < 15; second++) yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(running), 4)
      assert.deepStrictEqual(done, ["answered 1", "timed out: 2", "answered 3", "answered 4"])
      assert.strictEqual(fibers.size, 2)
    }))

  it.scoped("interrupting a respawning worker interrupts its work; a worker's own failure is its result", () =>
    Effect.gen(function*() {
      const { respawning } = yield* Deadlines.make(10_000)
      const stopped = yield* Deferred.make<void>()
      const running = yield* Effect.fork(respawning(Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(stopped, undefined)))))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(running)))
      assert.isTrue(yield* Deferred.isDone(stopped))
      assert.deepStrictEqual(yield* Effect.exit(respawning(Effect.fail("storage failed"))), Exit.fail("storage failed"))
    }))
})
