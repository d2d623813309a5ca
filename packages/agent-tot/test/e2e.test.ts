/**
 * End to end over real HTTP: the `tot` agent talks through the OpenRouter client (the `openai`
 * SDK) to the project's simulator on 127.0.0.1, which answers the search's prompts in kind.
 * Several calls per question, never more than `max_evaluations`, the tree in the trace, and
 * correct answers when the simulated model is always right.
 */
import { assert, describe, it } from "@effect/vitest"
import { Agent, Benchmark, Grading } from "@ml-agents/core"
import { Conformance } from "@ml-agents/core/testing"
import { Effect, Redacted } from "effect"
// Test-only (dev) dependencies: the agent itself depends on core alone.
import { OpenRouterClient } from "@ml-agents/openrouter"
import { type RunningSimulator, start, TOT_MARKERS } from "@ml-agents/simulator"
import { agent, TreeOfThought } from "../src/index.js"

const MODEL = "openai/gpt-4o-mini"

const questions = [
  { id: "math-01", text: "What is 17 + 25?", answer: "42" },
  { id: "math-03", text: "What is 15 - 23?", answer: "-8" },
  { id: "qa-01", text: "What is the capital of France?", answer: "Paris" },
  { id: "qa-05", text: 'Who wrote the novel "Pride and Prejudice"?', answer: "Jane Austen" },
  {
    id: "mc-01",
    text: "Which gas makes up the largest share of Earth's atmosphere by volume?\n(A) Oxygen\n(B) Carbon dioxide\n(C) Nitrogen\n(D) Argon",
    answer: "C"
  },
  {
    id: "logic-01",
    text: "Premises:\nAll dogs are mammals.\nAll mammals are animals.\nRex is a dog.\nConclusion: Rex is an animal.\nIs the conclusion True, False or Uncertain?",
    answer: "True"
  }
].map((q) => new Benchmark.Question({ id: q.id, text: q.text, expectedAnswer: q.answer, metadata: {} }))

const simulator = (accuracy: number) =>
  Effect.acquireRelease(
    Effect.promise(() => start({ questions: questions.map((q) => ({ question: q.text, answer: q.expectedAnswer })), accuracy })),
    (sim) => Effect.promise(() => sim.close())
  )

/** Solves every question through HTTP, four at a time, as the orchestrator would. */
const solveAll = (sim: RunningSimulator, input: Partial<TreeOfThought.Parameters>) =>
  Effect.gen(function*() {
    const parameters = yield* Agent.decodeParameters(agent, input)
    return yield* Effect.forEach(
      questions,
      (question) =>
        agent.solve({ question, model: MODEL, modelParameters: agent.modelDefaults, parameters }).pipe(
          Effect.map((output) => ({ question, output, trace: output.trace as TreeOfThought.Trace }))
        ),
      { concurrency: 4 }
    )
  }).pipe(Effect.provide(OpenRouterClient.layer({ apiKey: Redacted.make("sk-sim-local"), baseURL: sim.url, maxRetries: 0 })))

const summary = (runs: ReadonlyArray<{ readonly trace: TreeOfThought.Trace }>) => {
  const calls = runs.map((r) => r.trace.calls.total)
  const tokens = runs.map((r) => r.trace.tokens.total)
  const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
  return { calls: { min: Math.min(...calls), max: Math.max(...calls), mean: mean(calls) }, tokens: { mean: Math.round(mean(tokens)) } }
}

describe("tot over HTTP against the simulator", () => {
  it.scopedLive("default parameters (vote): several calls per question within the budget, the tree in the trace, all correct", () =>
    Effect.gen(function*() {
      const sim = yield* simulator(1)
      const runs = yield* solveAll(sim, {})
      for (const { output, question, trace } of runs) {
        assert.isTrue(Grading.isCorrect(question.expectedAnswer, output.answer ?? ""), `${question.id}: ${output.answer}`)
        assert.isAbove(trace.calls.total, 1)
        assert.isAtMost(trace.calls.total, 20)
        assert.strictEqual(trace.stopReason, "completed")
        assert.strictEqual(trace.bestPath.length, 4)
        // 3 depths of 4 candidates, their thoughts and ballots recorded.
        assert.strictEqual(trace.nodes.filter((n) => n.depth > 0).length, 12)
        assert.isTrue(trace.nodes.every((n) => n.depth === 0 || n.thought.includes("the answer appears to be")))
        assert.isTrue(trace.nodes.filter((n) => n.ballots !== null).every((n) => n.ballots!.length === TreeOfThought.VOTE_BALLOTS))
        assert.isAbove(trace.tokens.total, 0)
        assert.isTrue(Conformance.isPlainJson(trace))
      }
      // Every call the simulator served is in some trace.
      assert.strictEqual(sim.stats().requests.chat, runs.reduce((n, r) => n + r.trace.calls.total, 0))
      console.log("tot vote, defaults, accuracy 1:", JSON.stringify(summary(runs)))
    }))

  it.scopedLive("value evaluation: scores on every candidate, budget respected, all correct", () =>
    Effect.gen(function*() {
      const sim = yield* simulator(1)
      const runs = yield* solveAll(sim, { evaluation_method: "value" })
      for (const { output, question, trace } of runs) {
        assert.isTrue(Grading.isCorrect(question.expectedAnswer, output.answer ?? ""), `${question.id}: ${output.answer}`)
        assert.isAbove(trace.calls.total, 1)
        assert.isAtMost(trace.calls.total, 20)
        assert.isTrue(trace.nodes.filter((n) => n.depth > 0).every((n) => n.score === 0.9))
      }
      console.log("tot value, defaults, accuracy 1:", JSON.stringify(summary(runs)))
    }))

  it.scopedLive("an imperfect model: wrong thoughts get pruned or outvoted, and the budget still holds", () =>
    Effect.gen(function*() {
      const sim = yield* simulator(0.6)
      const runs = yield* solveAll(sim, { max_evaluations: 12 })
      for (const { trace } of runs) {
        assert.isAbove(trace.calls.total, 1)
        assert.isAtMost(trace.calls.total, 12)
        assert.strictEqual(trace.calls.final, 1)
      }
      assert.isTrue(runs.some(({ trace }) => trace.nodes.some((n) => n.status === "pruned")))
      const correct = runs.filter(({ output, question }) => Grading.isCorrect(question.expectedAnswer, output.answer ?? "")).length
      console.log(`tot vote, max_evaluations 12, accuracy 0.6: ${correct}/${runs.length} correct`, JSON.stringify(summary(runs)))
    }))

  it("the simulator mirrors the agent's marker phrases", () => {
    for (const [key, phrase] of Object.entries(TOT_MARKERS)) {
      assert.strictEqual(TreeOfThought.markers[key as keyof typeof TreeOfThought.markers], phrase, key)
    }
  })
})
