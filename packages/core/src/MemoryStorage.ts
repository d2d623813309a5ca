/**
 * In-memory repositories, for tests of agents and of the orchestrator. Same contracts as the
 * SQL adapters (the storage conformance suite holds them to it), nothing persisted.
 */
import { Effect, Layer, Option, Stream } from "effect"
import type { PreprocessedBenchmark, Question } from "./Benchmark.js"
import { BenchmarkAlreadyExists, BenchmarkRepository } from "./BenchmarkRepository.js"
import type { Evaluation } from "./Evaluation.js"
import { EvaluationRepository, type Lease } from "./EvaluationRepository.js"
import type { Experiment } from "./Experiment.js"
import { ExperimentRepository } from "./ExperimentRepository.js"
import * as EvaluationResults from "./EvaluationResults.js"
import type { EvaluationQuestionResult } from "./QuestionResult.js"
import { ResultRepository } from "./ResultRepository.js"
import { StorageError } from "./StorageError.js"
import { type WorkItem, WorkQueue } from "./WorkQueue.js"

const refuse = (operation: string, message: string) => Effect.fail(new StorageError({ operation, message }))

const firstDuplicate = (ids: ReadonlyArray<string>): string | undefined => {
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) return id
    seen.add(id)
  }
  return undefined
}

/** The repositories, in memory. */
export const layer: Layer.Layer<
  BenchmarkRepository | EvaluationRepository | ResultRepository | ExperimentRepository | WorkQueue
