/**
 * The Evaluation aggregate: one agent configuration run over one benchmark, with its lifecycle
 * `pending → running → completed | failed | interrupted`. Failed and interrupted evaluations
 * may run again (resuming where they stopped); a completed one may not.
 */
import { Data, Effect, Schema } from "effect"
import { AgentConfig } from "./AgentConfig.js"
import { AnswerKind } from "./AnswerKind.js"
import { FailureReason } from "./FailureReason.js"

/** The lifecycle states of an evaluation. */
export const EvaluationStatus = Schema.Literal("pending", "running", "completed", "failed", "interrupted")
/** A lifecycle state. */
export type EvaluationStatus = typeof EvaluationStatus.Type

/** Evaluation ids look like `eval_k3x9q2`: short enough to type. */
export const EvaluationId = Schema.String.pipe(Schema.pattern(/^eval_[a-z0-9]{4,16}$/))

/** An evaluation as stored. */
export class Evaluation extends Schema.Class<Evaluation>("Evaluation")({
  id: Schema.String,
  agentConfig: AgentConfig,
  benchmarkId: Schema.String,
  benchmarkName: Schema.String,
  status: EvaluationStatus,
  createdAt: Schema.Date,
  startedAt: Schema.NullOr(Schema.Date),
  completedAt: Schema.NullOr(Schema.Date),
  failureReason: Schema.NullOr(FailureReason),
  /**
   * The answer kind to grade with, overriding the benchmark's (as given at import or detected);
   * null to use the benchmark's.
   */
  answerKind: Schema.optionalWith(Schema.NullOr(AnswerKind), { default: () => null })
}) {}

/** A lifecycle transition that the current status does not allow. */
export class InvalidTransition extends Data.TaggedError("InvalidTransition")<{
  readonly evaluationId: string
  readonly from: EvaluationStatus
  readonly to: EvaluationStatus
}> {
  override get message() {
    return this.from === "completed" && this.to === "running"
      ? `evaluation ${this.evaluationId} is already completed; create a new evaluation to run it again`
      : this.from === "running" && this.to === "running"
      ? `evaluation ${this.evaluationId} is already running`
      : `evaluation ${this.evaluationId} cannot go from ${this.from} to ${this.to}`
  }
}

const allowed: Record<EvaluationStatus, ReadonlyArray<EvaluationStatus>> = {
  pending: ["running"],
  running: ["completed", "failed", "interrupted"],
  failed: ["running"],
  interrupted: ["running"],
  completed: []
}

/** Whether the lifecycle allows going from one status to another. */
export const canTransition = (from: EvaluationStatus, to: EvaluationStatus): boolean => allowed[from].includes(to)

const transition = (
  evaluation: Evaluation,
  to: EvaluationStatus,
  patch: Partial<Pick<Evaluation, "startedAt" | "completedAt" | "failureReason">>
): Effect.Effect<Evaluation, InvalidTransition> =>
  canTransition(evaluation.status, to)
    ? Effect.succeed(new Evaluation({ ...evaluation, status: to, ...patch }))
    : Effect.fail(new InvalidTransition({ evaluationId: evaluation.id, from: evaluation.status, to }))

/** Creates a new pending evaluation. */
export const create = (options: {
  readonly id: string
  readonly agentConfig: AgentConfig
  readonly benchmarkId: string
  readonly benchmarkName: string
  readonly now: Date
  readonly answerKind?: AnswerKind | null | undefined
}): Evaluation =>
  new Evaluation({
    id: options.id,
    agentConfig: options.agentConfig,
    benchmarkId: options.benchmarkId,
    benchmarkName: options.benchmarkName,
    status: "pending",
    createdAt: options.now,
    startedAt: null,
    completedAt: null,
    failureReason: null,
    answerKind: options.answerKind ?? null
  })

/** pending | failed | interrupted → running. A re-run clears the previous failure. */
export const start = (evaluation: Evaluation, now: Date) =>
  transition(evaluation, "running", { startedAt: now, completedAt: null, failureReason: null })

/**
 * completed | failed | interrupted → running, to retry the questions that failed: the one way
 * a completed evaluation runs again (the failed questions' results are replaced, nothing else).
 */
export const reopen = (evaluation: Evaluation, now: Date): Effect.Effect<Evaluation, InvalidTransition> =>
  evaluation.status === "completed"
    ? Effect.succeed(new Evaluation({ ...evaluation, status: "running", startedAt: now, completedAt: null, failureReason: null }))
    : start(evaluation, now)

/** running → completed. */
export const complete = (evaluation: Evaluation, now: Date) => transition(evaluation, "completed", { completedAt: now })

/** running → failed, with the reason. */
export const fail = (evaluation: Evaluation, reason: FailureReason, now: Date) =>
  transition(evaluation, "failed", { completedAt: now, failureReason: reason })

/** running → interrupted (Ctrl+C, SIGTERM): resumable. */
export const interrupt = (evaluation: Evaluation, now: Date) =>
  transition(evaluation, "interrupted", { completedAt: now })
