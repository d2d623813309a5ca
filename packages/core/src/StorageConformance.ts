/**
 * The conformance suite for storage adapters: the behaviour every implementation of the
 * repositories (benchmarks, evaluations, results, the run lease, the response cache) must have,
 * whatever it stores in. MemoryStorage, SQLite and PostgreSQL all pass the same cases, and an
 * outside adapter can run them too. Framework-agnostic: each case is an Effect that needs the four
 * services on a fresh, empty storage and fails with a `StorageConformanceFailure` saying what
 * differed, so a test file is a loop:
 *
 * ```ts
 * for (const c of StorageConformance.cases) it.scoped(c.name, () => Effect.provide(c.run, freshStorage))
 * ```
 */
import { Chunk, Data, Effect, Fiber, Option, Stream } from "effect"
import * as AgentConfig from "./AgentConfig.js"
import * as Benchmark from "./Benchmark.js"
import { BenchmarkRepository } from "./BenchmarkRepository.js"
import * as Evaluation from "./Evaluation.js"
import { EvaluationRepository } from "./EvaluationRepository.js"
import * as Experiment from "./Experiment.js"
import { ExperimentRepository } from "./ExperimentRepository.js"
import * as EvaluationResults from "./EvaluationResults.js"
import * as FailureReason from "./FailureReason.js"
import type * as LlmClient from "./LlmClient.js"
import * as QuestionResult from "./QuestionResult.js"
import * as ResponseCache from "./ResponseCache.js"
import { ResultRepository } from "./ResultRepository.js"
import * as ScriptedLlmClient from "./ScriptedLlmClient.js"
import * as Usage from "./Usage.js"
import { WorkQueue } from "./WorkQueue.js"

/** What a storage adapter provides, and every case needs. */
export type Services =
  | BenchmarkRepository
  | EvaluationRepository
  | ResultRepository
  | ExperimentRepository
  | WorkQueue
  | ResponseCache.ResponseCache

/** A case broke the contract. */
export class StorageConformanceFailure extends Data.TaggedError("StorageConformanceFailure")<{
  readonly detail: string
}> {
  override get message() {
    return this.detail
  }
}

/** One rule of the contract, to run on a fresh, empty storage. */
export interface Case {
  readonly name: string
  readonly run: Effect.Effect<void, unknown, Services>
}

// ---------------------------------------------------------------------------------------------
// checks

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

/** Structural equality of domain values: classes by their fields, dates by instant, Options and Sets by content. */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime()
  }
  if (Option.isOption(a) || Option.isOption(b)) {
    return Option.isOption(a) && Option.isOption(b) &&
      (Option.isNone(a) ? Option.isNone(b) : Option.isSome(b) && deepEqual(a.value, b.value))
  }
  if (a instanceof Set || b instanceof Set) {
    return a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((x) => b.has(x))
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (!isObject(a) || !isObject(b)) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  const keys = Object.keys(a).filter((k) => a[k] !== undefined)
  const other = Object.keys(b).filter((k) => b[k] !== undefined)
  return keys.length === other.length && keys.every((k) => deepEqual(a[k], b[k]))
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value, (_, v) =>
    v instanceof Set ? [...v] : Option.isOption(v) ? (Option.isSome(v) ? { some: v.value } : "none") : typeof v === "bigint" ? `${v}n` : v)
  return text === undefined ? String(value) : text.length > 600 ? `${text.slice(0, 600)}…` : text
}

const fail = (detail: string) => Effect.fail(new StorageConformanceFailure({ detail }))

const check = (condition: boolean, what: string): Effect.Effect<void, StorageConformanceFailure> =>
  condition ? Effect.void : fail(what)

const equal = (actual: unknown, expected: unknown, what: string): Effect.Effect<void, StorageConformanceFailure> =>
  deepEqual(actual, expected) ? Effect.void : fail(`${what}: expected ${show(expected)}, got ${show(actual)}`)

/** Fails unless the effect fails with a StorageError (or the given tag); returns the error. */
const failsWith = <A, E, R>(effect: Effect.Effect<A, E, R>, tag: string, what: string) =>
  Effect.flatMap(Effect.either(effect), (result) => {
    if (result._tag === "Right") return fail(`${what}: expected a ${tag}, but it succeeded`)
    const error = result.left as { readonly _tag?: string; readonly message?: string }
    return error._tag === tag ? Effect.succeed(error) : fail(`${what}: expected a ${tag}, got ${show(error)}`)
  })

// ---------------------------------------------------------------------------------------------
// fixtures

const base = new Date("2025-03-01T10:00:00.000Z").getTime()
const at = (seconds: number): Date => new Date(base + seconds * 1000)

const questions = (n: number, prefix = "q"): Array<Benchmark.Question> =>
  Array.from({ length: n }, (_, i) =>
    new Benchmark.Question({
      id: `${prefix}${i}`,
      text: `What is ${i} + ${i}?`,
      expectedAnswer: String(i * 2),
      metadata: { index: String(i), subject: i % 2 === 0 ? "even" : "odd" }
    }))

const benchmark = (name: string, count: number, createdAt = at(0)): Benchmark.PreprocessedBenchmark =>
  new Benchmark.PreprocessedBenchmark({
    id: `bench_${name.toLowerCase()}`,
    name,
    description: `The ${name} benchmark`,
    questionCount: count,
    formatVersion: Benchmark.FORMAT_VERSION,
    metadata: { source: `${name}.csv`, columns: ["INPUT", "OUTPUT"], nested: { a: 1, b: null } },
    createdAt
  })

const agentConfig = new AgentConfig.AgentConfig({
  agentType: "tot",
  modelProvider: "openrouter",
  modelName: "anthropic/claude-3.5-sonnet",
  modelParameters: new AgentConfig.ModelParameters({ temperature: 0.9, maxTokens: 1500, topP: 0.95 }),
  agentParameters: { tree_depth: 3, branches_per_step: 4, evaluation_method: "vote", backtrack_on_failure: true }
})

const evaluation = (
  id: string,
  bench: Benchmark.PreprocessedBenchmark,
  createdAt = at(60),
  config: AgentConfig.AgentConfig = agentConfig
): Evaluation.Evaluation =>
  Evaluation.create({ id, agentConfig: config, benchmarkId: bench.id, benchmarkName: bench.name, now: createdAt })

const reason = (category: FailureReason.FailureCategory = "rate_limit_exceeded") =>
  FailureReason.make({ category, description: `failed with ${category}`, technicalDetails: "HTTP 429 {\"error\":\"slow down\"}" })

