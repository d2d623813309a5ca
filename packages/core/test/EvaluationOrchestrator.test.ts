import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Schema, TestClock } from "effect"
import {
  Agent,
  Answer,
  AgentRegistry,
  Benchmark,
  BenchmarkRepository,
  Evaluation,
  Grader,
  GraderRegistry,
  Grading,
  QuestionResult,
  EvaluationOrchestrator,
  ResponseCache,
  EvaluationRepository,
  LlmClient,
  NoneAgent,
  ResultRepository
} from "../src/index.js"
import { MemoryStorage, ScriptedLlmClient } from "../src/testing.js"


const setup = (script: ScriptedLlmClient.Script) => {
  const scripted = ScriptedLlmClient.make(script)
  const deps = Layer.mergeAll(
    MemoryStorage.layer,
    AgentRegistry.layer([NoneAgent.agent]),
    Layer.succeed(LlmClient.LlmClient, scripted.client)
  )
  const layer = EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(Layer.provideMerge(deps))
  return { scripted, layer }
}

const numbered = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Benchmark.Question({ id: String(i + 1), text: `Question number ${i + 1}?`, expectedAnswer: String(i + 1), metadata: {} })
  )

const questions = numbered(6)

const seedWith = (questions: ReadonlyArray<Benchmark.Question>) => Effect.gen(function*() {
  const repo = yield* BenchmarkRepository.BenchmarkRepository
  yield* repo.create(
    new Benchmark.PreprocessedBenchmark({
      id: "b1",
      name: "NUMS",
      description: "",
      questionCount: questions.length,
      formatVersion: Benchmark.FORMAT_VERSION,
      metadata: {},
      createdAt: new Date(0)
    }),
    questions
  )
  const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
  const { evaluation } = yield* orchestrator.create({ agentType: "none", model: "m/x", benchmarkName: "NUMS" })
  return { orchestrator, evaluation }
})

const seed = seedWith(questions)

const numberIn = (text: string) => /Question number (\d+)/.exec(text)?.[1] ?? "?"
const lastUser = (request: LlmClient.ChatRequest) => request.messages.at(-1)!.content

