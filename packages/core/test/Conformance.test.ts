import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Agent, AgentConfig, LlmClient, NoneAgent } from "../src/index.js"
import { Conformance } from "../src/testing.js"

describe("Conformance", () => {
  it.effect("the none agent passes every check", () =>
    Effect.gen(function*() {
      const results = yield* Conformance.verify(NoneAgent.agent)
      assert.isAtLeast(results.length, 15)
    }))

  it.effect("a broken agent fails, and the report names what it broke", () =>
    Effect.gen(function*() {
      const broken = Agent.make({
        id: "Broken_Agent",
        description: "",
        parameters: Schema.Struct({ depth: Schema.Number }),
        modelDefaults: new AgentConfig.ModelParameters({}),
        solve: () => Effect.die(new Error("boom"))
      })
      const failure = yield* Effect.flip(Conformance.verify(broken))
      assert.include(failure.message, "id is lowercase")
      assert.include(failure.message, "description")
      assert.include(failure.message, "parameters decode with defaults")
    }))

  it.effect("an agent that crashes on model errors or swallows the question is caught", () =>
    Effect.gen(function*() {
      const sloppy = Agent.make({
        id: "sloppy",
        description: "Ignores the question and crashes on errors.",
        parameters: Schema.Struct({}),
        modelDefaults: new AgentConfig.ModelParameters({}),
        solve: ({ model }) =>
          Effect.gen(function*() {
            const llm = yield* LlmClient.LlmClient
            const reply = yield* llm.chat({ model, messages: [{ role: "user", content: "hello" }] }).pipe(Effect.orDie)
            return { answer: reply.content.length > 0 ? "x" : null, rawOutput: reply.content, trace: { f: () => 1 } }
          })
      })
      const results = yield* Conformance.run(sloppy)
      const failed = results.filter((r) => !r.passed).map((r) => r.name)
      assert.include(failed, "a model error fails the question as an error, not a crash")
      assert.include(failed, "puts the question in a prompt")
      assert.include(failed, "returns the answer the model gave")
      assert.include(failed, "trace is plain JSON")
    }))
})
