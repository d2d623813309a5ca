/**
 * Where question results are kept: one row per (evaluation, question).
 */
import { Context, type Effect, type Option, type Stream } from "effect"
import type { EvaluationResults } from "./EvaluationResults.js"
import type { EvaluationQuestionResult } from "./QuestionResult.js"
import type { StorageError } from "./StorageError.js"

/** How many of an evaluation's model calls one provider served, and what they cost. */
export interface ProviderShare {
  readonly provider: string | null
  readonly calls: number
  /** Sum of the reported costs; null when none was reported. */
  readonly costUsd: number | null
}

/** The ResultRepository service. */
export class ResultRepository
  extends Context.Tag("@ml-agents/core/ResultRepository")<ResultRepository, ResultRepository.Service>()
{}

/** The ResultRepository service's types. */
export declare namespace ResultRepository {
  /** What a ResultRepository does. */
  export interface Service {
    /**
     * Stores a question's result. A second result for the same (evaluation, question) replaces
     * the first, so that a re-run of a failed question never leaves two rows.
     */
    readonly save: (result: EvaluationQuestionResult) => Effect.Effect<void, StorageError>
    /**
     * Stores several results, as `save` each, in one transaction: all of them or, when it fails,
     * none. A run writes the results that finish together this way (group commit).
     */
    readonly saveAll: (results: ReadonlyArray<EvaluationQuestionResult>) => Effect.Effect<void, StorageError>
    /** An evaluation's results in benchmark order, a page at a time. */
    readonly list: (
      evaluationId: string,
      page?: { readonly offset: number; readonly limit: number }
    ) => Effect.Effect<ReadonlyArray<EvaluationQuestionResult>, StorageError>
    /**
     * All of an evaluation's results in benchmark order, read from storage a chunk at a time
     * (by position, not by offset, so each chunk costs the same however deep into millions of
     * rows): for exports, comparisons and re-grading, in constant memory.
     */
    readonly stream: (evaluationId: string) => Stream.Stream<EvaluationQuestionResult, StorageError>
    /** One question's result. */
    readonly find: (
      evaluationId: string,
      questionId: string
    ) => Effect.Effect<Option.Option<EvaluationQuestionResult>, StorageError>
    /** Ids of the questions that already have a result (to resume). */
    readonly answeredQuestionIds: (evaluationId: string) => Effect.Effect<ReadonlySet<string>, StorageError>
    /** Ids of the questions whose stored result is a failure (to retry them). */
    readonly failedQuestionIds: (evaluationId: string) => Effect.Effect<ReadonlySet<string>, StorageError>
    /**
     * Correct answers and results per value of a question metadata column (e.g. `category`), in
     * value order; questions without the column are grouped under null.
     */
    readonly breakdown: (
      evaluationId: string,
      metadataKey: string
    ) => Effect.Effect<ReadonlyArray<{ readonly value: string | null; readonly processed: number; readonly correct: number }>, StorageError>
    /**
     * The providers that served the evaluation's successful model calls (not those answered
     * from the response cache), with their number of calls and reported cost, most calls first;
     * calls whose provider is unknown under null.
     */
    readonly providers: (evaluationId: string) => Effect.Effect<ReadonlyArray<ProviderShare>, StorageError>
    /** The evaluation's figures, aggregated by the database. */
    readonly summarize: (evaluationId: string) => Effect.Effect<EvaluationResults, StorageError>
  }
}
