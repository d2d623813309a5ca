/**
 * The application service that creates evaluations and runs them: it takes an evaluation from
 * pending (or failed/interrupted) to completed, asks the agent each question that has no result
 * yet, stores each result the moment it is done, and records a question's failure and goes on.
 * Account-level failures (a rejected key, no credits) stop the run and mark it failed; an
 * interruption marks it interrupted. Finished results are never lost either way.
 */
import { Chunk, Clock, Duration, Effect, FiberRef, LogLevel, Option, Queue, Schema, Stream } from "effect"
import * as Agent from "./Agent.js"
import { AgentConfig, ModelParameters } from "./AgentConfig.js"
import { AgentRegistry } from "./AgentRegistry.js"
import type { Question } from "./Benchmark.js"
import { BenchmarkRepository } from "./BenchmarkRepository.js"
import * as Evaluation from "./Evaluation.js"
import { EvaluationRepository } from "./EvaluationRepository.js"
import type { EvaluationResults } from "./EvaluationResults.js"
import * as FailureReason from "./FailureReason.js"
import * as AnswerKind from "./AnswerKind.js"
import * as Grading from "./Grading.js"
import * as Deadlines from "./internal/deadlines.js"
import * as GroupCommit from "./internal/groupCommit.js"
import * as Ids from "./Ids.js"
import { type ChatResponse, LlmClient, type LlmError } from "./LlmClient.js"
import { EvaluationQuestionResult, type ModelCall } from "./QuestionResult.js"
import * as ResponseCache from "./ResponseCache.js"
import { ResultRepository } from "./ResultRepository.js"
import * as Throttle from "./Throttle.js"
import * as Usage from "./Usage.js"

/** No evaluation has that id. */
export class EvaluationNotFound extends Schema.TaggedError<EvaluationNotFound>()("EvaluationNotFound", {
  evaluationId: Schema.String
}) {
  override get message() {
    return `no evaluation with id '${this.evaluationId}'`
  }
}

/** No benchmark has that name. */
export class BenchmarkNotFound extends Schema.TaggedError<BenchmarkNotFound>()("BenchmarkNotFound", {
  name: Schema.String
}) {
  override get message() {
    return `no benchmark named '${this.name}'`
  }
}

/** The run stopped because of a failure that concerns the whole account; the evaluation is marked failed. */
export class EvaluationFailed extends Schema.TaggedError<EvaluationFailed>()("EvaluationFailed", {
  evaluationId: Schema.String,
  reason: FailureReason.FailureReason
}) {
  override get message() {
    return this.reason.description
  }
}

/** Another live process holds the evaluation's lease: it is being run right now. */
export class EvaluationBusy extends Schema.TaggedError<EvaluationBusy>()("EvaluationBusy", {
  evaluationId: Schema.String,
  owner: Schema.String,
  expiresAt: Schema.Date
}) {
  override get message() {
    return `evaluation ${this.evaluationId} is being run by another process (${this.owner})`
  }
}

/** The run stopped because the evaluation's cost reached the budget; it is interrupted and resumable. */
export class BudgetReached extends Schema.TaggedError<BudgetReached>()("BudgetReached", {
  evaluationId: Schema.String,
  spentUsd: Schema.Number,
  budgetUsd: Schema.Number
}) {
  override get message() {
    return `the evaluation's cost reached $${this.spentUsd.toFixed(4)} of the $${this.budgetUsd} budget`
  }
}

/** Progress of a run, reported after each question. */
export interface Progress {
  /** Questions in the benchmark. */
  readonly total: number
  /** Questions with a result, including those done by earlier runs. */
  readonly done: number
  /** Questions that already had a result when this run started. */
  readonly resumed: number
  readonly correct: number
  readonly errors: number
  /** The result that was just stored. */
  readonly last: EvaluationQuestionResult
  /** Questions allowed in flight now, the configured concurrency, and whether rate limits lowered it. */
  readonly concurrency: Throttle.LimiterState
}

