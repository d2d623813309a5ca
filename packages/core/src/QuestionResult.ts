/**
 * The result of one question in one evaluation: stored as soon as the question is done, unique
 * per (evaluation, question), and the only source every figure is computed from.
 */
import { Schema } from "effect"
import { FailureReason } from "./FailureReason.js"
import { Outcome } from "./Grader.js"
import { TokenUsage } from "./Usage.js"

/**
 * One model call of a question, as the provider reported it: who served it (`provider`), its
 * generation id (to look it up in OpenRouter's activity log), tokens and cost. A call that failed
 * after its retries has `error` set to its failure category and no generation.
 */
export const ModelCall = Schema.Struct({
  /** The model that answered (it can differ from the one asked for, e.g. through a fallback). */
  model: Schema.String,
  provider: Schema.NullOr(Schema.String),
  generationId: Schema.NullOr(Schema.String),
  finishReason: Schema.NullOr(Schema.String),
  promptTokens: Schema.Int,
  completionTokens: Schema.Int,
  reasoningTokens: Schema.Int,
  /** USD as reported (`usage.cost`); null when not reported; 0 for a cached call, which cost nothing. */
  costUsd: Schema.NullOr(Schema.Number),
  /** HTTP attempts it took (1 = no retry); 0 when answered from the response cache. */
  attempts: Schema.Int,
  /** The failure category when the call failed; null when it succeeded. */
  error: Schema.NullOr(Schema.String)
})
/** One model call of a question. */
export type ModelCall = typeof ModelCall.Type

/**
 * One of the independent samples an agent drew for a question (`AgentOutput.samples`), with its
 * grade by the question's grader. Its raw output is kept so that `rescore` can grade it again;
 * the grader's details (a code sample's execution) are not, to keep a result small. The samples
 * are graded by the grader and version the result names.
 */
export const SampleGrade = Schema.Struct({
  outcome: Outcome,
  rawOutput: Schema.String
})
/** One sample's grade. */
export type SampleGrade = typeof SampleGrade.Type

/** One question's outcome, with everything needed to audit it later. */
export class EvaluationQuestionResult extends Schema.Class<EvaluationQuestionResult>("EvaluationQuestionResult")({
  evaluationId: Schema.String,
  questionId: Schema.String,
  questionText: Schema.String,
  expectedAnswer: Schema.String,
  /** The answer the agent extracted from the model's output; null when none was found or the question failed. */
  extractedAnswer: Schema.NullOr(Schema.String),
  /** The model's final raw output, kept so that grading can be audited and redone. */
  rawOutput: Schema.NullOr(Schema.String),
  isCorrect: Schema.Boolean,
  executionTimeMs: Schema.Number,
  /** The agent's reasoning trace, any JSON value. */
  reasoningTrace: Schema.Unknown,
  /** Set when the question failed. */
  error: Schema.NullOr(FailureReason),
  usage: TokenUsage,
  /** Cost in USD as the provider reported it; null when it reported none. */
  costUsd: Schema.NullOr(Schema.Number),
  /** How many model calls the question took (retries not counted). */
  llmCalls: Schema.Int,
  /** Attempts repeated after a recoverable failure (429, 5xx, timeout), over all its calls. */
  retries: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** Calls answered from the response cache (no request, no cost). */
  cachedCalls: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** The grading outcome (correct, incorrect, or no answer found); null when the question failed. */
  outcome: Schema.optionalWith(Schema.NullOr(Outcome), { default: () => null }),
  /** The grader that decided (an answer kind) and its version, so that re-grading can tell old grades apart. */
  grader: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  graderVersion: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** The grader's details, any JSON value (e.g. a code grader's per-test outcomes); null when it gave none. */
  gradeDetails: Schema.optionalWith(Schema.Unknown, { default: () => null }),
  /**
   * The grades of the samples the agent drew independently (`AgentOutput.samples`), in its order;
   * null when it gave one answer (or the question failed). pass@k counts them as the question's
   * samples; `isCorrect` stays the grade of the final answer.
   */
  sampleGrades: Schema.optionalWith(Schema.NullOr(Schema.Array(SampleGrade)), { default: () => null }),
  /** Every model call the question made, in the order they ended (failed calls included). */
  calls: Schema.optionalWith(Schema.Array(ModelCall), { default: () => [] }),
  processedAt: Schema.Date
}) {}
