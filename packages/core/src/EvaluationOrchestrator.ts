/**
 * The application service that creates evaluations and runs them: it takes an evaluation from
 * pending (or failed/interrupted) to completed, asks the agent each question that has no result
 * yet, stores each result the moment it is done, and records a question's failure and goes on.
 * Account-level failures (a rejected key, no credits) stop the run and mark it failed; an
 * interruption marks it interrupted. Finished results are never lost either way. The same run loop
 * runs a grid of evaluations (an experiment's cells) as one run, `runGrid`: one evaluation is a
 * grid of one cell.
 */
import { Chunk, Clock, Duration, Effect, FiberRef, LogLevel, Option, Queue, Schema, Stream } from "effect"
import * as Agent from "./Agent.js"
import * as Answer from "./Answer.js"
import { AgentConfig, ModelParameters } from "./AgentConfig.js"
import { AgentRegistry } from "./AgentRegistry.js"
import type { Question } from "./Benchmark.js"
import { BenchmarkRepository } from "./BenchmarkRepository.js"
import * as Evaluation from "./Evaluation.js"
import { EvaluationRepository } from "./EvaluationRepository.js"
import * as Experiment from "./Experiment.js"
import { ExperimentRepository } from "./ExperimentRepository.js"
import type { EvaluationResults } from "./EvaluationResults.js"
import * as FailureReason from "./FailureReason.js"
import type * as AnswerKind from "./AnswerKind.js"
import type { Grade, GradedQuestion, Grader, Outcome } from "./Grader.js"
import { GraderRegistry } from "./GraderRegistry.js"
import * as Grading from "./Grading.js"
import * as Deadlines from "./internal/deadlines.js"
import * as ReplyFailure from "./internal/replyFailure.js"
import * as GroupCommit from "./internal/groupCommit.js"
import * as Ids from "./Ids.js"
import { type ChatResponse, LlmClient, type LlmError } from "./LlmClient.js"
import { EvaluationQuestionResult, type ModelCall, type SampleGrade } from "./QuestionResult.js"
import * as ResponseCache from "./ResponseCache.js"
import { ResultRepository } from "./ResultRepository.js"
import type { StorageError } from "./StorageError.js"
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

/** Progress of a run, reported after each question: the figures of the cell (evaluation) it belongs to. */
export interface Progress {
  /** The cell's position in the run (0 for a run of one evaluation). */
  readonly cell: number
  readonly evaluationId: string
  /** Questions the evaluation asks: its benchmark's, or its experiment's sample of them. */
  readonly total: number
  /** Questions with a result, including those done by earlier runs. */
  readonly done: number
  /** Questions that already had a result when this run started. */
  readonly resumed: number
  readonly correct: number
  readonly errors: number
  /** The evaluation's reported cost so far (all its runs), in USD. */
  readonly spentUsd: number
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
  /** Called once the evaluation (every cell) is running, with the number of questions left to do. */
  readonly onStart?: ((info: StartInfo) => Effect.Effect<void>) | undefined
}

/** What a run has to do, when it starts. */
export interface StartInfo {
  /** Questions of every cell together. */
  readonly total: number
  readonly remaining: number
  readonly cells: ReadonlyArray<{ readonly evaluationId: string; readonly total: number; readonly remaining: number }>
}

/** One cell of a grid run: an evaluation, and the questions it asks when not its whole benchmark. */
export interface CellPlan {
  readonly evaluationId: string
  /** The ids of the questions to ask (an experiment's sample); undefined for the whole benchmark. */
  readonly questions?: ReadonlySet<string> | undefined
}

/** How to run a grid: as one evaluation, with `maxCostUsd` the budget of all the cells together. */
export interface GridRunOptions extends RunOptions {
  /** The id failures of the whole run name (an experiment's); default the first cell's. */
  readonly runId?: string | undefined
  /** Spent before this run by cells not in it (an experiment's completed cells), counted against `maxCostUsd`. */
  readonly spentElsewhereUsd?: number | undefined
  /**
   * Take each cell's questions from claims on the work queue instead of its benchmark (a worker):
   * no run lease (many workers run the evaluation at once, each holding only its claims), results
   * stored through `source.write`, and a cell completed only once `source.finished` says so.
   */
  readonly source?: WorkSource | undefined
}

