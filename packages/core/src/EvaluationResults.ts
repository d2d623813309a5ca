/**
 * Figures of an evaluation, computed from its question results and never stored twice: counts,
 * accuracy, errors by category, time, tokens and cost.
 */
import { Schema } from "effect"
import type { EvaluationQuestionResult } from "./QuestionResult.js"
import { TokenUsage } from "./Usage.js"
import * as Usage from "./Usage.js"

/** The computed results of one evaluation. */
export class EvaluationResults extends Schema.Class<EvaluationResults>("EvaluationResults")({
  /** Questions with a stored result. */
  processed: Schema.Int,
  correct: Schema.Int,
  /** Answered but wrong (failed questions and questions with no answer found are not counted here). */
  incorrect: Schema.Int,
  /** No answer could be found in the output: neither right nor wrong, and not an error. */
  noAnswer: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** Questions that failed with an error. */
  errors: Schema.Int,
  errorsByCategory: Schema.Record({ key: Schema.String, value: Schema.Int }),
  /** correct / processed: a failed question counts against accuracy, as it would in a paper. */
  accuracy: Schema.Number,
  totalTimeMs: Schema.Number,
  averageTimeMs: Schema.Number,
  usage: TokenUsage,
  /** Summed reported cost in USD; questions with no reported cost add nothing. */
  costUsd: Schema.Number,
  /** Questions whose provider reported a cost: with none, `costUsd` is 0 because nothing is known, not because nothing was spent. */
  costReported: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  llmCalls: Schema.Int,
  /** Attempts repeated after recoverable failures. */
  retries: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  /** Calls answered from the response cache. */
  cachedCalls: Schema.optionalWith(Schema.Int, { default: () => 0 })
}) {}

/** The plain totals a repository can aggregate in SQL, from which results are derived. */
export interface Totals {
  readonly processed: number
  readonly correct: number
  readonly errors: number
  readonly errorsByCategory: Readonly<Record<string, number>>
  readonly totalTimeMs: number
  readonly usage: TokenUsage
  readonly costUsd: number
  /**
   * Questions with a reported cost. An adapter that does not count them gets `processed` when
   * some cost was summed and 0 otherwise.
   */
  readonly costReported?: number | undefined
  readonly llmCalls: number
  readonly retries?: number | undefined
  readonly cachedCalls?: number | undefined
  readonly noAnswer?: number | undefined
}

/** Derives results from totals. */
export const fromTotals = (totals: Totals): EvaluationResults =>
  new EvaluationResults({
    processed: totals.processed,
    correct: totals.correct,
    incorrect: totals.processed - totals.correct - totals.errors - (totals.noAnswer ?? 0),
    noAnswer: totals.noAnswer ?? 0,
    errors: totals.errors,
    errorsByCategory: { ...totals.errorsByCategory },
    accuracy: totals.processed === 0 ? 0 : totals.correct / totals.processed,
    totalTimeMs: totals.totalTimeMs,
    averageTimeMs: totals.processed === 0 ? 0 : totals.totalTimeMs / totals.processed,
    usage: totals.usage,
    costUsd: totals.costUsd,
    costReported: totals.costReported ?? (totals.costUsd > 0 ? totals.processed : 0),
    llmCalls: totals.llmCalls,
    retries: totals.retries ?? 0,
    cachedCalls: totals.cachedCalls ?? 0
  })

/** Computes results from result rows. */
export const fromRows = (rows: Iterable<EvaluationQuestionResult>): EvaluationResults => {
  let processed = 0
  let correct = 0
  let errors = 0
  let totalTimeMs = 0
  let costUsd = 0
  let costReported = 0
  let llmCalls = 0
  let retries = 0
  let cachedCalls = 0
  let noAnswer = 0
  let usage = Usage.empty
  const errorsByCategory: Record<string, number> = {}
  for (const row of rows) {
    processed++
    if (row.error !== null) {
      errors++
      errorsByCategory[row.error.category] = (errorsByCategory[row.error.category] ?? 0) + 1
    } else if (row.isCorrect) {
      correct++
    } else if (row.outcome === "no_answer") {
      noAnswer++
    }
    totalTimeMs += row.executionTimeMs
    costUsd += row.costUsd ?? 0
    if (row.costUsd !== null) costReported++
    llmCalls += row.llmCalls
    retries += row.retries
    cachedCalls += row.cachedCalls
    usage = Usage.add(usage, row.usage)
  }
  return fromTotals({ processed, correct, errors, errorsByCategory, totalTimeMs, usage, costUsd, costReported, llmCalls, retries, cachedCalls, noAnswer })
}

/** Total cost / correct answers; null when no cost was reported (missing, never $0) or nothing is correct. */
export const costPerCorrect = (results: EvaluationResults): number | null =>
  results.costReported === 0 || results.correct === 0 ? null : results.costUsd / results.correct

/** Mean cost over the questions that reported one; null when none did. */
export const costPerQuestion = (results: EvaluationResults): number | null =>
  results.costReported === 0 ? null : results.costUsd / results.costReported
