/**
 * The `cot` agent over real HTTP: the openai-SDK OpenRouter client against the OpenRouter
 * simulator on 127.0.0.1, in structured mode (a model whose /models entry lists
 * response_format) and in text mode (one whose entry does not).
 *
 * The simulator and the OpenRouter client are devDependencies of this package only: the agent
 * itself depends on `@ml-agents/core` and `effect`, never on an HTTP client.
 */
import { assert, describe, it } from "@effect/vitest"
import { Agent, AgentConfig, Benchmark, Grading, LlmClient } from "@ml-agents/core"
import { Effect, Redacted } from "effect"
import { OpenRouterClient } from "@ml-agents/openrouter"
import { start } from "@ml-agents/simulator"
import { ChainOfThought } from "../src/index.js"

const key = {
  question: "Which planet is known as the Red Planet? A) Venus B) Mars C) Jupiter D) Saturn",
  answer: "B"
}

const question = new Benchmark.Question({ id: "q1", text: key.question, expectedAnswer: key.answer, metadata: {} })

const simulator = Effect.acquireRelease(
  Effect.promise(() => start({ questions: [key], accuracy: 1 })),
  (sim) => Effect.promise(() => sim.close())
)

const solveOverHttp = (url: string, model: string) =>
  Effect.gen(function*() {
    const parameters = yield* Agent.decodeParameters(ChainOfThought.agent, {}).pipe(Effect.orDie)
    return yield* ChainOfThought.agent.solve({
      question,
      model,
      modelParameters: new AgentConfig.ModelParameters({ ...ChainOfThought.agent.modelDefaults }),
      parameters
    })
  }).pipe(
    Effect.provide(OpenRouterClient.layer({ apiKey: Redacted.make("sk-sim-local"), baseURL: url, maxRetries: 0 }))
  )

describe("over HTTP against the simulator", () => {
  it.scopedLive("structured mode for openai/gpt-4o-mini: JSON reasoning and answer", () =>
    Effect.gen(function*() {
      const sim = yield* simulator
      const output = yield* solveOverHttp(sim.url, "openai/gpt-4o-mini")
      const trace = output.trace as ChainOfThought.Trace
      assert.strictEqual(trace.mode, "structured")
      assert.isFalse(trace.fellBack)
      assert.deepStrictEqual(JSON.parse(output.rawOutput), { reasoning: trace.reasoning, answer: "B" })
      assert.include(trace.reasoning, "step by step")
      assert.strictEqual(output.answer, "B")
      assert.isTrue(Grading.isCorrect(key.answer, output.answer!))
      assert.match(trace.generationId ?? "", /^gen-/)
      assert.strictEqual(sim.stats().requests.chat, 1)
      assert.isAtLeast(sim.stats().requests.models, 1)
    }))

  it.scopedLive("text mode for meta-llama/llama-3.1-8b-instruct: reasoning lines and a final Answer:", () =>
    Effect.gen(function*() {
      const sim = yield* simulator
      const output = yield* solveOverHttp(sim.url, "meta-llama/llama-3.1-8b-instruct")
      const trace = output.trace as ChainOfThought.Trace
      assert.strictEqual(trace.mode, "text")
      assert.notProperty(trace, "fellBack")
      assert.strictEqual(output.answer, "B")
      assert.isTrue(Grading.isCorrect(key.answer, output.answer!))
      assert.isTrue(output.rawOutput.trimEnd().endsWith("Answer: B"))
      // The simulator's step-by-step reply: several reasoning lines, none of them the answer line.
      assert.isAtLeast(trace.reasoning.split("\n").length, 3)
      assert.include(trace.reasoning, "step by step")
      assert.notInclude(trace.reasoning, "Answer:")
      assert.strictEqual(sim.stats().requests.chat, 1)
    }))

  it.scopedLive("a provider error reaches the caller as an LlmError with its category", () =>
    Effect.gen(function*() {
      const sim = yield* simulator
      sim.configure({ faults: [{ fault: { type: "status", status: 429 } }] })
      const error = yield* Effect.flip(solveOverHttp(sim.url, "meta-llama/llama-3.1-8b-instruct"))
      assert.instanceOf(error, LlmClient.LlmError)
      assert.strictEqual(error.category, "rate_limit_exceeded")
    }))

  it.scopedLive("a simulated refusal is a model_refusal AgentError", () =>
    Effect.gen(function*() {
      const sim = yield* simulator
      sim.configure({ faults: [{ fault: { type: "refusal" } }] })
      const error = yield* Effect.flip(solveOverHttp(sim.url, "meta-llama/llama-3.1-8b-instruct"))
      assert.strictEqual(error._tag, "AgentError")
      assert.strictEqual(error.category, "model_refusal")
    }))
})
