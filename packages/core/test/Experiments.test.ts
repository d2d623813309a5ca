/**
 * Experiments in memory: a grid's cells are ordinary evaluations that all ask the same sampled
 * questions, run as one run in question-major order, and the analysis pairs them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import {
  AgentRegistry,
  Benchmark,
  BenchmarkRepository,
  EvaluationOrchestrator,
  ExperimentAnalysis,
  Experiments,
  LlmClient,
  NoneAgent,
  ResultRepository
} from "../src/index.js"
import { MemoryStorage, ScriptedLlmClient } from "../src/testing.js"

const numberIn = (text: string) => /Question number (\d+)/.exec(text)?.[1] ?? "?"

const setup = () => {
  const asked: Array<string> = []
  // Model "m/good" always right; "m/bad" right on even questions only.
  const scripted = ScriptedLlmClient.make((request) => {
    const n = numberIn(request.messages.at(-1)!.content)
    asked.push(`${request.model}:${n}`)
    return `Answer: ${request.model === "m/good" || Number(n) % 2 === 0 ? n : "0"}`
  })
  const deps = Layer.mergeAll(
    MemoryStorage.layer,
    AgentRegistry.layer([NoneAgent.agent]),
    Layer.succeed(LlmClient.LlmClient, scripted.client)
  )
  const orchestrator = EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(Layer.provideMerge(deps))
  return { asked, layer: Experiments.Experiments.Default.pipe(Layer.provideMerge(orchestrator)) }
}

const seed = Effect.gen(function*() {
  const repo = yield* BenchmarkRepository.BenchmarkRepository
  const questions = Array.from({ length: 40 }, (_, i) =>
    new Benchmark.Question({
      id: String(i + 1),
      text: `Question number ${i + 1}?`,
      expectedAnswer: String(i + 1),
      metadata: { category: i < 30 ? "big" : "small" }
    }))
  yield* repo.create(
    new Benchmark.PreprocessedBenchmark({
      id: "b1",
      name: "NUMS",
      description: "",
      questionCount: questions.length,
      formatVersion: Benchmark.FORMAT_VERSION,
      metadata: { columns: ["INPUT", "OUTPUT", "category"] },
      createdAt: new Date(0)
    }),
    questions
  )
})

describe("Experiments", () => {
  it.effect("every cell asks the same sampled questions, once each, question-major, and the analysis pairs them", () => {
    const { asked, layer } = setup()
    return Effect.gen(function*() {
      yield* seed
      const experiments = yield* Experiments.Experiments
      const created = yield* experiments.create({
        agents: [{ agentType: "none" }, { agentType: "none", modelParameters: { temperature: 0.5 } }],
        models: ["m/good", "m/bad"],
        benchmarks: ["NUMS"],
        repeats: 2,
        sample: { size: 8, seed: 7 }
      })
      const { experiment } = created
      assert.strictEqual(experiment.cells.length, 8)
      assert.deepStrictEqual(experiment.grid.agents.map((a) => a.label), ["none", "none(temperature=0.5)"])
      const sample = experiment.samples[0]!.questionIds
      assert.strictEqual(sample.length, 8)
      // Stratified: 30 big and 10 small → 6 and 2.
      assert.strictEqual(sample.filter((id) => Number(id) > 30).length, 2)

      yield* experiments.run(experiment.id, { concurrency: 1 })
      const results = yield* ResultRepository.ResultRepository
      for (const cell of experiment.cells) {
        const rows = yield* results.list(cell.evaluationId)
        assert.deepStrictEqual(rows.map((r) => r.questionId).sort(), [...sample].sort())
      }
      // Question-major within each model: its 4 cells ask question k before any asks question k+1.
      const good = asked.filter((a) => a.startsWith("m/good:")).map((a) => a.split(":")[1]!)
      assert.deepStrictEqual(good.slice(0, 4), [sample[0], sample[0], sample[0], sample[0]])
      assert.strictEqual(asked.length, 64)

      const cells = yield* experiments.cells(experiment)
      const analysis = yield* ExperimentAnalysis.analyze(experiment, cells, { seed: 1 })
      assert.strictEqual(analysis.experiment.status, "completed")
      assert.strictEqual(analysis.groups.length, 2)
      const good1 = analysis.groups.find((g) => g.model === "m/good")!
      assert.strictEqual(good1.agents[0]!.accuracy.estimate, 1)
      assert.strictEqual(good1.comparisons[0]!.questions, 8)
      assert.strictEqual(good1.comparisons[0]!.difference.estimate, 0)
      assert.strictEqual(analysis.method.comparisons, 2)
      // Running it again has nothing left to do.
      const again = yield* experiments.run(experiment.id, { concurrency: 4 })
      assert.strictEqual(again.alreadyCompleted, 8)
      assert.strictEqual(asked.length, 64)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a grid with an unknown agent, a bad parameter or an unknown benchmark names where, and stores nothing", () => {
    const { layer } = setup()
    return Effect.gen(function*() {
      yield* seed
      const experiments = yield* Experiments.Experiments
      const base = { models: ["m/good"], benchmarks: ["NUMS"] }
      const unknown = yield* Effect.flip(experiments.create({ ...base, agents: [{ agentType: "none" }, { agentType: "nope" }] }))
      assert.strictEqual(unknown._tag, "InvalidGrid")
      assert.strictEqual((unknown as Experiments.InvalidGrid).path, "agents[1].agent")
      const badParam = yield* Effect.flip(experiments.create({ ...base, agents: [{ agentType: "none", agentParameters: { depth: 2 } }] }))
      assert.strictEqual((badParam as Experiments.InvalidGrid).path, "agents[0].params")
      const noBench = yield* Effect.flip(experiments.create({ ...base, benchmarks: ["NUMS", "GONE"], agents: [{ agentType: "none" }] }))
      assert.strictEqual((noBench as Experiments.InvalidGrid).path, "benchmarks[1]")
      const twice = yield* Effect.flip(experiments.create({ ...base, agents: [{ agentType: "none" }, { agentType: "none" }] }))
      assert.strictEqual((twice as Experiments.InvalidGrid).path, "agents[1]")
      assert.deepStrictEqual(yield* experiments.list(), [])
    }).pipe(Effect.provide(layer))
  })
})
