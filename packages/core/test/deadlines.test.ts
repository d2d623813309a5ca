/**
 * Question time limits kept by one watchdog: each limited effect is interrupted at its own
 * deadline and fails with the timeout error; one that ends in time is left alone.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, TestClock } from "effect"
import * as Deadlines from "../src/internal/deadlines.js"

const timeout = (label: string) => () => `timed out: ${label}`

describe("Deadlines", () => {
  it.scoped("each effect is stopped at its own deadline, counted from its start", () =>
    Effect.gen(function*() {
      const within = yield* Deadlines.make(10_000)
      const stopped: Array<string> = []
      const hang = (label: string) =>
        within(Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => stopped.push(label)))), timeout(label))
      const a = yield* Effect.fork(hang("a"))
      yield* TestClock.adjust("4 seconds")
      const b = yield* Effect.fork(hang("b"))
      yield* TestClock.adjust("5999 millis")
      assert.deepStrictEqual(stopped, [])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* Fiber.await(a), Exit.fail("timed out: a"))
      assert.deepStrictEqual(stopped, ["a"])
      assert.isTrue(Option.isNone(yield* Fiber.poll(b)))
      yield* TestClock.adjust("4 seconds")
      assert.deepStrictEqual(yield* Fiber.await(b), Exit.fail("timed out: b"))
      assert.deepStrictEqual(stopped, ["a", "b"])
    }))

  it.scoped("an effect that ends in time keeps its own value or error, and later ones are still watched", () =>
    Effect.gen(function*() {
      const within = yield* Deadlines.make(10_000)
      const quick = yield* Effect.fork(within(Effect.as(Effect.sleep("9 seconds"), "answer"), timeout("quick")))
      const failing = yield* Effect.fork(within(Effect.zipRight(Effect.sleep("1 second"), Effect.fail("model refused")), timeout("failing")))
      yield* TestClock.adjust("9 seconds")
      assert.deepStrictEqual(yield* Fiber.join(quick), "answer")
      assert.deepStrictEqual(yield* Fiber.await(failing), Exit.fail("model refused"))
      const late = yield* Effect.fork(within(Effect.never, timeout("late")))
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(yield* Fiber.await(late), Exit.fail("timed out: late"))
    }))

  it.scoped("interrupted from outside (Ctrl+C), the effect stops at once and is not reported as timed out", () =>
    Effect.gen(function*() {
      const within = yield* Deadlines.make(10_000)
      const stopped = yield* Deferred.make<void>()
      const running = yield* Effect.fork(within(Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(stopped, undefined))), timeout("x")))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.interrupt(running)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isTrue(yield* Deferred.isDone(stopped))
    }))
})