/** How to run an evaluation. */
export interface RunOptions {
  /** Questions in flight at once (default 1). */
  readonly concurrency?: number | undefined
  /** Time allowed for one question, all its model calls included (default: none). */
  readonly questionTimeout?: Duration.DurationInput | undefined
  /** Called after every stored result. */
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
  /**
   * Reuse model responses from this cache and store new ones (opt-in). Keyed on everything that
   * determines a reply plus the sample index within the question, so repeated sampling is kept.
   */
  readonly cache?: ResponseCache.ResponseCache.Service | undefined
  /**
   * Stop cleanly once the evaluation's reported cost (all its runs) reaches this many USD: no new
   * question starts, those in flight finish and are kept, and the evaluation is left interrupted.
   */
  readonly maxCostUsd?: number | undefined
  /** Also run again the questions whose stored result is a failure (reopening a completed evaluation). */
  readonly retryErrors?: boolean | undefined
  /** Who runs it (the lease owner); default a random id. The CLI uses `host:pid:nonce`. */
  readonly owner?: string | undefined
  /** How long the lease lasts without a heartbeat (default 30 s); heartbeats come every third of it. */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** Whether a lease owner is still alive; a dead owner's lease is taken over at once. Default: assume alive until it expires. */
  readonly isOwnerAlive?: ((owner: string) => boolean) | undefined
  /** Called once the evaluation is running, with the number of questions left to do. */
  readonly onStart?: ((info: { readonly total: number; readonly remaining: number }) => Effect.Effect<void>) | undefined
}

/** What `create` needs. */
export interface CreateOptions {
  readonly agentType: string
  readonly model: string
  readonly benchmarkName: string
  /** Overrides of the agent's sampling defaults. */
  readonly modelParameters?: Partial<ModelParameters> | undefined
  /** Agent parameters, validated against the agent's schema; defaults filled in. */
  readonly agentParameters?: Readonly<Record<string, unknown>> | undefined
  /** Grade with this answer kind instead of the benchmark's. */
  readonly answerKind?: AnswerKind.AnswerKind | undefined
  /** Configured defaults (e.g. from `COT_AGENT_DEFAULTS`), applied under the explicit options. */
  readonly defaults?: { readonly model: Record<string, unknown>; readonly agent: Record<string, unknown> } | undefined
}

/** What `rescore` may change; it runs under the evaluation's lease, as a run does. */
export interface RescoreOptions extends Pick<RunOptions, "owner" | "leaseTtl" | "isOwnerAlive"> {
  /**
   * Grade with this answer kind from now on (stored with the evaluation); null to go back to the
   * benchmark's. Unset keeps the evaluation's current choice.
   */
  readonly answerKind?: AnswerKind.AnswerKind | null | undefined
}

/** The outcome of a completed run. */
export interface RunOutcome {
  readonly evaluation: Evaluation.Evaluation
  readonly results: EvaluationResults
}

/** The time allowed for each question of a run (QUESTION_TIMEOUT), and how to say it. */
interface QuestionLimit {
  readonly deadlines: Deadlines.Limit
  readonly text: string
}

/**
 * How many regraded results `rescore` saves at once: one statement and one flush to the disk for
 * each batch instead of each row. Measured on 20,000 rows: 11 s one at a time, 2.1 s in batches of
 * 100, and 3.2 s with 30 MB more peak memory in batches of 500 (their statements are large).
 */
const RESCORE_BATCH = 100

/** The record of a call that succeeded (or was answered from the cache). */
const callOf = (reply: ChatResponse): ModelCall => ({
  model: reply.model,
  provider: reply.provider,
  generationId: reply.generationId,
  finishReason: reply.finishReason,
  promptTokens: reply.usage.promptTokens,
  completionTokens: reply.usage.completionTokens,
  reasoningTokens: reply.usage.reasoningTokens,
  costUsd: reply.attempts === 0 ? 0 : reply.costUsd,
  attempts: reply.attempts,
  error: null
})

/** The record of a call that failed after its retries. */
const failedCall = (model: string, error: LlmError): ModelCall => ({
  model,
  provider: null,
  generationId: null,
  finishReason: null,
  promptTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  costUsd: null,
  attempts: error.attempts ?? 1,
  error: error.category
})

/** What is wrong with an agent's output (a plugin's, say), or undefined when it is well formed. */
const malformed = (output: Agent.AgentOutput): string | undefined =>
  typeof output !== "object" || output === null
    ? "no output object"
    : output.answer !== null && typeof output.answer !== "string"
    ? `an answer that is not a string or null (${typeof output.answer})`
    : typeof output.rawOutput !== "string"
    ? `a rawOutput that is not a string (${typeof output.rawOutput})`
    : undefined

