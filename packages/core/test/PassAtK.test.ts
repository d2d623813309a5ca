/**
 * pass@k pooled over several samples per question, against values computed by hand from
 * 1 − C(n − c, k) / C(n, k): what one row contributes, the k reported, questions with fewer than k
 * samples left out, an evaluation's repeats found in storage, and an experiment's repeats.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import {
  AgentConfig,
  AgentRegistry,
  Benchmark,
  BenchmarkRepository,
  Evaluation,
  EvaluationOrchestrator,
  EvaluationRepository,
  ExperimentAnalysis,
  Experiments,
  FailureReason,
  LlmClient,
  NoneAgent,
  PassAtK,
  QuestionResult,
  ResultRepository,
  Usage
} from "../src/index.js"
import { MemoryStorage, ScriptedLlmClient } from "../src/testing.js"

const row = (evaluationId: string, questionId: string, outcome: "correct" | "wrong" | "error") =>
  new QuestionResult.EvaluationQuestionResult({
    evaluationId,
    questionId,
    questionText: `Question ${questionId}?`,
    expectedAnswer: "1",
    extractedAnswer: outcome === "error" ? null : outcome === "correct" ? "1" : "2",
    rawOutput: outcome === "error" ? null : "Answer: x",
    isCorrect: outcome === "correct",
    executionTimeMs: 10,
    reasoningTrace: null,
    error: outcome === "error" ? FailureReason.make({ category: "network_timeout", description: "timed out" }) : null,
    usage: new Usage.TokenUsage({ promptTokens: 1, completionTokens: 1, reasoningTokens: 0, totalTokens: 2 }),
    costUsd: null,
    llmCalls: 1,
    outcome: outcome === "error" ? null : outcome === "correct" ? "correct" : "incorrect",
    processedAt: new Date(0)
  })

/** Each value as [k, estimate rounded to 1e-9, questions counted]. */
const values = (s: PassAtK.Summary | null) => s?.values.map((v) => [v.k, Math.round(v.estimate * 1e9) / 1e9, v.questions])
const r9 = (x: number) => Math.round(x * 1e9) / 1e9

describe("PassAtK.questionSamples", () => {
  it("a question failed by the network is no sample; an answered one is one sample, correct or not", () => {
    assert.strictEqual(PassAtK.questionSamples(row("e", "q", "error")), null)
    assert.deepStrictEqual(PassAtK.questionSamples(row("e", "q", "correct")), { n: 1, c: 1 })
    assert.deepStrictEqual(PassAtK.questionSamples(row("e", "q", "wrong")), { n: 1, c: 0 })
  })

  it("a refused, empty or cut-off reply is a wrong sample (pass@1 = accuracy); another failure is none", () => {
    const failed = (category: string) =>
      new QuestionResult.EvaluationQuestionResult({
        ...row("e", "q", "error"),
        error: FailureReason.make({ category: category as FailureReason.FailureCategory, description: "x" })
      })
    for (const category of ["model_refusal", "token_limit_exceeded", "content_guardrail", "parsing_error"]) {
      assert.deepStrictEqual(PassAtK.questionSamples(failed(category)), { n: 1, c: 0 }, category)
    }
    for (const category of ["network_timeout", "rate_limit_exceeded", "bad_request", "unknown"]) {
      assert.strictEqual(PassAtK.questionSamples(failed(category)), null, category)
    }
  })

  it("an answer wholly from the response cache is no new sample; one fresh call among cached ones is", () => {
    const cached = (cachedCalls: number, llmCalls: number) =>
      new QuestionResult.EvaluationQuestionResult({ ...row("e", "q", "correct"), llmCalls, cachedCalls })
    assert.strictEqual(PassAtK.questionSamples(cached(1, 1)), null)
    assert.strictEqual(PassAtK.questionSamples(cached(3, 3)), null)
    assert.deepStrictEqual(PassAtK.questionSamples(cached(2, 3)), { n: 1, c: 1 })
  })

  it("an agent's own samples count one by one, also when its final answer failed", () => {
    const sampleGrades = [
      { outcome: "correct" as const, rawOutput: "a" },
      { outcome: "incorrect" as const, rawOutput: "b" },
      { outcome: "correct" as const, rawOutput: "c" },
      { outcome: "no_answer" as const, rawOutput: "d" }
    ]
    const answered = new QuestionResult.EvaluationQuestionResult({ ...row("e", "q", "wrong"), llmCalls: 4, sampleGrades })
    assert.deepStrictEqual(PassAtK.questionSamples(answered), { n: 4, c: 2 })
    const refused = new QuestionResult.EvaluationQuestionResult({
      ...row("e", "q", "error"),
      llmCalls: 4,
      error: FailureReason.make({ category: "model_refusal", description: "refused" }),
      sampleGrades
    })
    assert.deepStrictEqual(PassAtK.questionSamples(refused), { n: 4, c: 2 })
  })
})