const result = (
  evaluationId: string,
  question: Benchmark.Question,
  options: {
    readonly correct?: boolean
    readonly error?: FailureReason.FailureReason | null
    readonly cost?: number | null
    readonly timeMs?: number
    readonly trace?: unknown
    readonly processedAt?: Date
    readonly calls?: ReadonlyArray<QuestionResult.ModelCall>
  } = {}
): QuestionResult.EvaluationQuestionResult =>
  new QuestionResult.EvaluationQuestionResult({
    evaluationId,
    questionId: question.id,
    questionText: question.text,
    expectedAnswer: question.expectedAnswer,
    extractedAnswer: options.error ? null : options.correct ? question.expectedAnswer : "wrong",
    rawOutput: options.error ? null : `Answer: ${options.correct ? question.expectedAnswer : "wrong"}`,
    isCorrect: options.error ? false : options.correct ?? false,
    executionTimeMs: options.timeMs ?? 1234.5,
    reasoningTrace: options.trace ?? { steps: ["think", "answer"], depth: 1 },
    error: options.error ?? null,
    usage: new Usage.TokenUsage({ promptTokens: 100, completionTokens: 40, reasoningTokens: 10, totalTokens: 140 }),
    costUsd: options.cost === undefined ? 0.00125 : options.cost,
    llmCalls: 2,
    calls: options.calls ?? [],
    outcome: options.error ? null : options.correct ? "correct" : "incorrect",
    processedAt: options.processedAt ?? at(120)
  })

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** Two benchmarks of three questions. */
const twoBenchmarks = Effect.gen(function*() {
  const benchmarks = yield* BenchmarkRepository
  const gpqa = benchmark("GPQA", 3)
  const folio = benchmark("FOLIO", 3)
  yield* benchmarks.create(gpqa, questions(3))
  yield* benchmarks.create(folio, questions(3))
  return { gpqa, folio }
})

/** A benchmark whose file order differs from id order, and one evaluation of it. */
const oneEvaluation = Effect.gen(function*() {
  const bench = benchmark("MATH3", 6)
  const qs = ["q5", "q3", "q0", "q4", "q1", "q2"].map((id, i) =>
    new Benchmark.Question({ id, text: `Question ${id}`, expectedAnswer: String(i), metadata: i < 4 ? { category: i % 2 === 0 ? "algebra" : "geometry" } : {} })
  )
  yield* (yield* BenchmarkRepository).create(bench, qs)
  const e = evaluation("eval_res001", bench)
  yield* (yield* EvaluationRepository).create(e)
  return { bench, qs, evaluationId: e.id }
})

const stray = new Benchmark.Question({ id: "not-there", text: "?", expectedAnswer: "?", metadata: {} })

const request: LlmClient.ChatRequest = {
  model: "anthropic/claude-3.5-sonnet",
  messages: [
    { role: "system", content: "Answer with a number." },
    { role: "user", content: "What is 2 + 2? Ünïcode and \"quotes\" too." }
  ],
  temperature: 0.7,
  maxTokens: 256,
  responseFormat: { type: "json_object" }
}

const response = (content: string): LlmClient.ChatResponse => ({
  content,
  finishReason: "stop",
  usage: new Usage.TokenUsage({ promptTokens: 20, completionTokens: 5, reasoningTokens: 2, totalTokens: 25 }),
  costUsd: 0.000125,
  generationId: "gen-123",
  provider: "Anthropic",
  model: "anthropic/claude-3.5-sonnet-20241022",
  attempts: 2
})

// ---------------------------------------------------------------------------------------------
// cases

const benchmarkCases: ReadonlyArray<Case> = [
  {
    name: "benchmarks: round-trips a benchmark with its metadata, and its questions in file order",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      const bench = benchmark("GPQA", 5)
      // ids deliberately not in sorted order: order must come from the file, not from the ids
      const qs = ["z9", "a1", "m5", "10", "2"].map((id, i) =>
        new Benchmark.Question({
          id,
          text: `Question ${i} with "quotes", commas, and a\nnewline — and ünïcödé`,
          expectedAnswer: `answer ${i}`,
          metadata: i === 0 ? {} : { Subject: "physics", "Extra Column": `v${i}` }
        })
      )
      yield* repo.create(bench, qs)
      yield* equal(yield* repo.findByName("GPQA"), Option.some(bench), "findByName")
      yield* equal(yield* repo.findById(bench.id), Option.some(bench), "findById")
      const found = Option.getOrThrow(yield* repo.findById(bench.id))
      yield* check(found instanceof Benchmark.PreprocessedBenchmark, "findById returns a PreprocessedBenchmark")
      yield* equal(yield* repo.questions(bench.id), qs, "questions in file order")
      yield* check((yield* repo.questions(bench.id))[0] instanceof Benchmark.Question, "questions are Question instances")
    })
  },
  {
    name: "benchmarks: streams questions in file order across chunks, and only that benchmark's",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      const many = questions(1111).reverse()
      yield* repo.create(benchmark("MANY", many.length), many)
      yield* repo.create(benchmark("FEW", 2), questions(2, "f"))
      const streamed = yield* collect(repo.streamQuestions("bench_many"))
      yield* equal(streamed.length, many.length, "questions streamed")
      yield* equal(streamed, many, "streamed questions")
      yield* equal((yield* collect(repo.streamQuestions("bench_none"))).length, 0, "questions of an unknown benchmark")
    })
  },
  {
    name: "benchmarks: finds nothing for unknown names and ids",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      yield* equal(yield* repo.findByName("nope"), Option.none(), "findByName")
      yield* equal(yield* repo.findById("nope"), Option.none(), "findById")
      yield* equal(yield* repo.questions("nope"), [], "questions")
      yield* equal(yield* repo.list, [], "list of an empty storage")
    })
  },
  {
    name: "benchmarks: lists most recent first",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      yield* repo.create(benchmark("OLD", 1, at(0)), questions(1))
      yield* repo.create(benchmark("NEW", 1, at(200)), questions(1))
      yield* repo.create(benchmark("MID", 1, at(100)), questions(1))
      yield* equal((yield* repo.list).map((b) => b.name), ["NEW", "MID", "OLD"], "list")
    })
  },
  {
    name: "benchmarks: a second benchmark with the same name is BenchmarkAlreadyExists and changes nothing",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      const first = benchmark("FOLIO", 3)
      yield* repo.create(first, questions(3))
      const second = new Benchmark.PreprocessedBenchmark({ ...benchmark("FOLIO", 2), id: "bench_other" })
      const error = yield* failsWith(repo.create(second, questions(2, "x")), "BenchmarkAlreadyExists", "same name")
      yield* equal(error.message, "a benchmark named 'FOLIO' is already imported", "message")
      yield* equal(yield* repo.findByName("FOLIO"), Option.some(first), "the first one stays")
      yield* equal(yield* repo.questions("bench_other"), [], "no question of the second")
      yield* equal((yield* repo.questions(first.id)).length, 3, "the first one's questions")
      yield* equal((yield* repo.list).length, 1, "benchmarks stored")
    })
  },
  {
    name: "benchmarks: importing the very same benchmark again is BenchmarkAlreadyExists",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      const bench = benchmark("LeetCode_Python_Easy", 2)
      yield* repo.create(bench, questions(2))
      yield* failsWith(repo.create(bench, questions(2)), "BenchmarkAlreadyExists", "same id and name")
      yield* equal((yield* repo.questions(bench.id)).length, 2, "questions")
    })
  },
  {
    name: "benchmarks: an import with a duplicate question id near the end stores nothing",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      const qs = questions(3_000)
      qs[2_990] = new Benchmark.Question({ ...qs[2_990]!, id: qs[17]!.id })
      const error = yield* failsWith(repo.create(benchmark("BBEH", qs.length), qs), "StorageError", "duplicate id")
      yield* check(error.message!.includes("q17"), `the message names the duplicate id: ${error.message}`)
      yield* equal(yield* repo.findByName("BBEH"), Option.none(), "no benchmark")
      yield* equal(yield* repo.questions("bench_bbeh"), [], "no question")
      yield* repo.create(benchmark("BBEH", 3), questions(3))
      yield* equal((yield* repo.questions("bench_bbeh")).length, 3, "the storage is usable afterwards")
    })
  },
  {
    name: "benchmarks: a second benchmark with the same id is a StorageError naming it",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      yield* repo.create(benchmark("ONE", 1), questions(1))
      const clash = new Benchmark.PreprocessedBenchmark({ ...benchmark("ONE", 1), name: "TWO" })
      const error = yield* failsWith(repo.create(clash, questions(2)), "StorageError", "same id")
      yield* check(error.message!.includes(clash.id), `the message names the id: ${error.message}`)
      yield* equal((yield* repo.questions(clash.id)).length, 1, "the first one's questions stay")
      yield* equal(yield* repo.findByName("TWO"), Option.none(), "TWO is not stored")
    })
  },
  {
    name: "benchmarks: a benchmark with no questions is stored",
    run: Effect.gen(function*() {
      const repo = yield* BenchmarkRepository
      yield* repo.create(benchmark("EMPTY", 0), [])
      yield* check(Option.isSome(yield* repo.findByName("EMPTY")), "found")
      yield* equal(yield* repo.questions("bench_empty"), [], "questions")
    })
  }
]

