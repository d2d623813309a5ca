import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import {
  AgentRegistry,
  Benchmark,
  BenchmarkRepository,
  EvaluationOrchestrator,
  Grader,
  GraderRegistry,
  Grading,
  LlmClient,
  NoneAgent,
  ResultRepository
} from "../src/index.js"
import { MemoryStorage, ScriptedLlmClient } from "../src/testing.js"

/** A plugin-style grader: the reply must be the expected answer reversed; it counts its calls in `details`. */
const reversed = Grader.make({
  kind: "reversed",
  version: "reversed-1",
  description: "The expected answer spelled backwards.",
  detect: ({ columns }) => columns.includes("REVERSED"),
  grade: ({ answer, question, rawOutput }) =>
    Effect.succeed({
      outcome: (answer ?? rawOutput ?? "") === [...question.expectedAnswer].reverse().join("") ? "correct" : "incorrect",
      extracted: answer,
      grader: "reversed",
      version: "reversed-1",
      details: { metadata: question.metadata }
    })
})

describe("GraderRegistry", () => {
  it("holds the built-in kinds by default and plugins' after them", () => {
    const builtIn = GraderRegistry.make()
    assert.deepStrictEqual(builtIn.list.map((g) => g.kind), ["multiple_choice", "number", "label", "math", "text"])
    for (const g of builtIn.list) assert.strictEqual(g.version, Grading.VERSION)
    const withPlugin = GraderRegistry.make([reversed])
    assert.strictEqual(withPlugin.list.at(-1)!.kind, "reversed")
  })

  it.effect("an unknown kind fails naming the available ones", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(GraderRegistry.make().get("code"))
      assert.strictEqual(error._tag, "GraderNotFound")
      assert.include(error.message, "unknown answer kind 'code'")
      assert.include(error.message, "multiple_choice")
    }))

  it("detection asks plugins first, then the built-in rules", () => {
    const registry = GraderRegistry.make([reversed])
    assert.strictEqual(registry.detect({ columns: ["INPUT", "OUTPUT", "REVERSED"], expectedAnswers: ["A", "B"] }), "reversed")
    assert.strictEqual(registry.detect({ columns: ["INPUT", "OUTPUT"], expectedAnswers: ["A", "B"] }), "multiple_choice")
  })

  it.effect("a run and a rescore grade through the registry's plugin grader; an unregistered kind is refused at create", () => {
    const scripted = ScriptedLlmClient.make((request) => request.messages.at(-1)!.content === "first?" ? "Answer: cba" : "Answer: xyz")
    const layer = EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(
      Layer.provideMerge(Layer.mergeAll(
        MemoryStorage.layer,
        AgentRegistry.layer([NoneAgent.agent]),
        Layer.succeed(LlmClient.LlmClient, scripted.client),
        GraderRegistry.layer([reversed])
      ))
    )
    return Effect.gen(function*() {
      yield* (yield* BenchmarkRepository.BenchmarkRepository).create(
        new Benchmark.PreprocessedBenchmark({
          id: "b1",
          name: "REV",
          description: "",
          questionCount: 2,
          formatVersion: Benchmark.FORMAT_VERSION,
          metadata: { answerKind: "reversed" },
          createdAt: new Date(0)
        }),
        [
          new Benchmark.Question({ id: "1", text: "first?", expectedAnswer: "abc", metadata: { hint: "h1" } }),
          new Benchmark.Question({ id: "2", text: "second?", expectedAnswer: "abc", metadata: {} })
        ]
      )
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const refused = yield* Effect.flip(orchestrator.create({ agentType: "none", model: "m/x", benchmarkName: "REV", answerKind: "code" }))
      assert.strictEqual(refused._tag, "GraderNotFound")
      const { evaluation } = yield* orchestrator.create({ agentType: "none", model: "m/x", benchmarkName: "REV" })
      const outcome = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(outcome.results.correct, 1)
      const repo = yield* ResultRepository.ResultRepository
      const first = Option.getOrThrow(yield* repo.find(evaluation.id, "1"))
      assert.strictEqual(first.grader, "reversed")
      assert.strictEqual(first.graderVersion, "reversed-1")
      assert.strictEqual(first.outcome, "correct")
      assert.deepStrictEqual(first.gradeDetails, { metadata: { hint: "h1" } }, "the grade's details are stored with the result")
      const rescored = yield* orchestrator.rescore(evaluation.id)
      assert.strictEqual(rescored.kind, "reversed")
      assert.strictEqual(rescored.after.correct, 1)
    }).pipe(Effect.provide(layer))
  })
})
