/**
 * The hard call budget: over random parameters and random (often useless) replies, the search
 * never makes more than `max_evaluations` calls, and its trace accounts for every call made.
 * Also the planner, `validate` and the parameter schema.
 */
import { assert, describe, it } from "@effect/vitest"
import { Agent, AgentConfig } from "@ml-agents/core"
import { Conformance } from "@ml-agents/core/testing"
import { Effect, FastCheck as fc } from "effect"
import { plan, stepCalls } from "../src/internal/Search.js"
import { TreeOfThought } from "../src/index.js"
import { kindOf, kinds, solve } from "./helpers.js"

// A tiny deterministic generator, so that a failing case replays from its seed.
const rng = (seed: number) => {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x1_0000_0000
  }
}

const garbage = ["", "}{ <<garbage>> \u0000", "The best choice is", "Score: lots", "I cannot decide."]

describe("the call budget", () => {
  it.effect.prop(
    "never exceeds max_evaluations, and the trace counts every call the model saw",
    {
      tree_depth: fc.integer({ min: 1, max: 5 }),
      branches_per_step: fc.integer({ min: 1, max: 6 }),
      evaluation_method: fc.constantFrom("vote" as const, "value" as const),
      pruning_threshold: fc.double({ min: 0, max: 1, noNaN: true }),
      backtrack_on_failure: fc.boolean(),
      beam_width: fc.integer({ min: 1, max: 4 }),
      max_evaluations: fc.integer({ min: 2, max: 30 }),
      seed: fc.integer()
    },
    ({ seed, ...parameters }) =>
      Effect.gen(function*() {
        const random = rng(seed)
        const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(random() * xs.length)]!
        const { output, requests, trace } = yield* solve((request) => {
          const junk = random() < 0.25
          switch (kindOf(request)) {
            case "generate":
              return junk ? pick(garbage) : `idea ${Math.floor(random() * 1000)}`
            case "vote":
              return junk ? pick(garbage) : `The best choice is ${Math.floor(random() * 8)}`
            case "value":
              return junk ? pick(garbage) : random() < 0.2 ? pick(["sure", "likely", "impossible"]) : `Score: ${(random() * 1.2).toFixed(2)}`
            case "final":
              return "Answer: 42"
          }
        }, parameters)

        assert.isAtMost(requests.length, parameters.max_evaluations)
        assert.strictEqual(trace.calls.total, requests.length)
        const seen = kinds(requests)
        assert.strictEqual(trace.calls.generation, seen.filter((k) => k === "generate").length)
        assert.strictEqual(trace.calls.evaluation, seen.filter((k) => k === "vote" || k === "value").length)
        assert.strictEqual(trace.calls.final, 1)
        assert.strictEqual(seen.at(-1), "final")
        assert.strictEqual(trace.nodes.reduce((n, x) => n + x.calls, 0) + 1, trace.calls.total)
        assert.strictEqual(trace.nodes.filter((n) => n.status === "final").length, 1)
        assert.isTrue(trace.nodes.every((n) => n.depth <= parameters.tree_depth))
        assert.isTrue(Conformance.isPlainJson(trace))
        assert.strictEqual(output.answer, "42")
        // The budget is the only thing that can stop the search with depth left to go.
        if (trace.stopReason === "budget") assert.isTrue(trace.budgetExhausted)
      }),
    { fastCheck: { numRuns: 300 } }
  )

  it.effect("a budget too small for a full depth narrows the step and says so in the trace", () =>
    Effect.gen(function*() {
      const { requests, trace } = yield* solve(
        (request) => (kindOf(request) === "generate" ? "idea" : kindOf(request) === "value" ? "Score: 0.9" : "Answer: 1"),
        { tree_depth: 3, branches_per_step: 4, evaluation_method: "value", max_evaluations: 20 }
      )
      // Depths 1 and 2 take 8 calls each; 3 are left besides the final answer: one candidate (2 calls).
      assert.deepStrictEqual(trace.calls, { generation: 9, evaluation: 9, final: 1, total: 19 })
      assert.strictEqual(requests.length, 19)
      assert.isTrue(trace.budgetExhausted)
      assert.strictEqual(trace.stopReason, "completed")
      assert.strictEqual(trace.nodes.filter((n) => n.depth === 3).length, 1)
    }))

  it.effect("when no step fits, the search stops and the final answer still gets its call", () =>
    Effect.gen(function*() {
      const { requests, trace } = yield* solve(
        (request) => (kindOf(request) === "final" ? "Answer: 1" : "Score: 0.9"),
        { evaluation_method: "value", max_evaluations: 2 }
      )
      assert.deepStrictEqual(kinds(requests), ["final"])
      assert.deepStrictEqual([trace.stopReason, trace.budgetExhausted, trace.bestPath], ["budget", true, [0]])
    }))
})