const evaluationCases: ReadonlyArray<Case> = [
  {
    name: "evaluations: round-trip through every status, failure reason included",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { gpqa } = yield* twoBenchmarks
      const pending = evaluation("eval_abc123", gpqa)
      yield* repo.create(pending)
      yield* equal(yield* repo.findById(pending.id), Option.some(pending), "pending")
      const found = Option.getOrThrow(yield* repo.findById(pending.id))
      yield* check(found instanceof Evaluation.Evaluation, "an Evaluation instance")
      yield* check(found.agentConfig.modelParameters instanceof AgentConfig.ModelParameters, "ModelParameters instance")
      const running = yield* Evaluation.start(pending, at(100))
      yield* repo.update(running)
      yield* equal(yield* repo.findById(pending.id), Option.some(running), "running")
      const failed = yield* Evaluation.fail(running, reason("credit_limit_exceeded"), at(200))
      yield* repo.update(failed)
      yield* equal(yield* repo.findById(pending.id), Option.some(failed), "failed")
      const rerun = yield* Evaluation.start(failed, at(300))
      yield* repo.update(rerun)
      yield* equal(Option.getOrThrow(yield* repo.findById(pending.id)).failureReason, null, "a re-run clears the failure")
      const interrupted = yield* Evaluation.interrupt(rerun, at(400))
      yield* repo.update(interrupted)
      yield* equal(yield* repo.findById(pending.id), Option.some(interrupted), "interrupted")
      const completed = yield* Evaluation.complete(yield* Evaluation.start(interrupted, at(500)), at(600))
      yield* repo.update(completed)
      yield* equal(yield* repo.findById(pending.id), Option.some(completed), "completed")
    })
  },
  {
    name: "evaluations: keep an answer-kind override, which an update can set or clear",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { gpqa } = yield* twoBenchmarks
      const plain = evaluation("eval_kind01", gpqa)
      yield* repo.create(plain)
      const asLabel = new Evaluation.Evaluation({ ...plain, answerKind: "label" })
      yield* repo.update(asLabel)
      yield* equal(yield* repo.findById(plain.id), Option.some(asLabel), "set")
      yield* repo.update(new Evaluation.Evaluation({ ...plain, answerKind: null }))
      yield* equal(Option.getOrThrow(yield* repo.findById(plain.id)).answerKind, null, "cleared")
      const created = new Evaluation.Evaluation({ ...evaluation("eval_kind02", gpqa), answerKind: "math" })
      yield* repo.create(created)
      yield* equal(Option.getOrThrow(yield* repo.findById(created.id)).answerKind, "math", "at creation")
    })
  },
  {
    name: "evaluations: keep a minimal agent configuration exactly",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { gpqa } = yield* twoBenchmarks
      const minimal = new AgentConfig.AgentConfig({
        agentType: "none",
        modelProvider: "openrouter",
        modelName: "openai/gpt-4o-mini",
        modelParameters: new AgentConfig.ModelParameters({}),
        agentParameters: {}
      })
      const e = evaluation("eval_minimal", gpqa, at(1), minimal)
      yield* repo.create(e)
      const found = Option.getOrThrow(yield* repo.findById(e.id))
      yield* equal(found, e, "minimal evaluation")
      yield* check(!("temperature" in found.agentConfig.modelParameters), "no temperature appears")
    })
  },
  {
    name: "evaluations: list most recent first (ties by id), filtered by status and benchmark, limited",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { folio, gpqa } = yield* twoBenchmarks
      const e1 = evaluation("eval_one111", gpqa, at(10))
      const e2 = evaluation("eval_two222", folio, at(20))
      const e3 = evaluation("eval_thr333", gpqa, at(30))
      const e4 = evaluation("eval_fou444", gpqa, at(30))
      for (const e of [e2, e4, e1, e3]) yield* repo.create(e)
      yield* repo.update(yield* Evaluation.start(e1, at(40)))
      yield* repo.update(yield* Evaluation.start(e2, at(41)))
      const ids = (list: ReadonlyArray<Evaluation.Evaluation>) => list.map((e) => e.id)
      yield* equal(ids(yield* repo.list()), ["eval_fou444", "eval_thr333", "eval_two222", "eval_one111"], "all")
      yield* equal(ids(yield* repo.list({ status: "running" })), ["eval_two222", "eval_one111"], "running")
      yield* equal(ids(yield* repo.list({ benchmarkName: "GPQA" })), ["eval_fou444", "eval_thr333", "eval_one111"], "GPQA")
      yield* equal(ids(yield* repo.list({ status: "running", benchmarkName: "GPQA" })), ["eval_one111"], "running GPQA")
      yield* equal(ids(yield* repo.list({ status: "pending", benchmarkName: "GPQA", limit: 1 })), ["eval_fou444"], "limit 1")
      yield* equal(ids(yield* repo.list({ limit: 2 })), ["eval_fou444", "eval_thr333"], "limit 2")
      yield* equal(yield* repo.list({ status: "completed" }), [], "completed")
      yield* equal(yield* repo.list({ benchmarkName: "MATH3" }), [], "unknown benchmark")
    })
  },
  {
    name: "evaluations: the run lease is held by one owner, renewable, expiring, replaceable when its owner died, releasable",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { gpqa } = yield* twoBenchmarks
      const id = "eval_lease1"
      yield* repo.create(evaluation(id, gpqa))
      yield* equal(yield* repo.lease(id), Option.none(), "no lease at first")
      yield* check(yield* repo.claim(id, { owner: "a", now: at(0), expiresAt: at(30_000) }), "a takes a free lease")
      yield* equal(yield* repo.lease(id), Option.some({ owner: "a", expiresAt: at(30_000) }), "a's lease")
      yield* check(!(yield* repo.claim(id, { owner: "b", now: at(1_000), expiresAt: at(31_000) })), "held by a")
      yield* check(yield* repo.claim(id, { owner: "a", now: at(10_000), expiresAt: at(40_000) }), "a renews")
      yield* check(!(yield* repo.claim(id, { owner: "b", now: at(35_000), expiresAt: at(65_000) })), "renewed, not expired")
      yield* check(yield* repo.claim(id, { owner: "b", now: at(41_000), expiresAt: at(71_000) }), "expired: b takes it")
      yield* check(yield* repo.claim(id, { owner: "c", now: at(42_000), expiresAt: at(72_000), replacing: "b" }), "b is dead")
      yield* repo.release(id, "b")
      yield* equal(Option.map(yield* repo.lease(id), (l) => l.owner), Option.some("c"), "only the holder releases")
      yield* repo.release(id, "c")
      yield* equal(yield* repo.lease(id), Option.none(), "released")
      yield* equal(Option.getOrThrow(yield* repo.findById(id)).status, "pending", "the lease leaves the state alone")
    })
  },
  {
    name: "evaluations: of many claims racing for a free lease, exactly one wins",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { gpqa } = yield* twoBenchmarks
      const id = "eval_race01"
      yield* repo.create(evaluation(id, gpqa))
      const fibers = yield* Effect.forEach(
        Array.from({ length: 12 }, (_, i) => `owner-${i}`),
        (owner) => Effect.fork(repo.claim(id, { owner, now: at(0), expiresAt: at(30) })),
        { concurrency: "unbounded" }
      )
      const won = yield* Fiber.joinAll(fibers)
      yield* equal(won.filter((w) => w).length, 1, "claims won")
      const holder = `owner-${won.indexOf(true)}`
      yield* equal(Option.map(yield* repo.lease(id), (l) => l.owner), Option.some(holder), "the winner holds the lease")
    })
  },
  {
    name: "evaluations: findById of an unknown id is none",
    run: Effect.gen(function*() {
      yield* equal(yield* (yield* EvaluationRepository).findById("eval_nothere"), Option.none(), "findById")
    })
  },
  {
    name: "evaluations: updating one that is not stored is a StorageError naming it",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { gpqa } = yield* twoBenchmarks
      const error = yield* failsWith(repo.update(evaluation("eval_ghost1", gpqa)), "StorageError", "update")
      yield* check(error.message!.includes("eval_ghost1"), `the message names it: ${error.message}`)
      yield* equal(yield* repo.findById("eval_ghost1"), Option.none(), "nothing stored")
    })
  },
  {
    name: "evaluations: creating one of a benchmark that is not stored is a StorageError",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const error = yield* failsWith(repo.create(evaluation("eval_orphan", benchmark("MISSING", 1))), "StorageError", "create")
      yield* check(error.message!.includes("MISSING"), `the message names the benchmark: ${error.message}`)
      yield* equal(yield* repo.findById("eval_orphan"), Option.none(), "nothing stored")
    })
  },
  {
    name: "evaluations: creating the same id twice is a StorageError and keeps the first",
    run: Effect.gen(function*() {
      const repo = yield* EvaluationRepository
      const { folio, gpqa } = yield* twoBenchmarks
      const first = evaluation("eval_twice1", gpqa)
      yield* repo.create(first)
      const error = yield* failsWith(repo.create(evaluation("eval_twice1", folio)), "StorageError", "create twice")
      yield* check(error.message!.includes("eval_twice1"), `the message names it: ${error.message}`)
      yield* equal(yield* repo.findById(first.id), Option.some(first), "the first stays")
    })
  }
]