describe("EvaluationOrchestrator", () => {
  it.effect("runs every question, stores each result, grades and completes", () => {
    const { layer, scripted } = setup((request) => {
      const n = numberIn(lastUser(request))
      return n === "3" ? "Answer: 99" : `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      assert.strictEqual(evaluation.status, "pending")
      assert.match(evaluation.id, /^eval_[a-z0-9]{8}$/)
      assert.strictEqual(evaluation.agentConfig.modelParameters.temperature, 0.1)
      const outcome = yield* orchestrator.run(evaluation.id, { concurrency: 3 })
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.processed, 6)
      assert.strictEqual(outcome.results.correct, 5)
      assert.strictEqual(outcome.results.incorrect, 1)
      assert.strictEqual(scripted.requests.length, 6)
      const rows = yield* (yield* ResultRepository.ResultRepository).list(evaluation.id)
      assert.deepStrictEqual(rows.map((r) => r.questionId), ["1", "2", "3", "4", "5", "6"])
      assert.strictEqual(rows[2]!.extractedAnswer, "99")
      assert.strictEqual(rows[2]!.rawOutput, "Answer: 99")
      assert.isFalse(rows[2]!.isCorrect)
      assert.strictEqual(rows[0]!.llmCalls, 1)
      assert.isAbove(rows[0]!.usage.totalTokens, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a question's failure is recorded with its category and the run goes on", () => {
    const { layer } = setup((request) => {
      const n = numberIn(lastUser(request))
      if (n === "2") return new LlmClient.LlmError({ category: "bad_request", message: "bad", recoverable: false })
      if (n === "4") return ""
      return `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const outcome = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.errors, 2)
      assert.deepStrictEqual(outcome.results.errorsByCategory, { bad_request: 1, parsing_error: 1 })
      assert.strictEqual(outcome.results.correct, 4)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an agent that returns a malformed output (a plugin's bug) fails that question, saying what was wrong", () => {
    // A plugin written in JavaScript can return anything; here a number as the answer of question 3.
    const sloppy = Agent.make({
      ...NoneAgent.agent,
      solve: (input) =>
        NoneAgent.agent.solve(input).pipe(
          Effect.map((output) => input.question.id === "3" ? { ...output, answer: 3 as unknown as string } : output)
        )
    })
    const scripted = ScriptedLlmClient.make((request) => `Answer: ${numberIn(lastUser(request))}`)
    const layer = EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(Layer.provideMerge(Layer.mergeAll(
      MemoryStorage.layer,
      AgentRegistry.layer([sloppy]),
      Layer.succeed(LlmClient.LlmClient, scripted.client)
    )))
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const outcome = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.correct, 5)
      assert.deepStrictEqual(outcome.results.errorsByCategory, { unknown: 1 })
      const third = (yield* (yield* ResultRepository.ResultRepository).list(evaluation.id))[2]!
      assert.strictEqual(third.error?.description, "agent 'none' returned an answer that is not a string or null (number)")
      assert.isNull(third.extractedAnswer)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a question that outlasts the question timeout fails as a timeout naming QUESTION_TIMEOUT, and the run goes on", () => {
    const { layer } = setup((request) => {
      const n = numberIn(lastUser(request))
      // Question 2's model call never answers; the others take 1 s.
      return n === "2" ? Effect.never : Effect.as(Effect.sleep("1 second"), `Answer: ${n}`)
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const running = yield* Effect.fork(orchestrator.run(evaluation.id, { concurrency: 6, questionTimeout: "30 seconds" }))
      yield* TestClock.adjust("29 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(running)))
      yield* TestClock.adjust("2 seconds")
      const outcome = yield* Fiber.join(running)
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.correct, 5)
      assert.deepStrictEqual(outcome.results.errorsByCategory, { network_timeout: 1 })
      const rows = yield* (yield* ResultRepository.ResultRepository).list(evaluation.id)
      const second = rows[1]!
      assert.include(second.error?.description, "longer than the 30s allowed (QUESTION_TIMEOUT)")
      assert.strictEqual(second.executionTimeMs, 30_000)
      // Under the time limit the agent's calls still go through the question's meter.
      assert.deepStrictEqual(rows.map((r) => r.llmCalls), [1, 0, 1, 1, 1, 1])
      assert.strictEqual(rows[0]!.calls.length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a timed-out question does not cost its worker: one worker goes on with the next questions", () => {
    const { layer } = setup((request) => {
      const n = numberIn(lastUser(request))
      return n === "2" || n === "4" ? Effect.never : Effect.as(Effect.sleep("1 second"), `Answer: ${n}`)
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const running = yield* Effect.fork(orchestrator.run(evaluation.id, { concurrency: 1, questionTimeout: "30 seconds" }))
      for (let second = 0; second < 70; second++) yield* TestClock.adjust("1 second")
      const outcome = yield* Fiber.join(running)
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.processed, 6)
      assert.strictEqual(outcome.results.correct, 4)
      assert.deepStrictEqual(outcome.results.errorsByCategory, { network_timeout: 2 })
      const rows = yield* (yield* ResultRepository.ResultRepository).list(evaluation.id)
      assert.deepStrictEqual(rows.map((r) => r.error?.category ?? "ok"), ["ok", "network_timeout", "ok", "network_timeout", "ok", "ok"])
      assert.deepStrictEqual(rows.map((r) => r.executionTimeMs), [1_000, 30_000, 1_000, 30_000, 1_000, 1_000])
    }).pipe(Effect.provide(layer))
  })

  it.effect("records each model call with its provider, generation id, tokens, cost and attempts, failed calls included", () => {
    const { layer } = setup((request) => {
      const n = numberIn(lastUser(request))
      if (n === "2") return new LlmClient.LlmError({ category: "network_timeout", message: "timed out", recoverable: true, attempts: 3 })
      return { content: `Answer: ${n}`, generationId: `gen-${n}`, provider: n === "1" ? "Azure" : "OpenAI", costUsd: 0.001 * Number(n), attempts: n === "3" ? 2 : 1 }
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      yield* orchestrator.run(evaluation.id)
      const rows = yield* (yield* ResultRepository.ResultRepository).list(evaluation.id)
      assert.deepStrictEqual(rows.map((r) => r.calls.map((c) => [c.provider, c.generationId, c.attempts, c.error])), [
        [["Azure", "gen-1", 1, null]],
        [[null, null, 3, "network_timeout"]],
        [["OpenAI", "gen-3", 2, null]],
        [["OpenAI", "gen-4", 1, null]],
        [["OpenAI", "gen-5", 1, null]],
        [["OpenAI", "gen-6", 1, null]]
      ])
      // The calls add up to the question's totals.
      for (const r of rows) {
        assert.strictEqual(r.calls.reduce((sum, c) => sum + c.promptTokens, 0), r.usage.promptTokens)
        assert.strictEqual(r.calls.reduce((sum, c) => sum + (c.costUsd ?? 0), 0), r.costUsd ?? 0)
      }
      assert.strictEqual(rows[2]!.retries, 1)
      assert.strictEqual(rows[1]!.retries, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a question answered from the response cache cost a known $0, not an unreported cost", () => {
    const { layer, scripted } = setup((request) => ({ content: `Answer: ${numberIn(lastUser(request))}`, costUsd: 0.002, provider: "OpenAI" }))
    return Effect.gen(function*() {
      const { evaluation: first, orchestrator } = yield* seed
      const cache = yield* ResponseCache.ResponseCache
      yield* orchestrator.run(first.id, { cache })
      const { evaluation: second } = yield* orchestrator.create({ agentType: "none", model: "m/x", benchmarkName: "NUMS" })
      const asked = scripted.requests.length
      const outcome = yield* orchestrator.run(second.id, { cache })
      assert.strictEqual(scripted.requests.length, asked, "every answer came from the cache")
      assert.strictEqual(outcome.results.costUsd, 0)
      const repo = yield* ResultRepository.ResultRepository
      const rows = yield* repo.list(second.id)
      assert.isTrue(rows.every((r) => r.costUsd === 0 && r.cachedCalls === 1))
      assert.isTrue(rows.every((r) => r.calls.length === 1 && r.calls[0]!.attempts === 0 && r.calls[0]!.costUsd === 0))
      // Served by: no provider served the cached run.
      assert.deepStrictEqual(yield* repo.providers(second.id), [])
      assert.deepStrictEqual(yield* repo.providers(first.id), [{ provider: "OpenAI", calls: 6, costUsd: 0.012 }])
    }).pipe(Effect.provide(Layer.merge(layer, ResponseCache.layerMemory)))
  })

  it.effect("an evaluation's answer kind overrides the benchmark's when grading", () => {
    // The expected answers are numbers; graded as text, "1.0" no longer equals "1".
    const { layer } = setup((request) => `Answer: ${numberIn(lastUser(request))}.0`)
    return Effect.gen(function*() {
      const { evaluation: detected, orchestrator } = yield* seed
      const { evaluation: asText } = yield* orchestrator.create({ agentType: "none", model: "m/x", benchmarkName: "NUMS", answerKind: "text" })
      assert.strictEqual(asText.answerKind, "text")
      assert.strictEqual((yield* orchestrator.run(detected.id)).results.correct, 6)
      assert.strictEqual((yield* orchestrator.run(asText.id)).results.correct, 0)
      const first = Option.getOrThrow(yield* (yield* ResultRepository.ResultRepository).find(asText.id, "1"))
      assert.strictEqual(first.grader, "text")
    }).pipe(Effect.provide(layer))
  })

  it.effect("an account-level failure stops the run, marks it failed and keeps finished results; a re-run resumes", () => {
    let creditsLeft = true
    const { layer, scripted } = setup((request) => {
      const n = numberIn(lastUser(request))
      if (n === "4" && creditsLeft) {
        return new LlmClient.LlmError({ category: "credit_limit_exceeded", message: "no credits", status: 402, recoverable: false })
      }
      return `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const error = yield* Effect.flip(orchestrator.run(evaluation.id))
      assert.strictEqual(error._tag, "EvaluationFailed")
      const failed = yield* orchestrator.get(evaluation.id)
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.failureReason?.category, "credit_limit_exceeded")
      const results = yield* ResultRepository.ResultRepository
      assert.deepStrictEqual([...(yield* results.answeredQuestionIds(evaluation.id))].sort(), ["1", "2", "3"])

      creditsLeft = false
      const asked = scripted.requests.length
      const outcome = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.processed, 6)
      assert.strictEqual(outcome.results.correct, 6)
      assert.strictEqual(scripted.requests.length - asked, 3, "only the three missing questions are asked again")
    }).pipe(Effect.provide(layer))
  })

  it.effect("interrupting a run marks the evaluation interrupted and keeps what finished", () => {
    const gate = Effect.runSync(Deferred.make<void>())
    const { layer } = setup((request) => {
      const n = numberIn(lastUser(request))
      return n === "3" ? Deferred.await(gate).pipe(Effect.as(`Answer: ${n}`)) : `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const reached = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        orchestrator.run(evaluation.id, {
          onProgress: (p) => (p.done === 2 ? Deferred.succeed(reached, undefined) : Effect.void)
        })
      )
      yield* Deferred.await(reached)
      yield* Fiber.interrupt(fiber)
      const interrupted = yield* orchestrator.get(evaluation.id)
      assert.strictEqual(interrupted.status, "interrupted")
      const answered = yield* (yield* ResultRepository.ResultRepository).answeredQuestionIds(evaluation.id)
      assert.deepStrictEqual([...answered].sort(), ["1", "2"])
      yield* Deferred.succeed(gate, undefined)
      const outcome = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(outcome.results.processed, 6)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a second run while the first holds the lease is refused; a dead owner's run is taken over", () => {
    const gate = Effect.runSync(Deferred.make<void>())
    const { layer, scripted } = setup((request) => {
      const n = numberIn(lastUser(request))
      return n === "2" ? Deferred.await(gate).pipe(Effect.as(`Answer: ${n}`)) : `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const first = yield* Effect.fork(orchestrator.run(evaluation.id, { owner: "host:1:a" }))
      while (scripted.requests.length < 2) yield* Effect.yieldNow()
      const busy = yield* Effect.flip(orchestrator.run(evaluation.id, { owner: "host:2:b" }))
      assert.strictEqual(busy._tag, "EvaluationBusy")
      assert.include(busy.message, "host:1:a")

      // The first owner "dies": its fiber stops without finishing (as a SIGKILL would leave it).
      yield* Fiber.interruptFork(first)
      const repo = yield* EvaluationRepository.EvaluationRepository
      yield* repo.update(new Evaluation.Evaluation({ ...(yield* orchestrator.get(evaluation.id)), status: "running" }))
      yield* repo.claim(evaluation.id, { owner: "host:1:a", now: new Date(0), expiresAt: new Date(8.64e15) })
      const stillBusy = yield* Effect.flip(orchestrator.run(evaluation.id, { owner: "host:2:b", isOwnerAlive: () => true }))
      assert.strictEqual(stillBusy._tag, "EvaluationBusy")
      yield* Deferred.succeed(gate, undefined)
      const outcome = yield* orchestrator.run(evaluation.id, { owner: "host:2:b", isOwnerAlive: (o) => o !== "host:1:a" })
      assert.strictEqual(outcome.evaluation.status, "completed")
      assert.strictEqual(outcome.results.processed, 6)
      assert.isTrue(Option.isNone(yield* repo.lease(evaluation.id)), "the lease is released at the end")
    }).pipe(Effect.provide(layer))
  })

  it.effect("retryErrors re-asks only the failed questions of a completed evaluation and replaces their rows", () => {
    let flaky = true
    const { layer, scripted } = setup((request) => {
      const n = numberIn(lastUser(request))
      if (flaky && (n === "2" || n === "5")) {
        return new LlmClient.LlmError({ category: "network_timeout", message: "timed out", recoverable: true })
      }
      return `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const first = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(first.evaluation.status, "completed")
      assert.strictEqual(first.results.errors, 2)
      flaky = false
      const asked = scripted.requests.length
      let lastProgress: EvaluationOrchestrator.Progress | undefined
      const second = yield* orchestrator.run(evaluation.id, {
        retryErrors: true,
        onProgress: (p) => Effect.sync(() => void (lastProgress = p))
      })
      assert.strictEqual(scripted.requests.length - asked, 2)
      assert.deepStrictEqual(
        scripted.requests.slice(asked).map((r) => numberIn(lastUser(r))).sort(),
        ["2", "5"]
      )
      assert.strictEqual(second.evaluation.status, "completed")
      assert.strictEqual(second.results.processed, 6)
      assert.strictEqual(second.results.errors, 0)
      assert.strictEqual(second.results.correct, 6)
      assert.strictEqual(lastProgress?.done, 6)
      assert.strictEqual(lastProgress?.errors, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("create rejects an unknown agent, an unknown benchmark and unknown parameters", () => {
    const { layer } = setup(() => "Answer: 1")
    return Effect.gen(function*() {
      const { orchestrator } = yield* seed
      const noAgent = yield* Effect.flip(orchestrator.create({ agentType: "nope", model: "m", benchmarkName: "NUMS" }))
      assert.strictEqual(noAgent._tag, "AgentNotFound")
      assert.include(noAgent.message, "available: none")
      const noBench = yield* Effect.flip(orchestrator.create({ agentType: "none", model: "m", benchmarkName: "GPQA" }))
      assert.strictEqual(noBench._tag, "BenchmarkNotFound")
      const badParam = yield* Effect.flip(
        orchestrator.create({ agentType: "none", model: "m", benchmarkName: "NUMS", agentParameters: { depth: 3 } })
      )
      assert.strictEqual(badParam._tag, "InvalidAgentParameters")
      assert.include(badParam.message, "'depth'")
      const badTemp = yield* Effect.flip(
        orchestrator.create({ agentType: "none", model: "m", benchmarkName: "NUMS", modelParameters: { temperature: 7 } })
      )
      assert.include(badTemp.message, "temperature")
      const evals = yield* (yield* EvaluationRepository.EvaluationRepository).list()
      assert.strictEqual(evals.length, 1, "only the seeded evaluation exists")
    }).pipe(Effect.provide(layer))
  })
})

describe("EvaluationOrchestrator.rescore", () => {
  it.effect("re-grades stored answers with the current graders, makes no model call, and records grader and version", () => {
    const { layer, scripted } = setup((request) => {
      const n = numberIn(lastUser(request))
      return n === "1" ? "Answer: 1.0" : n === "2" ? "I have no idea\nat all" : `Answer: ${n}`
    })
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      const outcome = yield* orchestrator.run(evaluation.id)
      assert.strictEqual(outcome.results.correct, 5, "1.0 equals 1 as a number")
      assert.strictEqual(outcome.results.noAnswer, 1)
      assert.strictEqual(outcome.results.incorrect, 0)
      const repo = yield* ResultRepository.ResultRepository
      const first = Option.getOrThrow(yield* repo.find(evaluation.id, "1"))
      assert.strictEqual(first.grader, "number")
      assert.strictEqual(first.outcome, "correct")
      // Pretend question 3 was graded wrong by an older grader.
      const third = Option.getOrThrow(yield* repo.find(evaluation.id, "3"))
      yield* repo.save(new QuestionResult.EvaluationQuestionResult({ ...third, isCorrect: false, outcome: "incorrect", graderVersion: "old" }))
      const asked = scripted.requests.length
      const rescored = yield* orchestrator.rescore(evaluation.id)
      assert.strictEqual(scripted.requests.length, asked)
      assert.strictEqual(rescored.changed, 1)
      assert.strictEqual(rescored.before.correct, 4)
      assert.strictEqual(rescored.after.correct, 5)
      assert.strictEqual(Option.getOrThrow(yield* repo.find(evaluation.id, "3")).graderVersion, Grading.VERSION)
    }).pipe(Effect.provide(layer))
  })

  it.effect("rescore saves every regraded row of a large evaluation, the last partial batch included", () => {
    const { layer } = setup((request) => `Answer: ${numberIn(lastUser(request))}.0`)
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seedWith(numbered(250))
      assert.strictEqual((yield* orchestrator.run(evaluation.id, { concurrency: 8 })).results.correct, 250)
      const asText = yield* orchestrator.rescore(evaluation.id, { answerKind: "text" })
      assert.strictEqual(asText.changed, 250)
      assert.strictEqual(asText.after.correct, 0)
      const rows = yield* (yield* ResultRepository.ResultRepository).list(evaluation.id)
      assert.strictEqual(rows.length, 250)
      assert.isTrue(rows.every((r) => r.grader === "text" && !r.isCorrect))
    }).pipe(Effect.provide(layer))
  })

  it.effect("rescore refuses while a run holds the evaluation's lease, and changes nothing", () => {
    const { layer } = setup((request) => `Answer: ${numberIn(lastUser(request))}.0`)
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      yield* orchestrator.run(evaluation.id)
      const repo = yield* EvaluationRepository.EvaluationRepository
      yield* repo.claim(evaluation.id, { owner: "host:1:a", now: new Date(0), expiresAt: new Date(8.64e15) })
      const busy = yield* Effect.flip(orchestrator.rescore(evaluation.id, { answerKind: "text", owner: "host:2:b", isOwnerAlive: () => true }))
      assert.strictEqual(busy._tag, "EvaluationBusy")
      assert.isNull((yield* orchestrator.get(evaluation.id)).answerKind)
      const rows = yield* (yield* ResultRepository.ResultRepository).list(evaluation.id)
      assert.isTrue(rows.every((r) => r.grader === "number" && r.isCorrect))
    }).pipe(Effect.provide(layer))
  })

  it.effect("rescore with an answer kind stores the override and grades with it; null goes back to the benchmark's", () => {
    const { layer, scripted } = setup((request) => `Answer: ${numberIn(lastUser(request))}.0`)
    return Effect.gen(function*() {
      const { evaluation, orchestrator } = yield* seed
      assert.strictEqual((yield* orchestrator.run(evaluation.id)).results.correct, 6)
      const asked = scripted.requests.length
      const asText = yield* orchestrator.rescore(evaluation.id, { answerKind: "text" })
      assert.strictEqual(asText.kind, "text")
      assert.strictEqual(asText.changed, 6)
      assert.strictEqual(asText.after.correct, 0)
      assert.strictEqual((yield* orchestrator.get(evaluation.id)).answerKind, "text")
      // A plain rescore keeps the stored override.
      assert.strictEqual((yield* orchestrator.rescore(evaluation.id)).kind, "text")
      const back = yield* orchestrator.rescore(evaluation.id, { answerKind: null })
      assert.strictEqual(back.kind, "number")
      assert.strictEqual(back.after.correct, 6)
      assert.isNull((yield* orchestrator.get(evaluation.id)).answerKind)
      assert.strictEqual(scripted.requests.length, asked)
    }).pipe(Effect.provide(layer))
  })
})

describe("EvaluationOrchestrator: an agent's samples", () => {
  // An agent that draws four samples (one after the other, so the script sees them in order) and
  // answers with the first; question 3 reports no samples, question 4 malformed ones.
  const sampler = Agent.make({
    id: "sampler",
    description: "draws four samples and answers with the first",
    parameters: Schema.Struct({}),
    modelDefaults: NoneAgent.agent.modelDefaults,
    solve: ({ model, question }) =>
      Effect.gen(function*() {
        const llm = yield* LlmClient.LlmClient
        const replies = yield* Effect.forEach([0, 1, 2, 3], (j) =>
          llm.chat({ model, messages: [{ role: "user", content: `${question.text} (sample ${j})` }] }))
        const samples = replies.map((r) => r.content)
        const base = { answer: Answer.extract(samples[0]!), rawOutput: samples[0]!, trace: null }
        if (question.id === "3") return { ...base, samples: [] }
        if (question.id === "4") return { ...base, samples: [1, 2] as unknown as ReadonlyArray<string> }
        if (question.id === "7") return { ...base, samples: [...samples, samples[0]!] }
        return { ...base, samples }
      })
  })
  // Question 1: right, wrong, right again (the same text), no answer; question 2: four identical
  // right samples; question 5: a refusal first (the final answer), then right, right, wrong;
  // question 6: no answer first, and the last sample cut off at max_tokens.
  const script: ScriptedLlmClient.Script = (request) => {
    const text = lastUser(request)
    const n = numberIn(text)
    const j = Number(/sample (\d)/.exec(text)![1])
    if (n === "2") return `Answer: ${n}`
    if (n === "5") return j === 0 ? "I'm sorry, but I can't help with that." : j === 3 ? "Answer: 0" : `Answer: ${n}`
    if (n === "6") return j === 0 ? "I could not\nwork it out" : j === 3 ? { content: "Answer: 6 becau", finishReason: "length" } : `Answer: ${n}`
    return j === 1 ? "Answer: 0" : j === 3 ? "I could not\nwork it out" : `Answer: ${n}`
  }
  // A grader that counts what it grades: identical samples are graded once, and the sample that
  // is the final reply takes the final answer's grade.
  const makeCounted = () => {
    const graded: Array<string> = []
    const grader = Grader.make({
      kind: "counted",
      version: "counted-1",
      description: "the answer equals the key",
      grade: ({ answer, question, rawOutput }) =>
        Effect.sync(() => {
          graded.push(`${question.id}:${rawOutput}`)
          return {
            outcome: answer === null ? "no_answer" as const : answer === question.expectedAnswer ? "correct" as const : "incorrect" as const,
            extracted: answer,
            grader: "counted",
            version: "counted-1"
          }
        })
    })
    return { grader, graded }
  }
  const layerWith = (grader: Grader.Grader) => {
    const scripted = ScriptedLlmClient.make(script)
    return EvaluationOrchestrator.EvaluationOrchestrator.Default.pipe(Layer.provideMerge(Layer.mergeAll(
      MemoryStorage.layer,
      AgentRegistry.layer([NoneAgent.agent, sampler]),
      GraderRegistry.layer([grader]),
      Layer.succeed(LlmClient.LlmClient, scripted.client)
    )))
  }
  const createSampler = Effect.gen(function*() {
    yield* seedWith(numbered(7))
    const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
    return (yield* orchestrator.create({ agentType: "sampler", model: "m/x", benchmarkName: "NUMS", answerKind: "counted" })).evaluation
  })

  it.effect("each sample is graded with the question's grader and stored in order; the final answer stays what isCorrect means", () => {
    const { grader, graded } = makeCounted()
    return Effect.gen(function*() {
      const evaluation = yield* createSampler
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const outcome = yield* orchestrator.run(evaluation.id, { concurrency: 2 })
      assert.strictEqual(outcome.results.errors, 3, "question 4's malformed samples, question 5's refusal, question 7's extra sample")
      const repo = yield* ResultRepository.ResultRepository
      const first = Option.getOrThrow(yield* repo.find(evaluation.id, "1"))
      assert.deepStrictEqual(first.sampleGrades, [
        { outcome: "correct", rawOutput: "Answer: 1" },
        { outcome: "incorrect", rawOutput: "Answer: 0" },
        { outcome: "correct", rawOutput: "Answer: 1" },
        { outcome: "no_answer", rawOutput: "I could not\nwork it out" }
      ])
      assert.isTrue(first.isCorrect)
      assert.strictEqual(first.grader, "counted")
      const second = Option.getOrThrow(yield* repo.find(evaluation.id, "2"))
      assert.deepStrictEqual(second.sampleGrades?.map((s) => s.outcome), ["correct", "correct", "correct", "correct"])
      // The final reply once, then only the samples that differ from it and from each other.
      assert.deepStrictEqual(graded.filter((g) => g.startsWith("1:")).sort(), ["1:Answer: 0", "1:Answer: 1", "1:I could not\nwork it out"])
      assert.deepStrictEqual(graded.filter((g) => g.startsWith("2:")), ["2:Answer: 2"])
      assert.isNull(Option.getOrThrow(yield* repo.find(evaluation.id, "3")).sampleGrades, "no samples: null")
      const malformed = Option.getOrThrow(yield* repo.find(evaluation.id, "4"))
      assert.include(malformed.error?.description, "samples that are not an array of strings")
      assert.isNull(malformed.sampleGrades)
      // A refused final answer fails the question, and its samples are graded all the same.
      const refused = Option.getOrThrow(yield* repo.find(evaluation.id, "5"))
      assert.strictEqual(refused.error?.category, "model_refusal")
      assert.deepStrictEqual(refused.sampleGrades?.map((s) => s.outcome), ["no_answer", "correct", "correct", "incorrect"])
      // The final answer is judged on its own reply (no answer, finished), not on the last sample
      // to arrive (cut off): the question is answered, without an answer, not failed.
      const sixth = Option.getOrThrow(yield* repo.find(evaluation.id, "6"))
      assert.isNull(sixth.error)
      assert.strictEqual(sixth.outcome, "no_answer")
      // (The cut-off sample is graded as written: "6 becau" is not the answer.)
      assert.deepStrictEqual(sixth.sampleGrades?.map((s) => s.outcome), ["no_answer", "correct", "correct", "incorrect"])
      // More samples than model calls: each sample is one call's reply.
      const extra = Option.getOrThrow(yield* repo.find(evaluation.id, "7"))
      assert.include(extra.error?.description, "5 samples from 4 model calls")
    }).pipe(Effect.provide(layerWith(grader)))
  })

  it.effect("rescore grades the samples again from their stored raw outputs", () => {
    const { grader, graded } = makeCounted()
    return Effect.gen(function*() {
      const evaluation = yield* createSampler
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      yield* orchestrator.run(evaluation.id)
      const repo = yield* ResultRepository.ResultRepository
      assert.strictEqual((yield* orchestrator.rescore(evaluation.id)).changed, 0, "nothing to change")
      // Pretend an older grader got question 1's samples wrong: only the samples differ.
      const first = Option.getOrThrow(yield* repo.find(evaluation.id, "1"))
      yield* repo.save(new QuestionResult.EvaluationQuestionResult({
        ...first,
        sampleGrades: first.sampleGrades!.map((s) => ({ ...s, outcome: "incorrect" as const }))
      }))
      graded.length = 0
      const rescored = yield* orchestrator.rescore(evaluation.id)
      assert.strictEqual(rescored.changed, 1)
      assert.deepStrictEqual(
        Option.getOrThrow(yield* repo.find(evaluation.id, "1")).sampleGrades?.map((s) => s.outcome),
        ["correct", "incorrect", "correct", "no_answer"]
      )
      assert.include(graded, "1:Answer: 0", "graded from the stored raw output")
      // Graded as another kind, the samples are graded with that kind's grader too (spoilt first,
      // so that only grading them again gives the right outcomes back).
      const before = Option.getOrThrow(yield* repo.find(evaluation.id, "1"))
      yield* repo.save(new QuestionResult.EvaluationQuestionResult({
        ...before,
        sampleGrades: before.sampleGrades!.map((s) => ({ ...s, outcome: "incorrect" as const }))
      }))
      const asked = graded.length
      yield* orchestrator.rescore(evaluation.id, { answerKind: "number" })
      const asNumber = Option.getOrThrow(yield* repo.find(evaluation.id, "1"))
      assert.strictEqual(asNumber.grader, "number")
      assert.deepStrictEqual(asNumber.sampleGrades?.map((s) => s.outcome), ["correct", "incorrect", "correct", "no_answer"])
      assert.strictEqual(graded.length, asked, "the counted grader is no longer asked")
      // A failed question keeps its failure; its samples are graded again too.
      const refused = Option.getOrThrow(yield* repo.find(evaluation.id, "5"))
      assert.strictEqual(refused.error?.category, "model_refusal")
      assert.deepStrictEqual(refused.sampleGrades?.map((s) => s.outcome), ["no_answer", "correct", "correct", "incorrect"])
    }).pipe(Effect.provide(layerWith(grader)))
  })
})
