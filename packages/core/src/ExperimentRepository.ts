/**
 * Where experiments are kept: the experiment, its cells (each an evaluation, with its coordinates
 * in the grid) and its subsample, stored once so that every cell of a benchmark asks exactly the
 * same questions.
 */
import { Context, type Effect, type Option } from "effect"
import type { Evaluation } from "./Evaluation.js"
import type { Experiment } from "./Experiment.js"
import type { StorageError } from "./StorageError.js"

/** Filters for listing experiments. */
export interface ListOptions {
  readonly limit?: number | undefined
}

/** The ExperimentRepository service. */
export class ExperimentRepository
  extends Context.Tag("@ml-agents/core/ExperimentRepository")<ExperimentRepository, ExperimentRepository.Service>()
{}

/** The ExperimentRepository service's types. */
export declare namespace ExperimentRepository {
  /** What an ExperimentRepository does. */
  export interface Service {
    /**
     * Stores the experiment, the evaluations of its cells (one per `experiment.cells` entry, new
     * and pending) and its samples, in one transaction: all of it or nothing.
     */
    readonly create: (experiment: Experiment, evaluations: ReadonlyArray<Evaluation>) => Effect.Effect<void, StorageError>
    readonly findById: (id: string) => Effect.Effect<Option.Option<Experiment>, StorageError>
    /** The experiment an evaluation is a cell of, if any. */
    readonly findByEvaluation: (evaluationId: string) => Effect.Effect<Option.Option<Experiment>, StorageError>
    /** Experiments, most recent first. */
    readonly list: (options?: ListOptions) => Effect.Effect<ReadonlyArray<Experiment>, StorageError>
  }
}