const resultCases: ReadonlyArray<Case> = [
  {
    name: "results: listed in benchmark order whatever the order they were saved in, a page at a time",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      const results = qs.map((q, i) => result(evaluationId, q, { correct: i % 2 === 0 }))
      for (const i of [3, 0, 5, 1, 4, 2]) yield* repo.save(results[i]!)
      yield* equal(yield* repo.list(evaluationId), results, "all")
      yield* check((yield* repo.list(evaluationId))[0] instanceof QuestionResult.EvaluationQuestionResult, "instances")
      yield* equal(yield* repo.list(evaluationId, { offset: 0, limit: 2 }), results.slice(0, 2), "page 1")
      yield* equal(yield* repo.list(evaluationId, { offset: 2, limit: 2 }), results.slice(2, 4), "page 2")
      yield* equal(yield* repo.list(evaluationId, { offset: 4, limit: 10 }), results.slice(4), "last page")
      yield* equal(yield* repo.list(evaluationId, { offset: 6, limit: 2 }), [], "past the end")
      yield* equal(yield* repo.list("eval_other1"), [], "another evaluation")
    })
  },
  {
    name: "results: stream reads every result in benchmark order across chunks, only of that evaluation",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const n = 1234
      const bench = benchmark("BIG", n)
      const qs = questions(n)
      yield* (yield* BenchmarkRepository).create(bench, qs)
      const evaluations = yield* EvaluationRepository
      yield* evaluations.create(evaluation("eval_big001", bench))
      yield* evaluations.create(evaluation("eval_big002", bench))
      const saved: Array<QuestionResult.EvaluationQuestionResult> = []
      for (let i = n - 1; i >= 0; i--) if (i % 10 !== 3) saved.push(result("eval_big001", qs[i]!, { correct: i % 2 === 0 }))
      // Saved back to front, in batches, with every 10th question missing.
      for (let i = 0; i < saved.length; i += 100) yield* repo.saveAll(saved.slice(i, i + 100))
      yield* repo.save(result("eval_big002", qs[0]!))
      const streamed = yield* collect(repo.stream("eval_big001"))
      yield* equal(streamed.map((r) => r.questionId), qs.filter((_, i) => i % 10 !== 3).map((q) => q.id), "order")
      yield* equal(streamed, yield* repo.list("eval_big001"), "stream equals list")
      yield* equal((yield* collect(repo.stream("eval_big002"))).length, 1, "the other evaluation")
      yield* equal((yield* collect(repo.stream("eval_none01"))).length, 0, "an unknown evaluation")
    })
  },
  {
    name: "results: round-trip every field: nulls, errors, traces of any JSON shape, model calls",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      const traces: ReadonlyArray<unknown> = [
        { tree: { depth: 3, children: [{ thought: "a", score: 0.5 }, { thought: "b", score: null }] } },
        ["step 1", "step 2"],
        "just text",
        42,
        null
      ]
      const calls: ReadonlyArray<QuestionResult.ModelCall> = [
        { model: "m/a", provider: "P", generationId: "gen-1", finishReason: "stop", promptTokens: 5, completionTokens: 2, reasoningTokens: 1, costUsd: 0.001, attempts: 2, error: null },
        { model: "m/a", provider: null, generationId: null, finishReason: null, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, costUsd: null, attempts: 1, error: "network_timeout" }
      ]
      const saved = [
        ...traces.map((trace, i) =>
          result(evaluationId, qs[i]!, { correct: i % 2 === 0, trace, cost: i === 1 ? null : 0.5, calls: i === 0 ? calls : [] })
        ),
        result(evaluationId, qs[5]!, { error: reason("parsing_error"), cost: null, timeMs: 0 })
      ]
      // A grader's details (a code grader's per-test outcomes) come back as the same JSON.
      saved[0] = new QuestionResult.EvaluationQuestionResult({
        ...saved[0]!,
        gradeDetails: { tests: [{ name: "t1", passed: true }, { name: "t2", passed: false, error: "AssertionError" }] }
      })
      for (const r of saved) yield* repo.save(r)
      yield* equal(yield* repo.list(evaluationId), saved, "every field")
      yield* equal(yield* repo.find(evaluationId, qs[5]!.id), Option.some(saved[5]), "find")
      yield* equal(yield* repo.find(evaluationId, "nope"), Option.none(), "find an unknown question")
    })
  },
  {
    name: "results: the grades of an agent's samples round-trip in order (stream, list, find); none reads as null; a save replaces them",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      const sampleGrades: ReadonlyArray<QuestionResult.SampleGrade> = [
        { outcome: "correct", rawOutput: "Step 1…\nAnswer: 0" },
        { outcome: "incorrect", rawOutput: "```python\ndef f(x):\n    return \"ünïcode\"\n```" },
        { outcome: "no_answer", rawOutput: "" },
        { outcome: "correct", rawOutput: "Step 1…\nAnswer: 0" }
      ]
      const sampled = new QuestionResult.EvaluationQuestionResult({ ...result(evaluationId, qs[0]!, { correct: true }), sampleGrades })
      const single = result(evaluationId, qs[1]!, { correct: false })
      yield* repo.saveAll([sampled, single])
      yield* equal(yield* repo.list(evaluationId), [sampled, single], "list")
      yield* equal((yield* repo.list(evaluationId))[1]!.sampleGrades, null, "no samples: null")
      yield* equal(yield* collect(repo.stream(evaluationId)), [sampled, single], "stream")
      yield* equal(yield* repo.find(evaluationId, qs[0]!.id), Option.some(sampled), "find")
      const regraded = new QuestionResult.EvaluationQuestionResult({
        ...sampled,
        sampleGrades: sampleGrades.map((s) => ({ ...s, outcome: "incorrect" as const }))
      })
      yield* repo.save(regraded)
      yield* equal(yield* repo.find(evaluationId, qs[0]!.id), Option.some(regraded), "replaced")
    })
  },
  {
    name: "results: saving the same question again replaces it: exactly one result per question",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      const failed = result(evaluationId, qs[1]!, { error: reason("network_timeout"), processedAt: at(100) })
      const retried = result(evaluationId, qs[1]!, { correct: true, processedAt: at(200), cost: 0.01 })
      yield* repo.save(failed)
      yield* repo.save(failed)
      yield* repo.saveAll([failed, failed])
      yield* repo.save(retried)
      yield* equal(yield* repo.list(evaluationId), [retried], "one row, the last")
      const summary = yield* repo.summarize(evaluationId)
      yield* equal([summary.processed, summary.errors, summary.correct], [1, 0, 1], "processed, errors, correct")
      yield* equal(summary.errorsByCategory, {}, "errors by category")
    })
  },
  {
    name: "results: answered and failed question ids, to resume and to retry",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      yield* equal(yield* repo.answeredQuestionIds(evaluationId), new Set(), "none at first")
      yield* repo.save(result(evaluationId, qs[0]!, { correct: true }))
      yield* repo.save(result(evaluationId, qs[4]!, { error: reason() }))
      yield* repo.save(result(evaluationId, qs[2]!, { correct: false }))
      yield* equal(yield* repo.answeredQuestionIds(evaluationId), new Set(["q5", "q1", "q0"]), "answered")
      yield* equal(yield* repo.failedQuestionIds(evaluationId), new Set(["q1"]), "failed")
      yield* repo.save(result(evaluationId, qs[4]!, { correct: true }))
      yield* equal(yield* repo.failedQuestionIds(evaluationId), new Set(), "a retried question is no longer failed")
    })
  },
  {
    name: "results: summarize equals EvaluationResults.fromRows of the same rows, and counts only its evaluation",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { bench, evaluationId, qs } = yield* oneEvaluation
      const rows = [
        result(evaluationId, qs[0]!, { correct: true, cost: 0.1, timeMs: 1500.25 }),
        result(evaluationId, qs[1]!, { correct: false, cost: null, timeMs: 800 }),
        result(evaluationId, qs[2]!, { error: reason("rate_limit_exceeded"), cost: 0.2, timeMs: 30_000 }),
        result(evaluationId, qs[3]!, { error: reason("rate_limit_exceeded"), cost: null, timeMs: 12.5 }),
        new QuestionResult.EvaluationQuestionResult({
          ...result(evaluationId, qs[4]!, { error: reason("parsing_error"), cost: 0.3, timeMs: 700 }),
          isCorrect: true
        }),
        new QuestionResult.EvaluationQuestionResult({
          ...result(evaluationId, qs[5]!, { correct: true }),
          extractedAnswer: null,
          isCorrect: false,
          outcome: "no_answer",
          usage: new Usage.TokenUsage({ promptTokens: 7, completionTokens: 3, reasoningTokens: 0, totalTokens: 10 }),
          llmCalls: 9,
          retries: 2,
          cachedCalls: 1,
          costUsd: 0.0000123
        })
      ]
      yield* repo.saveAll(rows)
      const other = evaluation("eval_res002", bench, at(70))
      yield* (yield* EvaluationRepository).create(other)
      yield* repo.save(result(other.id, qs[0]!, { error: reason() }))
      const fromStorage = yield* repo.summarize(evaluationId)
      const fromRows = EvaluationResults.fromRows(rows)
      yield* check(fromStorage instanceof EvaluationResults.EvaluationResults, "an EvaluationResults")
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
      yield* check(close(fromStorage.costUsd, fromRows.costUsd), `cost ${fromStorage.costUsd} vs ${fromRows.costUsd}`)
      yield* check(close(fromStorage.totalTimeMs, fromRows.totalTimeMs), `time ${fromStorage.totalTimeMs} vs ${fromRows.totalTimeMs}`)
      const exact = (r: EvaluationResults.EvaluationResults) => ({ ...r, costUsd: 0, totalTimeMs: 0, averageTimeMs: 0, accuracy: 0 })
      yield* equal(exact(fromStorage), exact(fromRows), "summary")
      yield* equal(yield* repo.summarize("eval_nobody"), EvaluationResults.fromRows([]), "an evaluation without results")
      yield* equal((yield* repo.summarize(other.id)).processed, 1, "the other evaluation")
    })
  },
  {
    name: "results: breakdown by a metadata column, in value order, questions without it under null",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      yield* repo.saveAll(qs.map((q, i) => result(evaluationId, q, { correct: i !== 1 })))
      yield* equal(yield* repo.breakdown(evaluationId, "category"), [
        { value: null, processed: 2, correct: 2 },
        { value: "algebra", processed: 2, correct: 2 },
        { value: "geometry", processed: 2, correct: 1 }
      ], "breakdown")
    })
  },
  {
    name: "results: providers of the calls that reached one (not failed, not cached), most calls first",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      const call = (provider: string | null, costUsd: number | null, attempts: number, error: string | null = null) => ({
        model: "openai/gpt-4o-mini", provider, generationId: null, finishReason: "stop",
        promptTokens: 1, completionTokens: 1, reasoningTokens: 0, costUsd, attempts, error
      })
      yield* repo.save(result(evaluationId, qs[0]!, { calls: [call("OpenAI", 0.0004, 2), call(null, null, 3, "network_timeout"), call("Azure", 0, 0)] }))
      yield* repo.save(result(evaluationId, qs[1]!, { calls: [call("Azure", null, 1), call("Azure", 0.5, 1)] }))
      yield* equal(yield* repo.providers(evaluationId), [
        { provider: "Azure", calls: 2, costUsd: 0.5 },
        { provider: "OpenAI", calls: 1, costUsd: 0.0004 }
      ], "providers")
    })
  },
  {
    name: "results: one for a question outside the evaluation's benchmark is a StorageError, and nothing is stored",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId } = yield* oneEvaluation
      const error = yield* failsWith(repo.save(result(evaluationId, stray)), "StorageError", "stray question")
      yield* check(error.message!.includes("not-there"), `the message names the question: ${error.message}`)
      yield* equal(yield* repo.list(evaluationId), [], "nothing stored")
    })
  },
  {
    name: "results: one for an evaluation that is not stored is a StorageError naming it",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { qs } = yield* oneEvaluation
      const error = yield* failsWith(repo.save(result("eval_ghost99", qs[0]!)), "StorageError", "unknown evaluation")
      yield* check(error.message!.includes("eval_ghost99"), `the message names the evaluation: ${error.message}`)
    })
  },
  {
    name: "results: saveAll stores all of them, or none when one is refused; the later of two for one question wins",
    run: Effect.gen(function*() {
      const repo = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      yield* repo.saveAll(qs.slice(0, 3).map((q) => result(evaluationId, q, { correct: true })))
      yield* repo.saveAll([result(evaluationId, qs[3]!)])
      yield* repo.saveAll([])
      yield* equal((yield* repo.list(evaluationId)).length, 4, "stored")
      const error = yield* failsWith(
        repo.saveAll([result(evaluationId, qs[4]!), result(evaluationId, stray), result(evaluationId, qs[5]!)]),
        "StorageError",
        "a batch with a stray question"
      )
      yield* check(error.message!.includes("not-there"), `the message names the question: ${error.message}`)
      yield* equal((yield* repo.list(evaluationId)).length, 4, "none of the refused batch")
      yield* repo.saveAll([result(evaluationId, qs[4]!, { correct: false }), result(evaluationId, qs[4]!, { correct: true })])
      yield* equal(Option.map(yield* repo.find(evaluationId, qs[4]!.id), (r) => r.isCorrect), Option.some(true), "later wins")
    })
  }
]