describe("PassAtK.ksFor", () => {
  it("1, the standard k below the largest, and the largest", () => {
    assert.deepStrictEqual(PassAtK.ksFor(1), [1])
    assert.deepStrictEqual(PassAtK.ksFor(2), [1, 2])
    assert.deepStrictEqual(PassAtK.ksFor(3), [1, 2, 3])
    assert.deepStrictEqual(PassAtK.ksFor(5), [1, 2, 5])
    assert.deepStrictEqual(PassAtK.ksFor(12), [1, 2, 5, 10, 12])
    assert.deepStrictEqual(PassAtK.ksFor(200), [1, 2, 5, 10, 20, 50, 100, 200])
  })
})

describe("PassAtK.summarize", () => {
  it("one question, n = 5, c = 2: pass@1 = 2/5, pass@2 = 1 − C(3,2)/C(5,2) = 0.7, pass@5 = 1", () => {
    assert.deepStrictEqual(values(PassAtK.summarize([{ n: 5, c: 2 }], ["e1"])), [[1, 0.4, 1], [2, 0.7, 1], [5, 1, 1]])
  })

  it("the mean over questions, a question with fewer than k samples left out of that k", () => {
    const s = PassAtK.summarize([{ n: 5, c: 2 }, { n: 4, c: 2 }, { n: 1, c: 1 }, { n: 3, c: 0 }], ["e1", "e2"])!
    assert.strictEqual(s.questions, 4)
    assert.strictEqual(s.maxSamples, 5)
    assert.deepStrictEqual(s.evaluations, ["e1", "e2"])
    // pass@1: (2/5 + 2/4 + 1/1 + 0/3) / 4 = 1.9 / 4
    // pass@2: n=1 left out; (0.7 + (1 − C(2,2)/C(4,2) = 5/6) + 0) / 3
    // pass@5: only n=5 counts: 1 − C(3,5)/C(5,5) = 1
    assert.deepStrictEqual(values(s), [[1, r9(1.9 / 4), 4], [2, r9((0.7 + 5 / 6) / 3), 3], [5, 1, 1]])
  })

  it("nothing when no question has two samples: pass@k would only repeat the accuracy", () => {
    assert.strictEqual(PassAtK.summarize([{ n: 1, c: 1 }, { n: 1, c: 0 }], ["e1"]), null)
    assert.strictEqual(PassAtK.summarize([], []), null)
  })
})

describe("PassAtK.Tally", () => {
  it("pools the rows of several evaluations per question, failed rows not counted", () => {
    const tally = new PassAtK.Tally()
    for (const r of [row("e1", "a", "correct"), row("e1", "b", "wrong"), row("e1", "c", "error")]) tally.addRow(r)
    const other = new PassAtK.Tally()
    for (const r of [row("e2", "a", "wrong"), row("e2", "b", "wrong"), row("e2", "c", "correct")]) other.addRow(r)
    tally.addAll(other)
    // a: n=2 c=1; b: n=2 c=0; c: n=1 c=1.
    // pass@1 = (1/2 + 0 + 1)/3 = 0.5; pass@2 = (1 − C(1,2)/C(2,2) = 1, 0) / 2 = 0.5 (c left out)
    assert.deepStrictEqual(values(PassAtK.summarize(tally.questions(), ["e1", "e2"])), [[1, 0.5, 3], [2, 0.5, 2]])
  })
})

