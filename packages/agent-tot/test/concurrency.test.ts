/**
 * Concurrency within a depth: the generation calls of one depth (and its value calls) are all in
 * flight at once. Replies are held back by a latch per depth that opens only after the test has
 * counted the calls waiting on it — no wall-clock timing involved. Also: interruption.
 */
import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@ml-agents/core"
import { Deferred, Effect, Exit, Fiber, FiberId } from "effect"
import { kindOf, namer, pathOf, solve } from "./helpers.js"

/**
 * A script whose calls of one kind wait on a latch for their depth; `waiting(depth)` says how many
 * wait now, `release(depth)` opens the latch.
 */
const latched = (held: "generate" | "value", reply: (request: LlmClient.ChatRequest) => string) =>
  Effect.gen(function*() {
    const latches = new Map<number, Deferred.Deferred<void>>()
    const waiting = new Map<number, number>()
    const latch = (depth: number) => {
      let d = latches.get(depth)
      if (d === undefined) {
        d = Deferred.unsafeMake<void>(FiberId.none)
        latches.set(depth, d)
      }
      return d
    }
    const script = (request: LlmClient.ChatRequest) => {
      if (kindOf(request) !== held) return reply(request)
      const depth = pathOf(request).length + (held === "value" ? 0 : 1)
      return Effect.gen(function*() {
        waiting.set(depth, (waiting.get(depth) ?? 0) + 1)
        yield* Deferred.await(latch(depth))
        waiting.set(depth, waiting.get(depth)! - 1)
        return reply(request)
      })
    }
    // Lets the search run until `n` calls of `depth` wait (or it is clearly not going to happen).
    const settle = (depth: number, n: number) =>
      Effect.gen(function*() {
        for (let i = 0; i < 1_000 && (waiting.get(depth) ?? 0) < n; i++) yield* Effect.yieldNow()
        return waiting.get(depth) ?? 0
      })
    const release = (depth: number) => Deferred.succeed(latch(depth), undefined)
    return { script, settle, release }
  })

const replies = () => {
  const name = namer()
  return (request: LlmClient.ChatRequest) => {
    switch (kindOf(request)) {
      case "generate":
        return name(request)
      case "vote":
        return "The best choice is 1"
      case "value":
        return "Score: 0.9"
      case "final":
        return "Answer: 42"
    }
  }
}

describe("concurrency within a depth", () => {
  it.effect("all branches_per_step generation calls of a depth are in flight at once", () =>
    Effect.gen(function*() {
      const branches = 5
      const { release, script, settle } = yield* latched("generate", replies())
      const fiber = yield* Effect.fork(solve(script, { tree_depth: 3, branches_per_step: branches, max_evaluations: 30 }))
      const inFlight: Array<number> = []
      for (const depth of [1, 2, 3]) {
        inFlight.push(yield* settle(depth, branches))
        yield* release(depth)
      }
      const { trace } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(inFlight, [branches, branches, branches])
      assert.strictEqual(trace.calls.generation, 3 * branches)
    }))

  it.effect("with a beam of 2, both kept states' generations and all value calls of a depth run together", () =>
    Effect.gen(function*() {
      const gen = yield* latched("generate", replies())
      const fiber = yield* Effect.fork(
        solve(gen.script, { tree_depth: 2, branches_per_step: 3, beam_width: 2, evaluation_method: "value", max_evaluations: 30 })
      )
      const first = yield* gen.settle(1, 3)
      yield* gen.release(1)
      const second = yield* gen.settle(2, 6)
      yield* gen.release(2)
      yield* Fiber.join(fiber)
      assert.deepStrictEqual([first, second], [3, 6])

      const val = yield* latched("value", replies())
      const valued = yield* Effect.fork(solve(val.script, { tree_depth: 1, branches_per_step: 4, evaluation_method: "value" }))
      // Value prompts show the path to the state (depth 0 here) and the candidate.
      const waitingValues = yield* val.settle(0, 4)
      yield* val.release(0)
      yield* Fiber.join(valued)
      assert.strictEqual(waitingValues, 4)
    }))

  it.effect("a question stuck on the model can be interrupted", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(solve(() => Effect.never, {}))
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
    }))
})