const grid = new Experiment.Grid({
  agents: [
    new Experiment.GridAgent({ label: "none", agentType: "none", agentParameters: {}, modelParameters: new Experiment.ModelOverrides({}) }),
    new Experiment.GridAgent({
      label: "tot(tree_depth=2)",
      agentType: "tot",
      agentParameters: { tree_depth: 2 },
      modelParameters: new Experiment.ModelOverrides({ maxTokens: 800 })
    })
  ],
  models: ["openai/gpt-4o-mini"],
  benchmarks: ["GPQA", "FOLIO"],
  repeats: 1,
  sample: new Experiment.SampleSpec({ size: 2, seed: 7 })
})

/** Two benchmarks and an experiment over them (not stored), with its cells' evaluations. */
const anExperiment = (id = "exp_abc12345", createdAt = at(10), prefix = "eval_cell") =>
  Effect.gen(function*() {
    const benchmarks = yield* BenchmarkRepository
    const gpqa = benchmark("GPQA", 4)
    const folio = benchmark("FOLIO", 4)
    if (Option.isNone(yield* benchmarks.findById(gpqa.id))) {
      yield* benchmarks.create(gpqa, questions(4))
      yield* benchmarks.create(folio, questions(4))
    }
    const cells = Experiment.coordinates(grid).map((c, i) => ({
      ...c,
      evaluation: evaluation(`${prefix}${i}x`, c.benchmark === "GPQA" ? gpqa : folio)
    }))
    const experiment = new Experiment.Experiment({
      id,
      name: "does tot help",
      grid,
      baseline: "none",
      budgetUsd: 2.5,
      createdAt,
      cells: cells.map((c) =>
        new Experiment.Cell({ evaluationId: c.evaluation.id, agent: c.agent, model: c.model, benchmark: c.benchmark, repeat: c.repeat })
      ),
      samples: [
        new Experiment.BenchmarkSample({ benchmarkId: gpqa.id, benchmarkName: "GPQA", questionIds: ["q1", "q3"] }),
        new Experiment.BenchmarkSample({ benchmarkId: folio.id, benchmarkName: "FOLIO", questionIds: ["q0", "q2"] })
      ]
    })
    return { experiment, evaluations: cells.map((c) => c.evaluation) }
  })