const config = (model: string) =>
  new AgentConfig.AgentConfig({
    agentType: "none",
    modelProvider: "openrouter",
    modelName: model,
    modelParameters: new AgentConfig.ModelParameters({ temperature: 0.7 }),
    agentParameters: {}
  })

describe("PassAtK.ofEvaluation", () => {
  it.effect("pools an evaluation's repeats (same benchmark, agent, model, parameters, answer kind), no other", () =>
    Effect.gen(function*() {
      yield* (yield* BenchmarkRepository.BenchmarkRepository).create(
        new Benchmark.PreprocessedBenchmark({
          id: "b1",
          name: "B",
          description: "",
          questionCount: 4,
          formatVersion: Benchmark.FORMAT_VERSION,
          metadata: {},
          createdAt: new Date(0)
        }),
        [1, 2, 3, 4].map((i) => new Benchmark.Question({ id: `q${i}`, text: `Question q${i}?`, expectedAnswer: "1", metadata: {} }))
      )
      const evaluations = yield* EvaluationRepository.EvaluationRepository
      const results = yield* ResultRepository.ResultRepository
      const make = (id: string, model: string, minute: number) =>
        Evaluation.create({ id, agentConfig: config(model), benchmarkId: "b1", benchmarkName: "B", now: new Date(minute * 60_000) })
      const done = (e: Evaluation.Evaluation) => new Evaluation.Evaluation({ ...e, status: "completed", completedAt: new Date(0) })
      const [e1, e2, e3, other] = [done(make("eval_r1", "m/a", 1)), make("eval_r2", "m/a", 2), done(make("eval_r3", "m/a", 3)), make("eval_x1", "m/b", 4)]
      // The same set-up, but never run to the end: not a repeat to pool (an evaluation's own rows always count).
      const unfinished = make("eval_r4", "m/a", 5)
      for (const e of [e1, e2, e3, other, unfinished]) yield* evaluations.create(e)
      // q1 passes in 1 of 3 repeats, q2 in 2 of 3, q3 in none, q4 in 1 of its 2 samples (it failed once).
      yield* results.saveAll([row(e1.id, "q1", "correct"), row(e1.id, "q2", "correct"), row(e1.id, "q3", "wrong"), row(e1.id, "q4", "correct")])
      yield* results.saveAll([row(e2.id, "q1", "wrong"), row(e2.id, "q2", "correct"), row(e2.id, "q3", "wrong"), row(e2.id, "q4", "wrong")])
      yield* results.saveAll([row(e3.id, "q1", "wrong"), row(e3.id, "q2", "wrong"), row(e3.id, "q3", "wrong"), row(e3.id, "q4", "error")])
      yield* results.saveAll([row(other.id, "q1", "correct"), row(other.id, "q2", "correct"), row(other.id, "q3", "correct"), row(other.id, "q4", "correct")])
      yield* results.saveAll([row(unfinished.id, "q1", "correct"), row(unfinished.id, "q3", "correct")])

      const s = yield* PassAtK.ofEvaluation(e2)
      assert.deepStrictEqual(s?.evaluations, ["eval_r1", "eval_r2", "eval_r3"])
      // pass@1 = (1/3 + 2/3 + 0 + 1/2)/4 = 0.375
      // pass@2 = ((1 − C(2,2)/C(3,2)) + (1 − C(1,2)/C(3,2)) + 0 + (1 − C(1,2)/C(2,2)))/4 = (2/3 + 1 + 0 + 1)/4 = 2/3
      // pass@3: q4 has 2 samples, left out: (1 + 1 + 0)/3 = 2/3
      assert.deepStrictEqual(values(s), [[1, 0.375, 4], [2, r9(2 / 3), 4], [3, r9(2 / 3), 3]])
      // An evaluation without repeats, one sample per question: nothing.
      assert.strictEqual(yield* PassAtK.ofEvaluation(other), null)
    }).pipe(Effect.provide(MemoryStorage.layer)))
})

