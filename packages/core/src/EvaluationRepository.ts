/**
 * Where evaluations are kept.
 */
import { Context, type Effect, type Option } from "effect"
import type { Evaluation, EvaluationStatus } from "./Evaluation.js"
import type { StorageError } from "./StorageError.js"

/** Filters for listing evaluations. */
export interface ListOptions {
  readonly status?: EvaluationStatus | undefined
  readonly benchmarkName?: string | undefined
  readonly limit?: number | undefined
}

/** The EvaluationRepository service. */
export class EvaluationRepository
  extends Context.Tag("@ml-agents/core/EvaluationRepository")<EvaluationRepository, EvaluationRepository.Service>()
{}

/** The EvaluationRepository service's types. */
export declare namespace EvaluationRepository {
  /** What an EvaluationRepository does. */
  export interface Service {
    readonly create: (evaluation: Evaluation) => Effect.Effect<void, StorageError>
    /** Saves the evaluation's mutable state (status, timestamps, failure reason). */
    readonly update: (evaluation: Evaluation) => Effect.Effect<void, StorageError>
    readonly findById: (id: string) => Effect.Effect<Option.Option<Evaluation>, StorageError>
    /** Evaluations, most recent first. */
    readonly list: (options?: ListOptions) => Effect.Effect<ReadonlyArray<Evaluation>, StorageError>
  }
}
