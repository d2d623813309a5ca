/**
 * The retry schedule on its own: exponential backoff with jitter and a cap, Retry-After
 * stretching a delay, the retry count, and no retries for non-recoverable errors.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@ml-agents/core"
import { Chunk, Duration, Effect, Schedule } from "effect"
import * as Retry from "../src/internal/retry.js"

const error = (fields: Partial<ConstructorParameters<typeof LlmClient.LlmError>[0]> = {}) =>
  new LlmClient.LlmError({ category: "unknown", message: "boom", recoverable: true, status: 500, ...fields })

/** The delays the schedule chooses for a run of failures. */
const delays = (policy: Retry.RetryPolicy, failures: ReadonlyArray<LlmClient.LlmError>) =>
  Schedule.run(Schedule.delays(Retry.schedule(policy)), 0, failures).pipe(
    Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map(Duration.toMillis))
  )

/** Retries granted before the schedule stopped: `Schedule.run` also emits the stopping step's output. */
const retries = (policy: Retry.RetryPolicy, failures: ReadonlyArray<LlmClient.LlmError>) =>
  Effect.map(delays(policy, [...failures, error()]), (ds) => ds.length - 1)

const policy: Retry.RetryPolicy = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 5000, maxRetryAfterMs: 60_000 }

describe("retry schedule", () => {
  it.effect("doubles from the base delay with ±20 % jitter, capped", () =>
    Effect.gen(function*() {
      for (let run = 0; run < 20; run++) {
        const ds = yield* delays(policy, Array.from({ length: 6 }, () => error()))
        assert.strictEqual(ds.length, 6)
        const nominal = [500, 1000, 2000, 4000, 8000, 16000]
        ds.forEach((d, i) => {
          assert.isAtLeast(d, Math.min(nominal[i]! * 0.8, policy.maxDelayMs))
          assert.isAtMost(d, Math.min(nominal[i]! * 1.2, policy.maxDelayMs))
        })
      }
    }))

  it.effect("stops after maxRetries", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* retries({ ...policy, maxRetries: 2 }, Array.from({ length: 5 }, () => error())), 2)
      assert.strictEqual(yield* retries({ ...policy, maxRetries: 0 }, [error()]), 0)
      assert.strictEqual(yield* retries(policy, Array.from({ length: 8 }, () => error())), 6)
    }))

  it.effect("waits at least Retry-After when the server asks for longer", () =>
    Effect.gen(function*() {
      const ds = yield* delays(policy, [error({ category: "rate_limit_exceeded", status: 429, retryAfterMs: 7000 }), error()])
      assert.strictEqual(ds[0], 7000)
      assert.isAtMost(ds[1]!, 1200)
      // A shorter Retry-After does not shorten the backoff.
      const short = yield* delays({ ...policy, baseDelayMs: 2000 }, [error({ retryAfterMs: 10 })])
      assert.isAtLeast(short[0]!, 1600)
    }))

  it.effect("does not retry non-recoverable errors, nor waits longer than maxRetryAfterMs", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* retries(policy, [error({ category: "credit_limit_exceeded", recoverable: false, status: 402 })]), 0)
      assert.strictEqual(yield* retries(policy, [error({ retryAfterMs: 3_600_000 })]), 0)
      assert.strictEqual(yield* retries(policy, [error(), error({ recoverable: false })]), 1)
    }))

  it.effect("retrying reports the attempts and says when it gave up", () =>
    Effect.gen(function*() {
      let n = 0
      const flaky = Effect.suspend(() => (++n < 3 ? Effect.fail(error()) : Effect.succeed("ok")))
      const [value, attempts] = yield* Retry.retrying({ ...policy, baseDelayMs: 0 }, flaky)
      assert.strictEqual(value, "ok")
      assert.strictEqual(attempts, 3)

      const failed = yield* Effect.flip(Retry.retrying({ ...policy, maxRetries: 1, baseDelayMs: 0 }, Effect.fail(error())))
      assert.include(failed.message, "gave up after 2 attempts")
      const once = yield* Effect.flip(Retry.retrying(policy, Effect.fail(error({ recoverable: false }))))
      assert.strictEqual(once.message, "boom")
    }))
})