describe("plan", () => {
  it("gives every state its branches when they fit, else narrows breadth-first", () => {
    assert.deepStrictEqual(plan(2, 4, "vote", 100), [4, 4])
    assert.deepStrictEqual(plan(2, 4, "value", 10), [3, 2])
    // vote: a second candidate costs its generation plus the ballots.
    assert.deepStrictEqual(plan(1, 4, "vote", 3), [1])
    assert.deepStrictEqual(plan(1, 4, "vote", 4), [2])
    assert.deepStrictEqual(plan(3, 4, "value", 1), [0, 0, 0])
  })

  it("costs a step as generations plus evaluations", () => {
    assert.strictEqual(stepCalls(4, "vote"), 4 + TreeOfThought.VOTE_BALLOTS)
    assert.strictEqual(stepCalls(1, "vote"), 1)
    assert.strictEqual(stepCalls(4, "value"), 8)
  })
})

describe("validate and parameters", () => {
  const model = new AgentConfig.ModelParameters({ temperature: 0.9, maxTokens: 1500 })
  const check = (input: Partial<TreeOfThought.Parameters>, modelParameters = model) =>
    Agent.decodeParameters(TreeOfThought.agent, input).pipe(
      Effect.map((parameters) => TreeOfThought.validate({ modelParameters, parameters }))
    )

  it.effect("decodes {} to the defaults of TOT_AGENT_DEFAULTS", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Agent.parameterDefaults(TreeOfThought.agent), {
        tree_depth: 3,
        branches_per_step: 4,
        evaluation_method: "vote",
        pruning_threshold: 0.3,
        backtrack_on_failure: true,
        max_evaluations: 20,
        beam_width: 1
      })
      assert.deepStrictEqual(TreeOfThought.agent.modelDefaults, new AgentConfig.ModelParameters({ temperature: 0.9, maxTokens: 1500 }))
    }))

  it.effect("rejects values outside their ranges", () =>
    Effect.gen(function*() {
      for (const bad of [{ branches_per_step: 11 }, { tree_depth: 0 }, { evaluation_method: "rank" }, { pruning_threshold: 1.5 }, { max_evaluations: 1 }, { beam_width: 0 }, { tree_depth: 2.5 }]) {
        const result = yield* Effect.either(Agent.decodeParameters(TreeOfThought.agent, bad))
        assert.strictEqual(result._tag, "Left", JSON.stringify(bad))
      }
    }))

  it.effect("accepts the defaults and rejects budgets that cannot cover one step and the final answer", () =>
    Effect.gen(function*() {
      assert.isUndefined(yield* check({}))
      assert.isUndefined(yield* check({ branches_per_step: 1, max_evaluations: 2 }))
      const tooSmall = yield* check({ branches_per_step: 10, evaluation_method: "value", max_evaluations: 20 })
      assert.include(tooSmall, "max_evaluations 20 is too small")
      assert.include(tooSmall, "at least 21")
      assert.include(yield* check({ branches_per_step: 2, max_evaluations: 4 }), "at least 5")
      assert.isUndefined(yield* check({ branches_per_step: 2, max_evaluations: 5 }))
      assert.include(yield* check({}, new AgentConfig.ModelParameters({ maxTokens: 20 })), "max_tokens 20 is too few")
    }))
})
