import { assert, describe, it } from "@effect/vitest"
import { LlmClient } from "@ml-agents/core"
import { Conformance, ScriptedLlmClient } from "@ml-agents/core/testing"
import { Benchmark, AgentConfig } from "@ml-agents/core"
import { Effect } from "effect"
import { agent, SelfConsistency } from "../src/index.js"

const question = new Benchmark.Question({ id: "1", text: "What is 6 x 7?", expectedAnswer: "42", metadata: {} })
const solve = (replies: ReadonlyArray<string>, samples = replies.length) => {
  const scripted = ScriptedLlmClient.make((_, i) => replies[i % replies.length]!)
  return agent.solve({
    question,
    model: "m",
    modelParameters: new AgentConfig.ModelParameters({ temperature: 0.7 }),
    parameters: { samples }
  }).pipe(Effect.provideService(LlmClient.LlmClient, scripted.client), Effect.map((out) => ({ out, scripted })))
}

describe("self-consistency", () => {
  it("takes the majority, folding case and decoration, first seen winning a tie", () => {
    assert.deepStrictEqual(SelfConsistency.majority(["42", "41", "**42**", null, "41", "42."]).answer, "42")
    assert.deepStrictEqual(SelfConsistency.majority(["Paris", "paris", "Lyon"]).votes, { paris: 2, lyon: 1 })
    assert.strictEqual(SelfConsistency.majority(["B", "C"]).answer, "B")
    assert.isNull(SelfConsistency.majority([null, null]).answer)
  })

  it.effect("asks k samples at once and answers with the most frequent", () =>
    Effect.gen(function*() {
      const { out, scripted } = yield* solve(["Step 1...\nAnswer: 42", "Hmm\nAnswer: 41", "So\nAnswer: 42"], 3)
      assert.strictEqual(scripted.requests.length, 3)
      assert.strictEqual(out.answer, "42")
      assert.include(out.rawOutput, "Answer: 42")
      assert.deepStrictEqual((out.trace as any).votes, { "42": 2, "41": 1 })
      // Every sample's raw output, in the order drawn, to be graded on its own for pass@k.
      assert.deepStrictEqual(out.samples, ["Step 1...\nAnswer: 42", "Hmm\nAnswer: 41", "So\nAnswer: 42"])
    }))

  it.effect("no parseable sample gives no answer; only empty samples are an error", () =>
    Effect.gen(function*() {
      const { out } = yield* solve(["I am thinking\nabout it", "still\nthinking"], 2)
      assert.isNull(out.answer)
      const error = yield* Effect.flip(solve(["", " "], 2))
      assert.strictEqual(error._tag, "AgentError")
    }))

  it("rejects temperature 0 with several samples", () => {
    const problem = agent.validate?.({ modelParameters: new AgentConfig.ModelParameters({ temperature: 0 }), parameters: { samples: 5 } })
    assert.include(problem, "temperature 0")
  })

  it.effect("passes the plugin conformance suite", () => Conformance.verify(agent))
})