> = Layer.suspend(() => {
  const benchmarks = new Map<string, { benchmark: PreprocessedBenchmark; questions: ReadonlyArray<Question> }>()
  const evaluations = new Map<string, Evaluation>()
  const results = new Map<string, Map<string, EvaluationQuestionResult>>()
  const leases = new Map<string, Lease>()
  const experiments = new Map<string, Experiment>()
  // Queued questions by evaluation id, then question id.
  const queue = new Map<string, Map<string, { ordinal: number; owner: string | null; expiresAt: number; attempts: number }>>()
  const claimable = (item: { owner: string | null; expiresAt: number }, now: number) => item.owner === null || item.expiresAt < now
  const order = (evaluationId: string) => {
    const evaluation = evaluations.get(evaluationId)
    const questions = evaluation ? benchmarks.get(evaluation.benchmarkId)?.questions ?? [] : []
    return new Map(questions.map((q, i) => [q.id, i] as const))
  }
  const store = (result: EvaluationQuestionResult) => {
    let rows = results.get(result.evaluationId)
    if (rows === undefined) results.set(result.evaluationId, rows = new Map())
    rows.set(result.questionId, result)
  }
  // All or nothing, as in a transaction: every result is checked before any is stored.
  const checkAll = (all: ReadonlyArray<EvaluationQuestionResult>, operation: string) => {
    const ordinals = new Map<string, ReadonlyMap<string, number>>()
    for (const result of all) {
      if (!ordinals.has(result.evaluationId)) ordinals.set(result.evaluationId, order(result.evaluationId))
      if (!evaluations.has(result.evaluationId)) return refuse(operation, `evaluation '${result.evaluationId}' is not stored`)
      if (!ordinals.get(result.evaluationId)!.has(result.questionId)) {
        return refuse(
          operation,
          `question '${result.questionId}' is not in the benchmark of evaluation '${result.evaluationId}'`
        )
      }
    }
    all.forEach(store)
    return Effect.void
  }
  const sorted = (evaluationId: string) => {
    const ordinals = order(evaluationId)
    return [...(results.get(evaluationId)?.values() ?? [])].sort(
      (a, b) => (ordinals.get(a.questionId) ?? 0) - (ordinals.get(b.questionId) ?? 0)
    )
  }
  return Layer.mergeAll(
    Layer.succeed(WorkQueue, {
      enqueue: (evaluationId) =>
        Effect.suspend(() => {
          const evaluation = evaluations.get(evaluationId)
          if (evaluation === undefined) return refuse("WorkQueue.enqueue", `evaluation '${evaluationId}' is not stored`)
          const answered = results.get(evaluationId)
          let items = queue.get(evaluationId)
          if (items === undefined) queue.set(evaluationId, items = new Map())
          let added = 0
          ;(benchmarks.get(evaluation.benchmarkId)?.questions ?? []).forEach((q, ordinal) => {
            if (answered?.has(q.id) || items.has(q.id)) return
            items.set(q.id, { ordinal, owner: null, expiresAt: 0, attempts: 0 })
            added++
          })
          return Effect.succeed(added)
        }),
      claim: (request) =>
        Effect.sync(() => {
          const now = request.now.getTime()
          const ids = request.evaluationId === undefined ? [...queue.keys()].sort() : [request.evaluationId]
          const claimed: Array<WorkItem> = []
          for (const evaluationId of ids) {
            const items = [...(queue.get(evaluationId)?.entries() ?? [])].sort(([, a], [, b]) => a.ordinal - b.ordinal)
            for (const [questionId, item] of items) {
              if (claimed.length >= request.batch) return claimed
              if (!claimable(item, now)) continue
              item.owner = request.owner
              item.expiresAt = request.expiresAt.getTime()
              item.attempts++
              claimed.push({ evaluationId, questionId, attempts: item.attempts })
            }
          }
          return claimed
        }),
      heartbeat: (owner, expiresAt) =>
        Effect.sync(() => {
          let held = 0
          for (const items of queue.values()) {
            for (const item of items.values()) {
              if (item.owner === owner) {
                item.expiresAt = expiresAt.getTime()
                held++
              }
            }
          }
          return held
        }),
      complete: (done) =>
        Effect.zipRight(
          Effect.suspend(() => checkAll(done, "WorkQueue.complete")),
          Effect.sync(() => done.forEach((r) => queue.get(r.evaluationId)?.delete(r.questionId)))
        ),
      release: (owner) =>
        Effect.sync(() => {
          let released = 0
          for (const items of queue.values()) {
            for (const item of items.values()) {
              if (item.owner === owner) {
                item.owner = null
                item.expiresAt = 0
                released++
              }
            }
          }
          return released
        }),
      cancel: (evaluationId) =>
        Effect.sync(() => {
          const removed = queue.get(evaluationId)?.size ?? 0
          queue.delete(evaluationId)
          return removed
        }),
      progress: (evaluationId, now) =>
        Effect.sync(() => {
          let waiting = 0
          const holders = new Map<string, { items: number; expiresAt: number }>()
          for (const item of queue.get(evaluationId)?.values() ?? []) {
            if (claimable(item, now.getTime())) {
              waiting++
              continue
            }
            const holder = holders.get(item.owner!) ?? { items: 0, expiresAt: item.expiresAt }
            holder.items++
            holder.expiresAt = Math.min(holder.expiresAt, item.expiresAt)
            holders.set(item.owner!, holder)
          }
          return {
            waiting,
            claimed: [...holders.values()].reduce((sum, h) => sum + h.items, 0),
            holders: [...holders.entries()]
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([owner, h]) => ({ owner, items: h.items, expiresAt: new Date(h.expiresAt) }))
          }
        })
    }),
    Layer.succeed(ExperimentRepository, {
      // All or nothing, as in a transaction: everything is checked before anything is stored.
      create: (experiment, cells) =>
        Effect.suspend(() => {
          const operation = "ExperimentRepository.create"
          if (experiments.has(experiment.id)) return refuse(operation, `an experiment with id '${experiment.id}' is already stored`)
          for (const evaluation of cells) {
            if (evaluations.has(evaluation.id)) return refuse(operation, `an evaluation with id '${evaluation.id}' is already stored`)
            if (!benchmarks.has(evaluation.benchmarkId)) return refuse(operation, `benchmark '${evaluation.benchmarkName}' is not stored`)
          }
          for (const sample of experiment.samples) {
            const ids = new Set(benchmarks.get(sample.benchmarkId)?.questions.map((q) => q.id) ?? [])
            const missing = sample.questionIds.find((id) => !ids.has(id))
            if (missing !== undefined) {
              return refuse(operation, `the sample of '${sample.benchmarkName}' names question '${missing}', which it does not have`)
            }
          }
          for (const evaluation of cells) evaluations.set(evaluation.id, evaluation)
          experiments.set(experiment.id, experiment)
          return Effect.void
        }),
      findById: (id) => Effect.sync(() => Option.fromNullable(experiments.get(id))),
      findByEvaluation: (evaluationId) =>
        Effect.sync(() =>
          Option.fromNullable([...experiments.values()].find((e) => e.cells.some((c) => c.evaluationId === evaluationId)))
        ),
      list: (options = {}) =>
        Effect.sync(() =>
          [...experiments.values()]
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, options.limit ?? Number.MAX_SAFE_INTEGER)
        )
    }),
    Layer.succeed(BenchmarkRepository, {
      create: (benchmark, questions) =>
        Effect.suspend((): Effect.Effect<void, BenchmarkAlreadyExists | StorageError> => {
          if ([...benchmarks.values()].some((b) => b.benchmark.name === benchmark.name)) {
            return Effect.fail(new BenchmarkAlreadyExists({ name: benchmark.name }))
          }
          if (benchmarks.has(benchmark.id)) {
            return refuse("BenchmarkRepository.create", `a benchmark with id '${benchmark.id}' is already stored`)
          }
          const duplicate = firstDuplicate(questions.map((q) => q.id))
          if (duplicate !== undefined) {
            return refuse(
              "BenchmarkRepository.create",
              `benchmark '${benchmark.name}' has two questions with the id '${duplicate}'; nothing was stored`
            )
          }
          benchmarks.set(benchmark.id, { benchmark, questions: [...questions] })
          return Effect.void
        }),
      findByName: (name) =>
        Effect.sync(() =>
          Option.fromNullable([...benchmarks.values()].find((b) => b.benchmark.name === name)?.benchmark)
        ),
      findById: (id) => Effect.sync(() => Option.fromNullable(benchmarks.get(id)?.benchmark)),
      list: Effect.sync(() =>
        [...benchmarks.values()].map((b) => b.benchmark).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      ),
      questions: (id) => Effect.sync(() => benchmarks.get(id)?.questions ?? []),
      streamQuestions: (id) => Stream.suspend(() => Stream.fromIterable(benchmarks.get(id)?.questions ?? []))
    }),
    Layer.succeed(EvaluationRepository, {
      create: (evaluation) =>
        Effect.suspend(() => {
          if (evaluations.has(evaluation.id)) {
            return refuse("EvaluationRepository.create", `an evaluation with id '${evaluation.id}' is already stored`)
          }
          if (!benchmarks.has(evaluation.benchmarkId)) {
            return refuse(
              "EvaluationRepository.create",
              `benchmark '${evaluation.benchmarkName}' (id '${evaluation.benchmarkId}') is not stored`
            )
          }
          evaluations.set(evaluation.id, evaluation)
          return Effect.void
        }),
      update: (evaluation) =>
        Effect.suspend(() => {
          if (!evaluations.has(evaluation.id)) {
            return refuse("EvaluationRepository.update", `no evaluation with id '${evaluation.id}' is stored`)
          }
          evaluations.set(evaluation.id, evaluation)
          return Effect.void
        }),
      findById: (id) => Effect.sync(() => Option.fromNullable(evaluations.get(id))),
      list: (options = {}) =>
        Effect.sync(() =>
          [...evaluations.values()]
            .filter((e) => options.status === undefined || e.status === options.status)
            .filter((e) => options.benchmarkName === undefined || e.benchmarkName === options.benchmarkName)
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, options.limit ?? Number.MAX_SAFE_INTEGER)
        ),
      lease: (id) => Effect.sync(() => Option.fromNullable(leases.get(id))),
      claim: (id, request) =>
        Effect.sync(() => {
          const held = leases.get(id)
          const free = held === undefined || held.owner === request.owner || held.owner === request.replacing ||
            held.expiresAt.getTime() < request.now.getTime()
          if (free) leases.set(id, { owner: request.owner, expiresAt: request.expiresAt })
          return free
        }),
      release: (id, owner) =>
        Effect.sync(() => {
          if (leases.get(id)?.owner === owner) leases.delete(id)
        })
    }),
    Layer.succeed(ResultRepository, {
      save: (result) => Effect.suspend(() => checkAll([result], "ResultRepository.save")),
      saveAll: (all) => Effect.suspend(() => checkAll(all, "ResultRepository.saveAll")),
      list: (evaluationId, page) =>
        Effect.sync(() => {
          const rows = sorted(evaluationId)
          return page === undefined ? rows : rows.slice(page.offset, page.offset + page.limit)
        }),
      stream: (evaluationId) => Stream.suspend(() => Stream.fromIterable(sorted(evaluationId))),
      find: (evaluationId, questionId) => Effect.sync(() => Option.fromNullable(results.get(evaluationId)?.get(questionId))),
      answeredQuestionIds: (evaluationId) => Effect.sync(() => new Set(results.get(evaluationId)?.keys() ?? [])),
      breakdown: (evaluationId, key) =>
        Effect.sync(() => {
          const evaluation = evaluations.get(evaluationId)
          const questions = new Map((evaluation ? benchmarks.get(evaluation.benchmarkId)?.questions ?? [] : []).map((q) => [q.id, q] as const))
          const groups = new Map<string | null, { processed: number; correct: number }>()
          for (const r of results.get(evaluationId)?.values() ?? []) {
            const value = questions.get(r.questionId)?.metadata[key] ?? null
            const g = groups.get(value) ?? { processed: 0, correct: 0 }
            g.processed++
            if (r.isCorrect && r.error === null) g.correct++
            groups.set(value, g)
          }
          return [...groups.entries()]
            .sort(([a], [b]) => (a ?? "").localeCompare(b ?? ""))
            .map(([value, g]) => ({ value, ...g }))
        }),
      failedQuestionIds: (evaluationId) =>
        Effect.sync(() =>
          new Set([...(results.get(evaluationId)?.values() ?? [])].filter((r) => r.error !== null).map((r) => r.questionId))
        ),
      providers: (evaluationId) =>
        Effect.sync(() => {
          const shares = new Map<string | null, { calls: number; costUsd: number | null }>()
          for (const r of results.get(evaluationId)?.values() ?? []) {
            for (const c of r.calls) {
              if (c.error !== null || c.attempts === 0) continue
              const share = shares.get(c.provider) ?? { calls: 0, costUsd: null }
              share.calls++
              if (c.costUsd !== null) share.costUsd = (share.costUsd ?? 0) + c.costUsd
              shares.set(c.provider, share)
            }
          }
          return [...shares.entries()]
            .map(([provider, share]) => ({ provider, ...share }))
            .sort((a, b) => b.calls - a.calls || (a.provider ?? "").localeCompare(b.provider ?? ""))
        }),
      summarize: (evaluationId) => Effect.sync(() => EvaluationResults.fromRows(results.get(evaluationId)?.values() ?? []))
    })
  )
})