describe("ExperimentAnalysis pass@k", () => {
  it.effect("each agent's repeats on a model and benchmark give pass@1 … pass@k over them", () => {
    // Question i is answered right on its first right[i] asks and wrong afterwards, whichever
    // repeat asks first: only the counts per question matter to pass@k.
    const right: Record<string, number> = { "1": 1, "2": 2, "3": 0, "4": 3 }
    const asked = new Map<string, number>()
    const scripted = ScriptedLlmClient.make((request) => {
      const n = /Question number (\d+)/.exec(request.messages.at(-1)!.content)![1]!
      const k = asked.get(n) ?? 0
      asked.set(n, k + 1)
      return `Answer: ${k < right[n]! ? n : "0"}`
    })
    const deps = Layer.mergeAll(MemoryStorage.layer, AgentRegistry.layer([NoneAgent.agent]), Layer.succeed(LlmClient.LlmClient, scripted.client))
    const layer = Experiments.Experiments.Default.pipe(Layer.provideMerge(EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(Layer.provideMerge(deps))))
    return Effect.gen(function*() {
      const questions = [1, 2, 3, 4].map((i) => new Benchmark.Question({ id: String(i), text: `Question number ${i}?`, expectedAnswer: String(i), metadata: {} }))
      yield* (yield* BenchmarkRepository.BenchmarkRepository).create(
        new Benchmark.PreprocessedBenchmark({
          id: "b1",
          name: "NUMS",
          description: "",
          questionCount: 4,
          formatVersion: Benchmark.FORMAT_VERSION,
          metadata: { columns: ["INPUT", "OUTPUT"], answerKind: "number" },
          createdAt: new Date(0)
        }),
        questions
      )
      const experiments = yield* Experiments.Experiments
      const { experiment } = yield* experiments.create({ agents: [{ agentType: "none" }], models: ["m/a"], benchmarks: ["NUMS"], repeats: 3 })
      yield* experiments.run(experiment.id, { concurrency: 1 })
      const analysis = yield* ExperimentAnalysis.analyze(experiment, yield* experiments.cells(experiment), { seed: 1 })
      const group = analysis.groups[0]!
      assert.strictEqual(group.answerKind, "number")
      const figures = group.agents[0]!.passAtK!
      assert.deepStrictEqual(figures.evaluations, experiment.cells.map((c) => c.evaluationId))
      // c per question of n = 3: 1, 2, 0, 3.
      // pass@1 = (1 + 2 + 0 + 3)/12 = 0.5
      // pass@2 = ((1 − C(2,2)/C(3,2) = 2/3) + 1 + 0 + 1)/4 = 2/3
      // pass@3 = (1 + 1 + 0 + 1)/4 = 0.75
      assert.deepStrictEqual(values(figures), [[1, 0.5, 4], [2, r9(2 / 3), 4], [3, 0.75, 4]])
    }).pipe(Effect.provide(layer))
  })

  it.effect("one repeat: no pass@k", () => {
    const scripted = ScriptedLlmClient.make(() => "Answer: 1")
    const deps = Layer.mergeAll(MemoryStorage.layer, AgentRegistry.layer([NoneAgent.agent]), Layer.succeed(LlmClient.LlmClient, scripted.client))
    const layer = Experiments.Experiments.Default.pipe(Layer.provideMerge(EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(Layer.provideMerge(deps))))
    return Effect.gen(function*() {
      yield* (yield* BenchmarkRepository.BenchmarkRepository).create(
        new Benchmark.PreprocessedBenchmark({
          id: "b1",
          name: "ONE",
          description: "",
          questionCount: 1,
          formatVersion: Benchmark.FORMAT_VERSION,
          metadata: {},
          createdAt: new Date(0)
        }),
        [new Benchmark.Question({ id: "1", text: "Question number 1?", expectedAnswer: "1", metadata: {} })]
      )
      const experiments = yield* Experiments.Experiments
      const { experiment } = yield* experiments.create({ agents: [{ agentType: "none" }], models: ["m/a"], benchmarks: ["ONE"] })
      yield* experiments.run(experiment.id, { concurrency: 1 })
      const analysis = yield* ExperimentAnalysis.analyze(experiment, yield* experiments.cells(experiment), { seed: 1 })
      assert.strictEqual(analysis.groups[0]!.agents[0]!.passAtK, null)
      assert.strictEqual(analysis.groups[0]!.answerKind, null)
    }).pipe(Effect.provide(layer))
  })
})
