import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { AgentConfig, Evaluation, FailureReason } from "../src/index.js"

const config = new AgentConfig.AgentConfig({
  agentType: "none",
  modelProvider: "openrouter",
  modelName: "openai/gpt-4o-mini",
  modelParameters: new AgentConfig.ModelParameters({ temperature: 0.1 }),
  agentParameters: {}
})
const t0 = new Date("2026-01-01T00:00:00Z")
const t1 = new Date("2026-01-01T00:01:00Z")
const pending = Evaluation.create({ id: "eval_abcd1234", agentConfig: config, benchmarkId: "b1", benchmarkName: "S", now: t0 })
const reason = FailureReason.make({ category: "credit_limit_exceeded", description: "no credits" })

describe("Evaluation lifecycle", () => {
  it.effect("pending → running → completed records the timestamps", () =>
    Effect.gen(function*() {
      const running = yield* Evaluation.start(pending, t0)
      assert.strictEqual(running.status, "running")
      assert.deepStrictEqual(running.startedAt, t0)
      const done = yield* Evaluation.complete(running, t1)
      assert.strictEqual(done.status, "completed")
      assert.deepStrictEqual(done.completedAt, t1)
    }))

  it.effect("failed and interrupted evaluations may run again, and a re-run clears the failure", () =>
    Effect.gen(function*() {
      const failed = yield* Evaluation.fail(yield* Evaluation.start(pending, t0), reason, t1)
      assert.strictEqual(failed.failureReason?.category, "credit_limit_exceeded")
      const again = yield* Evaluation.start(failed, t1)
      assert.strictEqual(again.status, "running")
      assert.isNull(again.failureReason)
      assert.isNull(again.completedAt)
      const interrupted = yield* Evaluation.interrupt(again, t1)
      assert.strictEqual((yield* Evaluation.start(interrupted, t1)).status, "running")
    }))

  it.effect("forbidden transitions fail with InvalidTransition and a readable message", () =>
    Effect.gen(function*() {
      const completed = yield* Evaluation.complete(yield* Evaluation.start(pending, t0), t1)
      const exit = yield* Effect.exit(Evaluation.start(completed, t1))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(Evaluation.start(completed, t1))
      assert.strictEqual(error._tag, "InvalidTransition")
      assert.include(error.message, "already completed")
      assert.strictEqual((yield* Effect.flip(Evaluation.complete(pending, t1))).to, "completed")
      assert.strictEqual((yield* Effect.flip(Evaluation.interrupt(pending, t1)))._tag, "InvalidTransition")
      const running = yield* Evaluation.start(pending, t0)
      assert.include((yield* Effect.flip(Evaluation.start(running, t0))).message, "already running")
    }))

  it("canTransition matches the lifecycle table", () => {
    const statuses = ["pending", "running", "completed", "failed", "interrupted"] as const
    const allowed = statuses.flatMap((from) =>
      statuses.filter((to) => Evaluation.canTransition(from, to)).map((to) => `${from}->${to}`)
    )
    assert.deepStrictEqual(allowed, [
      "pending->running",
      "running->completed",
      "running->failed",
      "running->interrupted",
      "failed->running",
      "interrupted->running"
    ])
  })
})