/** Where a worker's run takes its questions from, and where it stores their results. */
export interface WorkSource {
  /**
   * The next claimed question ids of the evaluation, empty once none is left for it. May fail with
   * EvaluationFailed (another worker stopped the evaluation) or BudgetReached (its stored cost, all
   * workers together, reached the budget).
   */
  readonly next: (evaluationId: string) => Effect.Effect<ReadonlyArray<string>, StorageError | EvaluationFailed | BudgetReached>
  /** Stores the results and takes their questions off the queue, in one transaction. */
  readonly write: (results: ReadonlyArray<EvaluationQuestionResult>) => Effect.Effect<void, StorageError>
  /** Whether the evaluation has nothing left on the queue, waiting or claimed (then it is completed). */
  readonly finished: (evaluationId: string) => Effect.Effect<boolean, StorageError>
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

/**
 * What is wrong with an agent's output (a plugin's, say), or undefined when it is well formed.
 * `calls`: the model calls the question made (each sample is the reply of one).
 */
const malformed = (output: Agent.AgentOutput, calls: number): string | undefined =>
  typeof output !== "object" || output === null
    ? "no output object"
    : output.answer !== null && typeof output.answer !== "string"
    ? `an answer that is not a string or null (${typeof output.answer})`
    : typeof output.rawOutput !== "string"
    ? `a rawOutput that is not a string (${typeof output.rawOutput})`
    : output.samples !== undefined && (!Array.isArray(output.samples) || output.samples.some((s) => typeof s !== "string"))
    ? "samples that are not an array of strings"
    : output.samples !== undefined && output.samples.length > calls
    ? `${output.samples.length} samples from ${calls} model call${calls === 1 ? "" : "s"} (each sample is the reply of its own call)`
    : undefined

/**
 * Samples graded at once per question. The code grader's sandbox has its own bound for the whole
 * process (CODE_EXEC_CONCURRENCY); this one keeps a plugin's grader (one that calls a service,
 * say) from getting k × questions-in-flight requests at once.
 */
const SAMPLE_GRADING_CONCURRENCY = 4

/**
 * Grades the independent samples of an agent's output (`AgentOutput.samples`) with the question's
 * grader, each as if it were the final reply: its answer is what the shared marker grammar finds
 * in it (`Answer.extract`, as an agent would take it), and a code grader finds the program in the
 * reply itself. Identical samples are graded once, and a sample that is the final reply with the
 * same answer takes the final answer's outcome (`final`) rather than running again. At most
 * SAMPLE_GRADING_CONCURRENCY at once.
 */
const gradeSamples = (
  grader: Grader,
  question: GradedQuestion,
  samples: ReadonlyArray<string>,
  /** The final reply's grade, reused for the sample that is that reply; null when it has none (it failed). */
  final: { readonly rawOutput: string | null; readonly answer: string | null; readonly outcome: Outcome } | null
): Effect.Effect<ReadonlyArray<SampleGrade>> =>
  Effect.forEach(
    [...new Set(samples)],
    (rawOutput) => {
      const answer = Answer.extract(rawOutput)
      return final !== null && final.rawOutput === rawOutput && final.answer === answer
        ? Effect.succeed([rawOutput, final.outcome] as const)
        : Effect.map(grader.grade({ question, answer, rawOutput }), (grade) => [rawOutput, grade.outcome] as const)
    },
    { concurrency: SAMPLE_GRADING_CONCURRENCY }
  ).pipe(Effect.map((graded) => {
    const outcomes = new Map(graded)
    return samples.map((rawOutput) => ({ outcome: outcomes.get(rawOutput)!, rawOutput }))
  }))

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
      const graders = yield* GraderRegistry
      const llm = yield* LlmClient
      // Optional: without it, no evaluation is a cell of an experiment (a plain run asks every question).
      const experiments = yield* Effect.serviceOption(ExperimentRepository)