const experimentCases: ReadonlyArray<Case> = [
  {
    name: "experiments: stored with their cells' evaluations and their sample, read back equal, found from a cell",
    run: Effect.gen(function*() {
      const repo = yield* ExperimentRepository
      const { evaluations, experiment } = yield* anExperiment()
      yield* repo.create(experiment, evaluations)
      yield* equal(yield* repo.findById(experiment.id), Option.some(experiment), "findById")
      yield* equal(yield* repo.findByEvaluation(evaluations[2]!.id), Option.some(experiment), "findByEvaluation")
      yield* equal(yield* repo.findByEvaluation("eval_other"), Option.none(), "findByEvaluation of another evaluation")
      yield* equal(yield* repo.findById("exp_nothere"), Option.none(), "findById of an unknown id")
      yield* equal(yield* (yield* EvaluationRepository).findById(evaluations[3]!.id), Option.some(evaluations[3]!), "a cell is an evaluation")
    })
  },
  {
    name: "experiments: listed most recent first, limited",
    run: Effect.gen(function*() {
      const repo = yield* ExperimentRepository
      const older = yield* anExperiment("exp_older001", at(10), "eval_old")
      const newer = yield* anExperiment("exp_newer001", at(20), "eval_new")
      yield* repo.create(older.experiment, older.evaluations)
      yield* repo.create(newer.experiment, newer.evaluations)
      yield* equal((yield* repo.list()).map((e) => e.id), ["exp_newer001", "exp_older001"], "list")
      yield* equal((yield* repo.list({ limit: 1 })).map((e) => e.id), ["exp_newer001"], "limit 1")
    })
  },
  {
    name: "experiments: a sample naming a question its benchmark lacks stores nothing at all",
    run: Effect.gen(function*() {
      const repo = yield* ExperimentRepository
      const { evaluations, experiment } = yield* anExperiment()
      const bad = new Experiment.Experiment({
        ...experiment,
        samples: [new Experiment.BenchmarkSample({ ...experiment.samples[0]!, questionIds: ["q1", "nope"] })]
      })
      yield* failsWith(repo.create(bad, evaluations), "StorageError", "a stray sample question")
      yield* equal(yield* repo.list(), [], "no experiment")
      yield* equal(yield* (yield* EvaluationRepository).list(), [], "no evaluation")
    })
  },
  {
    name: "experiments: a cell whose evaluation id is taken stores nothing at all",
    run: Effect.gen(function*() {
      const repo = yield* ExperimentRepository
      const { evaluations, experiment } = yield* anExperiment()
      yield* (yield* EvaluationRepository).create(evaluations[1]!)
      yield* failsWith(repo.create(experiment, evaluations), "StorageError", "a taken evaluation id")
      yield* equal(yield* repo.list(), [], "no experiment")
      yield* equal((yield* (yield* EvaluationRepository).list()).map((e) => e.id), [evaluations[1]!.id], "only the evaluation stored before")
    })
  }
]

