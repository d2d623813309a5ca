/**
 * Where benchmarks and their questions are kept.
 */
import { Context, type Effect, type Option, Schema, type Stream } from "effect"
import type { PreprocessedBenchmark, Question } from "./Benchmark.js"
import type { StorageError } from "./StorageError.js"

/** A benchmark with that name is already stored. */
export class BenchmarkAlreadyExists extends Schema.TaggedError<BenchmarkAlreadyExists>()("BenchmarkAlreadyExists", {
  name: Schema.String
}) {
  override get message() {
    return `a benchmark named '${this.name}' is already imported`
  }
}

/** The BenchmarkRepository service. */
export class BenchmarkRepository
  extends Context.Tag("@ml-agents/core/BenchmarkRepository")<BenchmarkRepository, BenchmarkRepository.Service>()
{}

/** The BenchmarkRepository service's types. */
export declare namespace BenchmarkRepository {
  /** What a BenchmarkRepository does. */
  export interface Service {
    /** Stores a benchmark and all its questions in one transaction: all or nothing. */
    readonly create: (
      benchmark: PreprocessedBenchmark,
      questions: ReadonlyArray<Question>
    ) => Effect.Effect<void, BenchmarkAlreadyExists | StorageError>
    readonly findByName: (name: string) => Effect.Effect<Option.Option<PreprocessedBenchmark>, StorageError>
    readonly findById: (id: string) => Effect.Effect<Option.Option<PreprocessedBenchmark>, StorageError>
    /** All benchmarks, most recent first (without their questions). */
    readonly list: Effect.Effect<ReadonlyArray<PreprocessedBenchmark>, StorageError>
    /** A benchmark's questions in file order. */
    readonly questions: (benchmarkId: string) => Effect.Effect<ReadonlyArray<Question>, StorageError>
    /**
     * A benchmark's questions in file order, read a chunk at a time, so that a run holds only the
     * questions it is working on however large the benchmark.
     */
    readonly streamQuestions: (benchmarkId: string) => Stream.Stream<Question, StorageError>
  }
}