const stripUndefined = <A extends object>(a: A): A =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as A

/** The evaluation orchestrator. */
export class EvaluationOrchestrator extends Effect.Service<EvaluationOrchestrator>()(
  "@ml-agents/core/EvaluationOrchestrator",
  {
    effect: Effect.gen(function*() {
      const benchmarks = yield* BenchmarkRepository
      const evaluations = yield* EvaluationRepository
      const results = yield* ResultRepository
      const registry = yield* AgentRegistry
      const llm = yield* LlmClient

      const now = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)))

      const get = (id: string) =>
        evaluations.findById(id).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new EvaluationNotFound({ evaluationId: id })),
            onSome: Effect.succeed
          }))
        )

      const create = Effect.fn("EvaluationOrchestrator.create")(function*(options: CreateOptions) {
        const agent = yield* registry.get(options.agentType)
        const benchmark = yield* benchmarks.findByName(options.benchmarkName).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new BenchmarkNotFound({ name: options.benchmarkName })),
            onSome: Effect.succeed
          }))
        )
        const parameters = yield* Agent.decodeParameters(agent, {
          ...options.defaults?.agent,
          ...options.agentParameters
        })
        const modelParameters = yield* Schema.decodeUnknown(ModelParameters)({
          ...stripUndefined({ ...agent.modelDefaults }),
          ...stripUndefined(options.defaults?.model ?? {}),
          ...stripUndefined(options.modelParameters ?? {})
        }).pipe(
          Effect.mapError((error) => {
            const issues = Agent.parameterIssues(error)
            return new Agent.InvalidAgentParameters({
              agentId: agent.id,
              message: `invalid model parameters: ${issues.map((i) => `${i.parameter}: ${i.problem}`).join("; ")}`,
              issues,
              kind: "model"
            })
          })
        )
        const problem = agent.validate?.({ modelParameters, parameters })
        if (problem !== undefined) {
          return yield* new Agent.InvalidAgentParameters({ agentId: agent.id, message: problem })
        }
        const evaluation = Evaluation.create({
          id: yield* Ids.make("eval"),
          agentConfig: new AgentConfig({
            agentType: agent.id,
            modelProvider: "openrouter",
            modelName: options.model,
            modelParameters,
            agentParameters: { ...(parameters as Record<string, unknown>) }
          }),
          benchmarkId: benchmark.id,
          benchmarkName: benchmark.name,
          now: yield* now,
          answerKind: options.answerKind ?? null
        })
        yield* evaluations.create(evaluation)
        return { evaluation, benchmark, maxCallsPerQuestion: Math.max(1, agent.maxCalls?.(parameters) ?? 1) }
      })

      const solveOne = (
        evaluation: Evaluation.Evaluation,
        agent: Agent.Agent<any>,
        parameters: unknown,
        question: Question,
        limit: QuestionLimit | undefined,
        cache: ResponseCache.ResponseCache.Service | undefined,
        kind: AnswerKind.AnswerKind
      ) =>
        Effect.gen(function*() {
          let calls = 0
          let retries = 0
          let cachedCalls = 0
          let usage = Usage.empty
          let cost: number | null = null
          const log: Array<ModelCall> = []
          // One caching client per question: sample indices restart with each question.
          const base = cache === undefined ? llm : ResponseCache.make(llm, cache).client
          const metered: LlmClient.Service = {
            ...base,
            chat: (request) =>
              base.chat(request).pipe(
                Effect.map((reply) => {
                  calls++
                  usage = Usage.add(usage, reply.usage)
                  log.push(callOf(reply))
                  if (reply.attempts === 0) {
                    // Answered from the cache: its tokens describe the answer, but nothing was spent.
                    cachedCalls++
                    cost = cost ?? 0
                  } else {
                    retries += reply.attempts - 1
                    if (reply.costUsd !== null) cost = (cost ?? 0) + reply.costUsd
                  }
                  return reply
                }),
                Effect.tapError((error) =>
                  Effect.sync(() => {
                    retries += Math.max(0, (error.attempts ?? 1) - 1)
                    log.push(failedCall(request.model, error))
                  })
                )
              )
          }
          const clock = yield* Effect.clock
          const started = clock.unsafeCurrentTimeMillis()
          const solved = agent.solve({
            question,
            model: evaluation.agentConfig.modelName,
            modelParameters: evaluation.agentConfig.modelParameters,
            parameters
          }).pipe(Effect.provideService(LlmClient, metered))
          // The agent's work is the part of a question that can be interrupted (see processOne).
          const timed = limit === undefined ? Effect.interruptible(solved) : limit.deadlines.within(solved, () =>
            new Agent.AgentError({
              category: "network_timeout",
              message: `the question took longer than the ${limit.text} allowed (QUESTION_TIMEOUT)`
            }))
          const outcome = yield* timed.pipe(
            Effect.flatMap((output) => {
              const problem = malformed(output)
              return problem === undefined
                ? Effect.succeed({ _tag: "Solved" as const, output })
                : Effect.fail(new Agent.AgentError({ category: "unknown", message: `agent '${agent.id}' returned ${problem}` }))
            }),
            Effect.catchTags({
              AgentError: (error) => Effect.succeed({ _tag: "Failed" as const, reason: error.toFailureReason() }),
              LlmError: (error: LlmError) =>
                FailureReason.isAccountLevel(error.category)
                  ? Effect.fail(error)
                  : Effect.succeed({ _tag: "Failed" as const, reason: error.toFailureReason() })
            }),
            Effect.catchAllDefect((defect) =>
              Effect.succeed({
                _tag: "Failed" as const,
                reason: FailureReason.make({
                  category: "unknown",
                  description: `agent '${agent.id}' crashed: ${defect instanceof Error ? defect.message : String(defect)}`,
                  technicalDetails: defect instanceof Error && defect.stack !== undefined ? defect.stack : "",
                  recoverable: false
                })
              })
            )
          )
          const finished = clock.unsafeCurrentTimeMillis()
          const answer = outcome._tag === "Solved" ? outcome.output.answer : null
          const grade = outcome._tag === "Solved"
            ? Grading.gradeAnswer(kind, question, answer, outcome.output.rawOutput)
            : null
          // Every field is checked above or made here: no need to validate them all again.
          return new EvaluationQuestionResult({
            evaluationId: evaluation.id,
            questionId: question.id,
            questionText: question.text,
            expectedAnswer: question.expectedAnswer,
            extractedAnswer: answer,
            rawOutput: outcome._tag === "Solved" ? outcome.output.rawOutput : null,
            isCorrect: grade?.outcome === "correct",
            executionTimeMs: finished - started,
            reasoningTrace: outcome._tag === "Solved" ? outcome.output.trace : null,
            error: outcome._tag === "Failed" ? outcome.reason : null,
            usage,
            costUsd: cost,
            llmCalls: calls,
            retries,
            cachedCalls,
            calls: log,
            outcome: grade?.outcome ?? null,
            grader: grade?.grader ?? null,
            graderVersion: grade?.version ?? null,
            processedAt: new Date(finished)
          }, true)
        })

      /**
       * Takes the evaluation's lease (or fails with EvaluationBusy), keeps it alive with a
       * heartbeat while `body` runs, and gives it up afterwards, however `body` ends. A lease
       * whose owner died (SIGKILL, power loss) expires, or is taken over at once when the caller
       * can tell the owner is dead.
       */
      const withLease = <A, E, R>(evaluationId: string, options: RunOptions, body: Effect.Effect<A, E, R>) =>
        Effect.gen(function*() {
          const owner = options.owner ?? (yield* Ids.make("run", 12))
          const ttl = Duration.toMillis(options.leaseTtl ?? Duration.seconds(30))
          const claim = (replacing?: string) =>
            now.pipe(Effect.flatMap((at) =>
              evaluations.claim(evaluationId, { owner, now: at, expiresAt: new Date(at.getTime() + ttl), replacing })
            ))
          if (!(yield* claim())) {
            const lease = yield* evaluations.lease(evaluationId)
            const holder = Option.getOrUndefined(lease)
            const dead = holder !== undefined && options.isOwnerAlive !== undefined && !options.isOwnerAlive(holder.owner)
            if (!dead || !(yield* claim(holder.owner))) {
              return yield* new EvaluationBusy({
                evaluationId,
                owner: holder?.owner ?? "unknown",
                expiresAt: holder?.expiresAt ?? new Date(0)
              })
            }
            yield* Effect.logWarning("took over the lease of a dead run").pipe(
              Effect.annotateLogs({ evaluationId, previousOwner: holder.owner })
            )
          }
          const heartbeat = claim().pipe(
            Effect.flatMap((kept) => kept ? Effect.void : Effect.logError("lost the evaluation's lease")),
            Effect.catchAll((error) => Effect.logWarning("lease heartbeat failed", error)),
            Effect.delay(Duration.millis(Math.max(10, ttl / 3))),
            Effect.forever
          )
          return yield* Effect.scoped(
            Effect.forkScoped(heartbeat).pipe(Effect.zipRight(body))
          ).pipe(Effect.ensuring(evaluations.release(evaluationId, owner).pipe(Effect.ignoreLogged)))
        })

      const run = Effect.fn("EvaluationOrchestrator.run")(function*(evaluationId: string, options: RunOptions = {}) {
        yield* get(evaluationId)
        return yield* withLease(evaluationId, options, runLeased(evaluationId, options))
      })

      /**
       * An evaluation's benchmark and the answer kind its answers are graded as: the evaluation's
       * own, else the one recorded at import, else (for a benchmark imported before kinds were
       * recorded) detected from the expected answers, read as a stream.
       */
      const gradingOf = (evaluation: Evaluation.Evaluation) =>
        Effect.gen(function*() {
          const benchmark = yield* benchmarks.findById(evaluation.benchmarkId).pipe(
            Effect.flatMap(Option.match({
              onNone: () => Effect.fail(new BenchmarkNotFound({ name: evaluation.benchmarkName })),
              onSome: Effect.succeed
            }))
          )
          const kind = Grading.recordedKind(benchmark.metadata, evaluation.answerKind) ?? AnswerKind.detect(
            Chunk.toReadonlyArray(
              yield* Stream.runCollect(benchmarks.streamQuestions(benchmark.id).pipe(Stream.map((q) => q.expectedAnswer)))
            )
          )
          return { benchmark, kind }
        })

      const runLeased = (evaluationId: string, options: RunOptions) => Effect.gen(function*() {
        const pending = yield* get(evaluationId)
        const agent = yield* registry.get(pending.agentConfig.agentType)
        const parameters = yield* Agent.decodeParameters(agent, pending.agentConfig.agentParameters)
        const { benchmark, kind } = yield* gradingOf(pending)
        const answered = yield* results.answeredQuestionIds(evaluationId)
        const retried = options.retryErrors ? yield* results.failedQuestionIds(evaluationId) : new Set<string>()
        const isTodo = (q: Question) => !answered.has(q.id) || retried.has(q.id)
        // Every stored result is of a question of this benchmark (the database refuses others).
        const total = benchmark.questionCount
        const remaining = total - answered.size + retried.size

        // Holding the lease while the status says "running" means the previous run died: resume it.
        const running = pending.status === "running"
          ? pending
          : options.retryErrors
          ? yield* Evaluation.reopen(pending, yield* now)
          : yield* Evaluation.start(pending, yield* now)
        yield* evaluations.update(running)
        yield* Effect.logInfo("evaluation started").pipe(
          Effect.annotateLogs({
            evaluationId,
            agent: agent.id,
            model: running.agentConfig.modelName,
            benchmark: running.benchmarkName,
            questions: total,
            remaining
          })
        )

        const before = yield* results.summarize(evaluationId)
        // Failed questions being retried are counted again when their new result comes in.
        let done = before.processed - retried.size
        let correct = before.correct
        let errors = before.errors - retried.size
        let spent = before.costUsd
        const overBudget = () => options.maxCostUsd !== undefined && spent >= options.maxCostUsd
        yield* options.onStart?.({ total, remaining }) ?? Effect.void

        const concurrency = Math.max(1, options.concurrency ?? 1)
        // The run's log level, read once: whether each question's debug line is wanted.
        const debugLogged = LogLevel.lessThanEqual(yield* FiberRef.get(FiberRef.currentMinimumLogLevel), LogLevel.Debug)
        const limiter = yield* Throttle.makeLimiter(concurrency)
        const questionTimeout = options.questionTimeout
        const limit: QuestionLimit | undefined = questionTimeout === undefined ? undefined : {
          deadlines: yield* Deadlines.make(Duration.toMillis(questionTimeout)),
          text: Duration.format(questionTimeout)
        }
        const stored = (batch: ReadonlyArray<EvaluationQuestionResult>) =>
          Effect.forEach(batch, (result) => {
            done++
            if (result.isCorrect) correct++
            if (result.error !== null) errors++
            const onProgress = options.onProgress
            return onProgress === undefined ? Effect.void : limiter.state.pipe(
              Effect.flatMap((state) =>
                onProgress({
                  total,
                  done,
                  resumed: answered.size - retried.size,
                  correct,
                  errors,
                  last: result,
                  concurrency: state
                })
              )
            )
          }, { discard: true })
        // Once it has its place, a question is seen through uninterruptibly but for the agent's work
        // (and a wait for room at the writer): a question stopped by its time limit leaves its
        // worker's fiber interrupted (see internal/deadlines.ts), and is still recorded as timed out
        // before that fiber ends.
        const processOne = (question: Question, submit: (result: EvaluationQuestionResult) => Effect.Effect<void>) =>
          limiter.withPlace(Effect.uninterruptible(
            Effect.suspend((): Effect.Effect<EvaluationQuestionResult, BudgetReached | LlmError> =>
              overBudget()
                ? Effect.fail(new BudgetReached({ evaluationId, spentUsd: spent, budgetUsd: options.maxCostUsd! }))
                : solveOne(running, agent, parameters, question, limit, options.cache, kind)
            ).pipe(
              Effect.flatMap((result) => {
                // Counted as spent at once (the budget covers answers on their way to the disk);
                // counted as done once stored.
                spent += result.costUsd ?? 0
                const handedIn = submit(result)
                if (result.error !== null) {
                  return handedIn.pipe(Effect.zipRight(
                    Effect.logWarning("question failed").pipe(
                      Effect.annotateLogs({
                        questionId: result.questionId,
                        category: result.error.category,
                        reason: result.error.description
                      })
                    )
                  ))
                }
                // Annotating a log costs even when its level is off; this one is for every question.
                return !debugLogged ? handedIn : handedIn.pipe(Effect.zipRight(
                  Effect.logDebug("question done").pipe(
                    Effect.annotateLogs({
                      questionId: result.questionId,
                      correct: result.isCorrect,
                      ms: result.executionTimeMs,
                      calls: result.llmCalls
                    })
                  )
                ))
              })
            )
          ))
        // The questions to do are streamed from storage into a small queue, and a pool of
        // `concurrency` workers takes them until a worker finds the end (null); the limiter lowers
        // how many are in flight under 429s. So the run holds a few chunks of questions, not the
        // benchmark. (Not Effect.forEach over the questions either: it keeps every item's exit, and
        // so every result, until the end.) A worker hands each result to the writer and goes on
        // to its next question while the result is committed: batches of up to 16 (larger ones,
        // of 100, saved no time and raised the peak memory of a 50,000-question run from about 245
        // to 260-320 MB, measured), and at most max(16, concurrency) results waiting.
        const workers = Math.max(1, Math.min(concurrency, remaining))
        const queue = yield* Queue.bounded<Question | null>(Math.max(64, 2 * concurrency))
        const producer = Stream.runForEach(
          benchmarks.streamQuestions(benchmark.id).pipe(Stream.filter(isTodo)),
          (question) => Queue.offer(queue, question)
        ).pipe(Effect.zipRight(Queue.offerAll(queue, Array.from({ length: workers }, () => null))))
        // Under a time limit each worker runs in a fiber of its own, replaced when a question's
        // time limit stopped it.
        const worker = (submit: (result: EvaluationQuestionResult) => Effect.Effect<void>) => {
          const work = Effect.gen(function*() {
            for (let question = yield* Queue.take(queue); question !== null; question = yield* Queue.take(queue)) {
              yield* processOne(question, submit)
            }
          })
          return limit === undefined ? work : limit.deadlines.respawning(work)
        }
        const processAll = GroupCommit.run(
          { writeAll: results.saveAll, written: stored, maxBatch: 16, capacity: Math.max(16, concurrency) },
          (submit) =>
            Effect.all([producer, ...Array.from({ length: workers }, () => worker(submit))], {
              concurrency: "unbounded",
              discard: true
            })
        ).pipe(Effect.provideService(Throttle.Throttle, limiter.throttle))

        yield* processAll.pipe(
          Effect.onInterrupt(() =>
            now.pipe(
              Effect.flatMap((at) => Evaluation.interrupt(running, at)),
              Effect.flatMap(evaluations.update),
              Effect.ignoreLogged
            )
          ),
          Effect.catchTag("LlmError", (error) =>
            Effect.gen(function*() {
              const reason = error.toFailureReason()
              const failed = yield* Evaluation.fail(running, reason, yield* now)
              yield* evaluations.update(failed)
              yield* Effect.logError("evaluation stopped").pipe(
                Effect.annotateLogs({ evaluationId, category: reason.category, reason: reason.description })
              )
              return yield* new EvaluationFailed({ evaluationId, reason })
            })
          ),
          Effect.catchTag("BudgetReached", (error) =>
            Effect.gen(function*() {
              const stopped = yield* Evaluation.interrupt(running, yield* now)
              yield* evaluations.update(stopped)
              yield* Effect.logWarning("evaluation stopped at its budget").pipe(
                Effect.annotateLogs({ evaluationId, spentUsd: error.spentUsd, budgetUsd: error.budgetUsd })
              )
              return yield* new BudgetReached({ ...error, spentUsd: spent })
            })
          ),
          Effect.catchTag("StorageError", (error) =>
            Effect.gen(function*() {
              const reason = FailureReason.make({
                category: "unknown",
                description: `storage failed: ${error.message}`,
                recoverable: true
              })
              const failed = yield* Evaluation.fail(running, reason, yield* now)
              yield* evaluations.update(failed).pipe(Effect.ignoreLogged)
              return yield* error
            })
          )
        )

        const completed = yield* Evaluation.complete(running, yield* now)
        yield* evaluations.update(completed)
        const summary = yield* results.summarize(evaluationId)
        yield* Effect.logInfo("evaluation completed").pipe(
          Effect.annotateLogs({ evaluationId, accuracy: summary.accuracy, errors: summary.errors, costUsd: summary.costUsd })
        )
        return { evaluation: completed, results: summary } satisfies RunOutcome
      })

      /**
       * Grades the stored answers of an evaluation again with the current graders, without any
       * model call; failed questions stay failed. Returns how many grades changed.
       */
      const rescore = Effect.fn("EvaluationOrchestrator.rescore")(function*(
        evaluationId: string,
        options: RescoreOptions = {}
      ) {
        yield* get(evaluationId)
        // Under the run lease: a run going on at the same time would grade with the old kind and
        // write its copy of the evaluation back over the new one.
        return yield* withLease(evaluationId, options, regrade(evaluationId, options))
      })

      const regrade = (evaluationId: string, options: RescoreOptions) => Effect.gen(function*() {
        const stored = yield* get(evaluationId)
        const evaluation = options.answerKind === undefined
          ? stored
          : new Evaluation.Evaluation({ ...stored, answerKind: options.answerKind })
        const { kind } = yield* gradingOf(evaluation)
        const before = yield* results.summarize(evaluationId)
        let changed = 0
        // The regraded rows are saved RESCORE_BATCH at a time, one statement and one flush each.
        yield* results.stream(evaluationId).pipe(
          Stream.filterMap((row) => {
            if (row.error !== null) return Option.none()
            const grade = Grading.gradeAnswer(kind, { text: row.questionText, expectedAnswer: row.expectedAnswer }, row.extractedAnswer, row.rawOutput)
            const isCorrect = grade.outcome === "correct"
            const same = isCorrect === row.isCorrect && grade.outcome === row.outcome
            if (same && grade.version === row.graderVersion && grade.grader === row.grader) return Option.none()
            if (!same) changed++
            return Option.some(new EvaluationQuestionResult({
              ...row,
              isCorrect,
              outcome: grade.outcome,
              grader: grade.grader,
              graderVersion: grade.version
            }))
          }),
          Stream.grouped(RESCORE_BATCH),
          Stream.runForEach((batch) => results.saveAll(Chunk.toReadonlyArray(batch)))
        )
        // Stored once every answer is graded with it, so that the setting names what graded them.
        if (evaluation !== stored) yield* evaluations.update(evaluation)
        return { kind, changed, before, after: yield* results.summarize(evaluationId) }
      })

      return { create, run, get, rescore } as const
    })
  }
) {}