const ids = (items: ReadonlyArray<{ readonly questionId: string }>) => items.map((i) => i.questionId)

const queueCases: ReadonlyArray<Case> = [
  {
    name: "queue: enqueue adds the questions without a result, once",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const { evaluationId, qs } = yield* oneEvaluation
      yield* (yield* ResultRepository).save(result(evaluationId, qs[0]!, { correct: true }))
      yield* equal(yield* queue.enqueue(evaluationId, at(0)), 5, "queued")
      yield* equal(yield* queue.enqueue(evaluationId, at(1)), 0, "queued again")
      yield* equal(yield* queue.progress(evaluationId, at(2)), { waiting: 5, claimed: 0, holders: [] }, "progress")
      yield* failsWith(queue.enqueue("eval_ghost77", at(0)), "StorageError", "an evaluation that is not stored")
    })
  },
  {
    name: "queue: claims come in benchmark order and batches, and never share a question while its lease runs",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const { evaluationId, qs } = yield* oneEvaluation
      yield* (yield* ResultRepository).save(result(evaluationId, qs[0]!, { correct: true }))
      yield* queue.enqueue(evaluationId, at(0))
      const lease = { now: at(10), expiresAt: at(40) }
      const a = yield* queue.claim({ owner: "a", batch: 2, ...lease })
      yield* equal(a, [{ evaluationId, questionId: "q3", attempts: 1 }, { evaluationId, questionId: "q0", attempts: 1 }], "a's batch")
      yield* equal(ids(yield* queue.claim({ owner: "b", batch: 2, ...lease })), ["q4", "q1"], "b's batch")
      yield* equal(ids(yield* queue.claim({ owner: "a", batch: 10, ...lease })), ["q2"], "the rest")
      yield* equal(yield* queue.claim({ owner: "c", batch: 10, ...lease }), [], "nothing left")
      yield* equal(yield* queue.claim({ owner: "c", batch: 10, ...lease, evaluationId: "eval_other1" }), [], "another evaluation")
      yield* equal(yield* queue.progress(evaluationId, at(11)), {
        waiting: 0,
        claimed: 5,
        holders: [{ owner: "a", items: 3, expiresAt: at(40) }, { owner: "b", items: 2, expiresAt: at(40) }]
      }, "progress")
    })
  },
  {
    name: "queue: an expired claim is taken over by the next worker; a heartbeat keeps it",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const { evaluationId } = yield* oneEvaluation
      yield* queue.enqueue(evaluationId, at(0))
      yield* equal((yield* queue.claim({ owner: "a", batch: 10, now: at(0), expiresAt: at(30) })).length, 6, "a takes all")
      yield* equal(yield* queue.claim({ owner: "b", batch: 10, now: at(20), expiresAt: at(50) }), [], "a's lease runs")
      yield* equal(yield* queue.heartbeat("a", at(60)), 6, "a renews")
      yield* equal(yield* queue.claim({ owner: "b", batch: 10, now: at(50), expiresAt: at(80) }), [], "renewed")
      const taken = yield* queue.claim({ owner: "b", batch: 4, now: at(61), expiresAt: at(90) })
      yield* equal(taken.map((i) => [i.questionId, i.attempts]), [["q5", 2], ["q3", 2], ["q0", 2], ["q4", 2]], "b takes over")
      yield* equal(yield* queue.heartbeat("a", at(120)), 2, "a still holds what b did not take")
      yield* equal((yield* queue.progress(evaluationId, at(62))).holders.map((h) => [h.owner, h.items]), [["a", 2], ["b", 4]], "holders")
    })
  },
  {
    name: "queue: complete stores the results and takes their questions off; release gives back the rest",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const results = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      yield* queue.enqueue(evaluationId, at(0))
      const batch = yield* queue.claim({ owner: "a", batch: 3, now: at(1), expiresAt: at(30) })
      yield* equal(ids(batch), ["q5", "q3", "q0"], "batch")
      yield* queue.complete([result(evaluationId, qs[0]!, { correct: true }), result(evaluationId, qs[1]!, { error: reason() })])
      yield* equal(ids(yield* results.list(evaluationId)), ["q5", "q3"], "stored")
      yield* equal(yield* queue.release("a"), 1, "released")
      yield* equal(yield* queue.progress(evaluationId, at(2)), { waiting: 4, claimed: 0, holders: [] }, "progress")
      yield* equal(ids(yield* queue.claim({ owner: "b", batch: 10, now: at(3), expiresAt: at(30) })), ["q0", "q4", "q1", "q2"], "the rest")
      yield* equal(yield* queue.enqueue(evaluationId, at(4)), 0, "nothing to add: all queued or answered")
      const stray = yield* failsWith(queue.complete([result(evaluationId, qs[2]!), result(evaluationId, new Benchmark.Question({ id: "not-there", text: "?", expectedAnswer: "?", metadata: {} }))]), "StorageError", "a stray result")
      yield* check(stray.message!.includes("not-there"), `the message names the question: ${stray.message}`)
      yield* equal((yield* queue.progress(evaluationId, at(5))).claimed, 4, "nothing was taken off")
    })
  },
  {
    name: "queue: cancel takes an evaluation's questions off, claimed or not; queuing again puts back only the unanswered",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const { evaluationId, qs } = yield* oneEvaluation
      yield* queue.enqueue(evaluationId, at(0))
      yield* queue.claim({ owner: "a", batch: 2, now: at(1), expiresAt: at(30) })
      yield* queue.complete([result(evaluationId, qs[0]!, { correct: true })])
      yield* equal(yield* queue.cancel(evaluationId), 5, "the waiting and the claimed")
      yield* equal(yield* queue.progress(evaluationId, at(2)), { waiting: 0, claimed: 0, holders: [] }, "empty")
      yield* equal(yield* queue.claim({ owner: "b", batch: 10, now: at(3), expiresAt: at(30) }), [], "nothing to claim")
      yield* equal(yield* queue.cancel(evaluationId), 0, "cancelling twice")
      yield* equal(yield* queue.enqueue(evaluationId, at(4)), 5, "queued again: all but the answered one")
    })
  },
  {
    name: "queue: a question two workers both finish (one presumed dead) has one result row, the later one",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const results = yield* ResultRepository
      const { evaluationId, qs } = yield* oneEvaluation
      yield* queue.enqueue(evaluationId, at(0))
      yield* queue.claim({ owner: "slow", batch: 1, now: at(0), expiresAt: at(30) })
      yield* equal(ids(yield* queue.claim({ owner: "b", batch: 1, now: at(31), expiresAt: at(60) })), ["q5"], "taken over")
      yield* queue.complete([result(evaluationId, qs[0]!, { correct: true, processedAt: at(40) })])
      yield* queue.complete([result(evaluationId, qs[0]!, { correct: false, processedAt: at(45) })])
      const stored = yield* results.list(evaluationId)
      yield* equal(stored.map((r) => [r.questionId, r.isCorrect]), [["q5", false]], "one row, the later")
    })
  },
  {
    name: "queue: many workers claiming at once get disjoint batches that cover every question once",
    run: Effect.gen(function*() {
      const queue = yield* WorkQueue
      const bench = benchmark("RACE", 300)
      yield* (yield* BenchmarkRepository).create(bench, questions(300))
      const e = evaluation("eval_race02", bench)
      yield* (yield* EvaluationRepository).create(e)
      yield* equal(yield* queue.enqueue(e.id, at(0)), 300, "queued")
      const worker = (owner: string) =>
        Effect.gen(function*() {
          const got: Array<string> = []
          for (;;) {
            const batch = yield* queue.claim({ owner, batch: 7, now: at(1), expiresAt: at(600) })
            if (batch.length === 0) return got
            got.push(...ids(batch))
          }
        })
      const all = yield* Effect.all(Array.from({ length: 8 }, (_, i) => worker(`w${i}`)), { concurrency: "unbounded" })
      const flat = all.flat()
      yield* equal(flat.length, 300, "claims")
      yield* equal(new Set(flat).size, 300, "distinct questions")
    })
  }
]

