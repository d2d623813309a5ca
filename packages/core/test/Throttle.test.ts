import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, TestClock } from "effect"
import { Throttle } from "../src/index.js"

// Lets every forked fiber run until it blocks.
const settle = Effect.forEach(Array.from({ length: 200 }), () => Effect.yieldNow(), { discard: true })

describe("Throttle limiter", () => {
  it.effect("halves the places on a rate limit, once per burst, and gives them back one by one after the cool-down", () =>
    Effect.gen(function*() {
      const limiter = yield* Throttle.makeLimiter(8, 10_000)
      let inFlight = 0
      let peak = 0
      const gates = Array.from({ length: 40 }, () => Effect.runSync(Deferred.make<void>()))
      const task = (i: number) =>
        limiter.withPlace(Effect.gen(function*() {
          inFlight++
          peak = Math.max(peak, inFlight)
          yield* Deferred.await(gates[i]!)
          inFlight--
        }))
      const fiber = yield* Effect.fork(Effect.forEach(gates.map((_, i) => i), task, { concurrency: 40, discard: true }))
      yield* settle
      assert.strictEqual(inFlight, 8)

      // A burst of three 429s: one cut, 8 → 4.
      yield* limiter.throttle.rateLimited()
      yield* limiter.throttle.rateLimited()
      yield* limiter.throttle.rateLimited(2_000)
      assert.deepStrictEqual(yield* limiter.state, { limit: 4, max: 8, throttled: true })
      peak = 0
      for (let i = 0; i < 8; i++) yield* Deferred.succeed(gates[i]!, undefined)
      yield* settle
      assert.strictEqual(inFlight, 4, "no new question starts until in flight falls under the new limit")

      // After the cool-down (counted from the end of Retry-After), each finished question adds a place.
      yield* TestClock.adjust(Duration.millis(12_001))
      assert.isFalse((yield* limiter.state).throttled)
      for (let i = 8; i < 12; i++) yield* Deferred.succeed(gates[i]!, undefined)
      yield* settle
      assert.strictEqual((yield* limiter.state).limit, 8)
      assert.isAtMost(peak, 8)
      for (let i = 12; i < 40; i++) yield* Deferred.succeed(gates[i]!, undefined)
      yield* Fiber.join(fiber)
      assert.strictEqual(inFlight, 0)
    }))

  it.effect("never goes below one place, and interrupting queued work frees nothing it did not take", () =>
    Effect.gen(function*() {
      const limiter = yield* Throttle.makeLimiter(2, 1_000)
      for (let i = 0; i < 5; i++) {
        yield* limiter.throttle.rateLimited()
        yield* TestClock.adjust(Duration.millis(600))
      }
      assert.strictEqual((yield* limiter.state).limit, 1)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(limiter.withPlace(Deferred.await(gate)))
      yield* settle
      const queued = yield* Effect.fork(limiter.withPlace(Effect.void))
      yield* settle
      yield* Fiber.interrupt(queued)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      const after = yield* Effect.fork(limiter.withPlace(Effect.succeed("ran")))
      assert.strictEqual(yield* Fiber.join(after), "ran")
    }))
})