      const now = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)))

      const get = (id: string) =>
        evaluations.findById(id).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new EvaluationNotFound({ evaluationId: id })),
            onSome: Effect.succeed
          }))
        )

      /**
       * Checks everything `create` checks (the agent, the benchmark, the parameters) and builds the
       * pending evaluation, without storing it: an experiment validates all its cells first.
       */
      const prepare = Effect.fn("EvaluationOrchestrator.prepare")(function*(options: CreateOptions) {
        const agent = yield* registry.get(options.agentType)
        if (options.answerKind !== undefined) yield* graders.get(options.answerKind)
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
        return { evaluation, benchmark, maxCallsPerQuestion: Math.max(1, agent.maxCalls?.(parameters) ?? 1) }
      })

      const create = Effect.fn("EvaluationOrchestrator.create")(function*(options: CreateOptions) {
        const prepared = yield* prepare(options)
        yield* evaluations.create(prepared.evaluation)
        return prepared
      })

      const solveOne = (
        evaluation: Evaluation.Evaluation,
        agent: Agent.Agent<any>,
        parameters: unknown,
        question: Question,
        limit: QuestionLimit | undefined,
        cache: ResponseCache.ResponseCache.Service | undefined,
        grader: Grader
      ) =>
        Effect.gen(function*() {
          let calls = 0
          let retries = 0
          let cachedCalls = 0
          let usage = Usage.empty
          let cost: number | null = null
          const log: Array<ModelCall> = []
          let lastReply: ReplyFailure.LastReply | undefined
          // Every reply's finish reason by its text: the final answer is judged on its own reply,
          // which for an agent that draws several samples need not be the last one to arrive.
          const finishes = new Map<string, string | null>()
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
                  lastReply = { content: reply.content, finishReason: reply.finishReason }
                  finishes.set(reply.content, reply.finishReason)
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
          const solvedOrFailed = yield* timed.pipe(
            Effect.flatMap((output) => {
              const problem = malformed(output, calls)
              return problem === undefined
                ? Effect.succeed({ _tag: "Solved" as const, output })
                : Effect.fail(new Agent.AgentError({ category: "unknown", message: `agent '${agent.id}' returned ${problem}` }))
            }),
            Effect.catchTags({
              AgentError: (error) => Effect.succeed({ _tag: "Failed" as const, reason: error.toFailureReason(), fromReply: true }),
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
          // Refusals, empty and cut-off replies are recognised here, once, for every agent: an
          // agent that found no answer (or reported the reply unusable) gets core's verdict on its
          // last reply, so `none`, `cot` and a plugin record the same failure for the same reply.
          const unanswered = solvedOrFailed._tag === "Solved"
            ? solvedOrFailed.output.answer === null || Answer.isRefusal(solvedOrFailed.output.answer)
            : "fromReply" in solvedOrFailed && ReplyFailure.REPLY_CATEGORIES.has(solvedOrFailed.reason.category)
          const finalReply: ReplyFailure.LastReply | undefined =
            solvedOrFailed._tag === "Solved" && finishes.has(solvedOrFailed.output.rawOutput)
              ? { content: solvedOrFailed.output.rawOutput, finishReason: finishes.get(solvedOrFailed.output.rawOutput) ?? null }
              : lastReply
          const replyFailure = unanswered ? ReplyFailure.classify(finalReply) : undefined
          const outcome = replyFailure === undefined ? solvedOrFailed : { _tag: "Failed" as const, reason: replyFailure }
          const answer = outcome._tag === "Solved" ? outcome.output.answer : null
          const graded = Grading.gradedQuestion(question)
          const grade = outcome._tag === "Solved"
            ? yield* grader.grade({ question: graded, answer, rawOutput: outcome.output.rawOutput })
            : null
          // An agent that drew several independent samples has each graded, for pass@k: also when
          // its final answer is a refusal or cut off, which says nothing about the other samples.
          const samples = solvedOrFailed._tag === "Solved" ? solvedOrFailed.output.samples : undefined
          const sampleGrades = samples === undefined || samples.length === 0
            ? null
            : yield* gradeSamples(
              grader,
              graded,
              samples,
              outcome._tag === "Solved" && grade !== null ? { rawOutput: outcome.output.rawOutput, answer, outcome: grade.outcome } : null
            )
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
            gradeDetails: grade?.details ?? null,
            sampleGrades,
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
          const kind = Grading.recordedKind(benchmark.metadata, evaluation.answerKind) ?? graders.detect({
            columns: [],
            expectedAnswers: Chunk.toReadonlyArray(
              yield* Stream.runCollect(benchmarks.streamQuestions(benchmark.id).pipe(Stream.map((q) => q.expectedAnswer)))
            )
          })
          return { benchmark, kind, grader: yield* graders.get(kind) }
        })

      /** The questions of an evaluation that is a cell of an experiment with a subsample; undefined for all. */
      const sampleFor = (evaluation: Evaluation.Evaluation) =>
        Option.match(experiments, {
          onNone: () => Effect.succeed(undefined),
          onSome: (repo) =>
            repo.findByEvaluation(evaluation.id).pipe(
              Effect.map((found) => Option.isNone(found) ? undefined : Experiment.sampleOf(found.value, evaluation.benchmarkId))
            )
        })

      const run = Effect.fn("EvaluationOrchestrator.run")(function*(evaluationId: string, options: RunOptions = {}) {
        const evaluation = yield* get(evaluationId)
        const questions = yield* sampleFor(evaluation)
        const [outcome] = yield* runGrid([{ evaluationId, questions }], { ...options, runId: evaluationId })
        return outcome!
      })

      /**
       * Runs several evaluations (the cells of an experiment) as one run: each under its own lease,
       * one in-flight limit for all of them, one writer, one budget. Cells on the same model share
       * that model's rate-limit throttle and nothing else, so a model that is rate limited slows only
       * its own cells. A model's cells are asked in question-major order: every cell of a benchmark
       * has answered (about) the same questions at any moment. One evaluation is a grid of one cell.
       */
      const runGrid = Effect.fn("EvaluationOrchestrator.runGrid")(function*(
        cells: ReadonlyArray<CellPlan>,
        options: GridRunOptions = {}
      ) {
        const inner = runLeased(cells, options)
        // Each cell's lease is taken in turn (a busy one stops the run before anything starts) and
        // held, with its heartbeat, until the whole run ends.
        let body: Effect.Effect<
          Effect.Effect.Success<typeof inner>,
          Effect.Effect.Error<typeof inner> | EvaluationBusy | StorageError,
          Effect.Effect.Context<typeof inner>
        > = inner
        // A worker's run (options.source) holds no run lease: its claims are its lease.
        if (options.source === undefined) {
          for (const cell of [...cells].reverse()) body = withLease(cell.evaluationId, options, body)
        }
        return yield* Effect.scoped(body)
      })

      const runLeased = (plans: ReadonlyArray<CellPlan>, options: GridRunOptions) => Effect.gen(function*() {
        const runId = options.runId ?? plans[0]?.evaluationId ?? "empty"
        // The cells are prepared, and later ended, side by side: each state change waits for its
        // flush to the disk, and those waits overlap instead of adding up.
        const cells = yield* Effect.forEach(plans, (plan, index) =>
          Effect.gen(function*() {
            const evaluationId = plan.evaluationId
            const pending = yield* get(evaluationId)
            const agent = yield* registry.get(pending.agentConfig.agentType)
            const parameters = yield* Agent.decodeParameters(agent, pending.agentConfig.agentParameters)
            const { benchmark, grader } = yield* gradingOf(pending)
            const scope = plan.questions
            const inScope = (id: string) => scope === undefined || scope.has(id)
            const answered = yield* results.answeredQuestionIds(evaluationId)
            const retried = options.retryErrors ? yield* results.failedQuestionIds(evaluationId) : new Set<string>()
            const isTodo = (q: Question) => inScope(q.id) && (!answered.has(q.id) || retried.has(q.id))
            // Every stored result is of a question of this benchmark (the database refuses others),
            // and of the cell's sample when it has one.
            const total = scope?.size ?? benchmark.questionCount
            let answeredInScope = 0
            for (const id of answered) if (inScope(id)) answeredInScope++
            const remaining = total - answeredInScope + retried.size
            // Another worker stopped the evaluation for an account-level reason: do not go on with it.
            if (options.source !== undefined && pending.status === "failed" && pending.failureReason !== null) {
              return yield* new EvaluationFailed({ evaluationId, reason: pending.failureReason })
            }
            // Holding the lease while the status says "running" means the previous run died: resume it.
            // (A worker finds its evaluation running: queued evaluations are started when queued.)
            const running = pending.status === "running"
              ? pending
              : options.retryErrors
              ? yield* Evaluation.reopen(pending, yield* now)
              : yield* Evaluation.start(pending, yield* now)
            if (running !== pending) yield* evaluations.update(running)
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
            return {
              index,
              evaluationId,
              running,
              agent,
              parameters,
              benchmark,
              grader,
              isTodo,
              total,
              remaining,
              resumed: answeredInScope - retried.size,
              // Failed questions being retried are counted again when their new result comes in.
              done: before.processed - retried.size,
              correct: before.correct,
              errors: before.errors - retried.size,
              spent: before.costUsd
            }
          }), { concurrency: "unbounded" })
        type Cell = (typeof cells)[number]
        const byEvaluation = new Map<string, Cell>(cells.map((c) => [c.evaluationId, c] as const))
        let spent = cells.reduce((sum, c) => sum + c.spent, options.spentElsewhereUsd ?? 0)
        const overBudget = () => options.maxCostUsd !== undefined && spent >= options.maxCostUsd
        const total = cells.reduce((sum, c) => sum + c.total, 0)
        const remaining = cells.reduce((sum, c) => sum + c.remaining, 0)
        yield* options.onStart?.({
          total,
          remaining,
          cells: cells.map((c) => ({ evaluationId: c.evaluationId, total: c.total, remaining: c.remaining }))
        }) ?? Effect.void

        const concurrency = Math.max(1, options.concurrency ?? 1)
        // The run's log level, read once: whether each question's debug line is wanted.
        const debugLogged = LogLevel.lessThanEqual(yield* FiberRef.get(FiberRef.currentMinimumLogLevel), LogLevel.Debug)
        // One adaptive limiter per model (a 429 halves only that model's questions in flight), and
        // with several models one fixed gate of `concurrency` places for the whole run.
        const models = [...new Set(cells.map((c) => c.running.agentConfig.modelName))]
        const limiters = new Map<string, Throttle.Limiter>()
        for (const model of models) limiters.set(model, yield* Throttle.makeLimiter(concurrency))
        const gate = models.length > 1 ? yield* Throttle.makeLimiter(concurrency) : undefined
        const questionTimeout = options.questionTimeout
        const limit: QuestionLimit | undefined = questionTimeout === undefined ? undefined : {
          deadlines: yield* Deadlines.make(Duration.toMillis(questionTimeout)),
          text: Duration.format(questionTimeout)
        }
        const stored = (batch: ReadonlyArray<EvaluationQuestionResult>) =>
          Effect.forEach(batch, (result) => {
            const cell = byEvaluation.get(result.evaluationId)!
            cell.done++
            if (result.isCorrect) cell.correct++
            if (result.error !== null) cell.errors++
            const onProgress = options.onProgress
            return onProgress === undefined ? Effect.void : limiters.get(cell.running.agentConfig.modelName)!.state.pipe(
              Effect.flatMap((state) =>
                onProgress({
                  cell: cell.index,
                  evaluationId: cell.evaluationId,
                  total: cell.total,
                  done: cell.done,
                  resumed: cell.resumed,
                  correct: cell.correct,
                  errors: cell.errors,
                  spentUsd: cell.spent,
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
        const processOne = (
          cell: Cell,
          question: Question,
          submit: (result: EvaluationQuestionResult) => Effect.Effect<void>
        ) =>
          Effect.uninterruptible(
            Effect.suspend((): Effect.Effect<EvaluationQuestionResult, BudgetReached | LlmError> =>
              overBudget()
                ? Effect.fail(new BudgetReached({ evaluationId: runId, spentUsd: spent, budgetUsd: options.maxCostUsd! }))
                : solveOne(cell.running, cell.agent, cell.parameters, question, limit, options.cache, cell.grader)
            ).pipe(
              Effect.flatMap((result) => {
                // Counted as spent at once (the budget covers answers on their way to the disk);
                // counted as done once stored.
                spent += result.costUsd ?? 0
                cell.spent += result.costUsd ?? 0
                const handedIn = submit(result)
                if (result.error !== null) {
                  return handedIn.pipe(Effect.zipRight(
                    Effect.logWarning("question failed").pipe(
                      Effect.annotateLogs({
                        evaluationId: cell.evaluationId,
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
                      evaluationId: cell.evaluationId,
                      questionId: result.questionId,
                      correct: result.isCorrect,
                      ms: result.executionTimeMs,
                      calls: result.llmCalls
                    })
                  )
                ))
              })
            )
          )
        // Each model's questions to do are streamed from storage into a small queue of its own, in
        // question-major order (for each question of a benchmark, every cell of it that still
        // needs it), and a pool of `concurrency` workers per model takes them until a worker finds
        // the end (null); the model's limiter lowers how many are in flight under 429s, and the gate
        // keeps the run's total to `concurrency`. So a run holds a few chunks of questions, not the
        // benchmarks. (Not Effect.forEach over the questions either: it keeps every item's exit, and
        // so every result, until the end.) A worker hands each result to the writer and goes on to
        // its next question while the result is committed: batches of up to 16 (larger ones, of
        // 100, saved no time and raised the peak memory of a 50,000-question run from about 245 to
        // 260-320 MB, measured), and at most max(16, concurrency) results waiting.
        interface Item {
          readonly cell: Cell
          readonly question: Question
        }
        const pools = yield* Effect.forEach(models, (model) => Effect.gen(function*() {
          const mine = cells.filter((c) => c.running.agentConfig.modelName === model && c.remaining > 0)
          const limiter = limiters.get(model)!
          const todo = mine.reduce((sum, c) => sum + c.remaining, 0)
          const workers = Math.max(1, Math.min(concurrency, todo))
          // A worker keeps few claimed questions waiting: claims held locally are work no other worker can take.
          const source = options.source
          const queue = yield* Queue.bounded<Item | null>(source === undefined ? Math.max(64, 2 * concurrency) : concurrency)
          const benchmarkIds = [...new Set(mine.map((c) => c.benchmark.id))]
          // One producer per benchmark; their offers alternate while the queue is full.
          const producers = benchmarkIds.map((benchmarkId) => {
            const here = mine.filter((c) => c.benchmark.id === benchmarkId)
            return Stream.runForEach(benchmarks.streamQuestions(benchmarkId), (question) => {
              const items: Array<Item> = []
              for (const cell of here) if (cell.isTodo(question)) items.push({ cell, question })
              return items.length === 0 ? Effect.void : items.length === 1 ? Queue.offer(queue, items[0]!) : Queue.offerAll(queue, items)
            })
          })
          // A worker's producer: each cell's claimed questions, looked up in its benchmark, until the
          // queue has none left for it.
          const claimed = source === undefined ? [] : mine.map((cell) =>
            Effect.gen(function*() {
              const byId = new Map<string, Question>()
              yield* Stream.runForEach(benchmarks.streamQuestions(cell.benchmark.id), (q) => Effect.sync(() => byId.set(q.id, q)))
              for (let ids = yield* source.next(cell.evaluationId); ids.length > 0; ids = yield* source.next(cell.evaluationId)) {
                const items: Array<Item> = []
                for (const id of ids) {
                  const question = byId.get(id)
                  if (question !== undefined) items.push({ cell, question })
                }
                yield* Queue.offerAll(queue, items)
              }
            })
          )
          const producer = Effect.all(source === undefined ? producers : claimed, { concurrency: source === undefined ? "unbounded" : 1, discard: true }).pipe(
            Effect.zipRight(Queue.offerAll(queue, Array.from({ length: workers }, () => null)))
          )
          const place = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
            gate === undefined ? limiter.withPlace(effect) : limiter.withPlace(gate.withPlace(effect))
          // Under a time limit each worker runs in a fiber of its own, replaced when a question's
          // time limit stopped it.
          const worker = (submit: (result: EvaluationQuestionResult) => Effect.Effect<void>) => {
            const work = Effect.gen(function*() {
              for (let item = yield* Queue.take(queue); item !== null; item = yield* Queue.take(queue)) {
                const { cell, question } = item
                yield* place(processOne(cell, question, submit))
              }
            })
            return limit === undefined ? work : limit.deadlines.respawning(work)
          }
          return { mine, limiter, workers, producer, worker }
        })).pipe(Effect.map((all) => all.filter((pool) => pool.mine.length > 0)))
        const processAll = GroupCommit.run(
          { writeAll: options.source?.write ?? results.saveAll, written: stored, maxBatch: 16, capacity: Math.max(16, concurrency) },
          (submit) =>
            Effect.all(
              pools.flatMap((pool) => [
                Effect.asVoid(pool.producer),
                ...Array.from({ length: pool.workers }, () =>
                  Effect.provideService(pool.worker(submit), Throttle.Throttle, pool.limiter.throttle))
              ]),
              { concurrency: "unbounded", discard: true }
            )
        )

        // Every cell ends as the run does.
        const endAll = (end: (evaluation: Evaluation.Evaluation, at: Date) => Effect.Effect<Evaluation.Evaluation, Evaluation.InvalidTransition>) =>
          now.pipe(Effect.flatMap((at) =>
            Effect.forEach(cells, (cell) => end(cell.running, at).pipe(Effect.flatMap(evaluations.update)), {
              concurrency: "unbounded",
              discard: true
            })
          ))
        yield* processAll.pipe(
          // A worker stopping leaves the evaluation running for the others (its claims are released).
          Effect.onInterrupt(() => options.source !== undefined ? Effect.void : endAll(Evaluation.interrupt).pipe(Effect.ignoreLogged)),
          Effect.catchTag("LlmError", (error) =>
            Effect.gen(function*() {
              const reason = error.toFailureReason()
              yield* endAll((e, at) => Evaluation.fail(e, reason, at))
              yield* Effect.logError("evaluation stopped").pipe(
                Effect.annotateLogs({ evaluationId: runId, category: reason.category, reason: reason.description })
              )
              return yield* new EvaluationFailed({ evaluationId: runId, reason })
            })
          ),
          Effect.catchTag("BudgetReached", (error) =>
            Effect.gen(function*() {
              yield* endAll(Evaluation.interrupt)
              yield* Effect.logWarning("evaluation stopped at its budget").pipe(
                Effect.annotateLogs({ evaluationId: runId, spentUsd: error.spentUsd, budgetUsd: error.budgetUsd })
              )
              // A worker's source reports the cost of all workers together, stored.
              return yield* new BudgetReached({ ...error, spentUsd: options.source === undefined ? spent : Math.max(spent, error.spentUsd) })
            })
          ),
          Effect.catchTag("StorageError", (error) =>
            Effect.gen(function*() {
              const reason = FailureReason.make({
                category: "unknown",
                description: `storage failed: ${error.message}`,
                recoverable: true
              })
              yield* endAll((e, at) => Evaluation.fail(e, reason, at)).pipe(Effect.ignoreLogged)
              return yield* error
            })
          )
        )

        return yield* Effect.forEach(cells, (cell) =>
          Effect.gen(function*() {
            // A worker completes an evaluation only once no worker has any of it left.
            if (options.source !== undefined && !(yield* options.source.finished(cell.evaluationId))) {
              return { evaluation: cell.running, results: yield* results.summarize(cell.evaluationId) } satisfies RunOutcome
            }
            const completed = yield* Evaluation.complete(cell.running, yield* now)
            yield* evaluations.update(completed)
            const summary = yield* results.summarize(cell.evaluationId)
            yield* Effect.logInfo("evaluation completed").pipe(
              Effect.annotateLogs({
                evaluationId: cell.evaluationId,
                accuracy: summary.accuracy,
                errors: summary.errors,
                costUsd: summary.costUsd
              })
            )
            return { evaluation: completed, results: summary } satisfies RunOutcome
          }), { concurrency: "unbounded" })
      })

      /**
       * Grades the stored answers of an evaluation again with the current graders, without any
       * model call, and the agent's samples with them (from their stored raw outputs); failed
       * questions stay failed. Returns how many results' grades changed (the final answer's or a
       * sample's).
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
        if (options.answerKind !== undefined && options.answerKind !== null) yield* graders.get(options.answerKind)
        const evaluation = options.answerKind === undefined
          ? stored
          : new Evaluation.Evaluation({ ...stored, answerKind: options.answerKind })
        const { benchmark, grader, kind } = yield* gradingOf(evaluation)
        // A grader may read a question's extra columns (a code kind's tests); results do not keep them.
        const metadata = new Map<string, Readonly<Record<string, unknown>>>()
        yield* benchmarks.streamQuestions(benchmark.id).pipe(
          Stream.runForEach((q) => Effect.sync(() => metadata.set(q.id, q.metadata)))
        )
        const before = yield* results.summarize(evaluationId)
        let changed = 0
        // The regraded rows are saved RESCORE_BATCH at a time, one statement and one flush each.
        yield* results.stream(evaluationId).pipe(
          // A failed question keeps its failure; its samples, when the agent drew some, are graded again.
          Stream.filter((row) => row.error === null || row.sampleGrades !== null),
          Stream.mapEffect((row) => {
            const question = Grading.gradedQuestion({
              id: row.questionId,
              text: row.questionText,
              expectedAnswer: row.expectedAnswer,
              metadata: metadata.get(row.questionId) ?? {}
            })
            const final = row.error === null
              ? Effect.map(grader.grade({ question, answer: row.extractedAnswer, rawOutput: row.rawOutput }), (g) => g as Grade | null)
              : Effect.succeed(null)
            return final.pipe(
              // The samples are graded again from their stored raw outputs, by the same grader.
              Effect.flatMap((grade) =>
                row.sampleGrades === null
                  ? Effect.succeed({ row, grade, sampleGrades: null as ReadonlyArray<SampleGrade> | null })
                  : gradeSamples(
                    grader,
                    question,
                    row.sampleGrades.map((s) => s.rawOutput),
                    grade === null ? null : { rawOutput: row.rawOutput, answer: row.extractedAnswer, outcome: grade.outcome }
                  ).pipe(Effect.map((sampleGrades) => ({ row, grade, sampleGrades })))
              )
            )
          }),
          Stream.filterMap(({ grade, row, sampleGrades }) => {
            const samplesSame = sampleGrades === null ||
              sampleGrades.every((s, i) => s.outcome === row.sampleGrades![i]!.outcome)
            if (grade === null) {
              // A failed question: only its samples' grades can change.
              if (samplesSame) return Option.none()
              changed++
              return Option.some(new EvaluationQuestionResult({ ...row, sampleGrades }))
            }
            const isCorrect = grade.outcome === "correct"
            const same = isCorrect === row.isCorrect && grade.outcome === row.outcome && samplesSame
            const details = grade.details ?? null
            if (
              same && grade.version === row.graderVersion && grade.grader === row.grader &&
              JSON.stringify(details) === JSON.stringify(row.gradeDetails)
            ) return Option.none()
            if (!same) changed++
            return Option.some(new EvaluationQuestionResult({
              ...row,
              isCorrect,
              outcome: grade.outcome,
              grader: grade.grader,
              graderVersion: grade.version,
              gradeDetails: details,
              sampleGrades
            }))
          }),
          Stream.grouped(RESCORE_BATCH),
          Stream.runForEach((batch) => results.saveAll(Chunk.toReadonlyArray(batch)))
        )
        // Stored once every answer is graded with it, so that the setting names what graded them.
        if (evaluation !== stored) yield* evaluations.update(evaluation)
        return { kind, changed, before, after: yield* results.summarize(evaluationId) }
      })

      return { create, prepare, run, runGrid, get, rescore } as const
    })
  }
) {}