const cacheCases: ReadonlyArray<Case> = [
  {
    name: "response cache: stores a response and reads it back equal; other keys miss",
    run: Effect.gen(function*() {
      const cache = yield* ResponseCache.ResponseCache
      const key = yield* ResponseCache.key(request, 0)
      yield* equal(yield* cache.get(key), Option.none(), "before")
      yield* cache.put(key, request, response("4"))
      yield* equal(yield* cache.get(key), Option.some(response("4")), "after")
      yield* equal(yield* cache.get(yield* ResponseCache.key(request, 1)), Option.none(), "another sample")
    })
  },
  {
    name: "response cache: keeps the first response stored under a key",
    run: Effect.gen(function*() {
      const cache = yield* ResponseCache.ResponseCache
      const key = yield* ResponseCache.key(request, 0)
      yield* cache.put(key, request, response("4"))
      yield* cache.put(key, request, response("four"))
      yield* equal(Option.map(yield* cache.get(key), (r) => r.content), Option.some("4"), "content")
    })
  },
  {
    name: "response cache: a caching client replays every sample of a re-run without a model call",
    run: Effect.gen(function*() {
      const cache = yield* ResponseCache.ResponseCache
      const scripted = ScriptedLlmClient.make((_, index) => `answer ${index}`)
      const ask = (caching: ResponseCache.CachingClient) =>
        Effect.forEach([request, request, { ...request, temperature: 0 }], (r) => caching.client.chat(r))
      const first = yield* ask(ResponseCache.make(scripted.client, cache))
      const rerun = ResponseCache.make(scripted.client, cache)
      const replayed = yield* ask(rerun)
      yield* equal(replayed, first.map((r) => ({ ...r, attempts: 0 })), "replayed")
      yield* equal(scripted.requests.length, 3, "model calls")
      yield* equal(rerun.stats(), { hits: 3, misses: 0, failures: 0 }, "stats")
    })
  }
]

/** Every case of the suite. */
/** The values the cases store (dates, questions, benchmarks, evaluations, results), for an adapter's own tests. */
export const fixtures = { at, questions, benchmark, agentConfig, evaluation, reason, result, anExperiment, request, response }

export const cases: ReadonlyArray<Case> = [
  ...benchmarkCases,
  ...evaluationCases,
  ...resultCases,
  ...experimentCases,
  ...queueCases,
  ...cacheCases
]

/**
 * Runs every case, each on a storage of its own from `fresh` (an effect that builds one, e.g.
 * `Layer.build(MyStorage.layer(...))`, scoped), and fails with every broken rule at once.
 */
export const verify = <E>(
  fresh: Effect.Effect<import("effect").Context.Context<Services>, E, import("effect").Scope.Scope>
): Effect.Effect<void, StorageConformanceFailure | E> =>
  Effect.gen(function*() {
    const failures: Array<string> = []
    for (const c of cases) {
      const outcome = yield* Effect.either(Effect.scoped(Effect.flatMap(fresh, (context) => Effect.provide(c.run, context))))
      if (outcome._tag === "Left") failures.push(`  - ${c.name}: ${show(outcome.left instanceof Error ? outcome.left.message : outcome.left)}`)
    }
    if (failures.length > 0) {
      return yield* new StorageConformanceFailure({ detail: `${failures.length} storage conformance rule(s) broken:\n${failures.join("\n")}` })
    }
  })
