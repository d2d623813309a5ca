/**
 * Names for core's service types. Spelled through `Context.Tag` helpers rather than as
 * `BenchmarkRepository.BenchmarkRepository.Service`, because core's bundled declaration file
 * keeps only the value side of its Tag classes (the class/namespace merge is lost), so the
 * direct spelling does not type-check against core's `dist`.
 */
import type { BenchmarkRepository, EvaluationRepository, ResultRepository } from "@ml-agents/core"
import type { Context } from "effect"

/** The BenchmarkRepository service identifier. */
export type BenchmarkRepositoryId = Context.Tag.Identifier<typeof BenchmarkRepository.BenchmarkRepository>
/** What a BenchmarkRepository does. */
export type BenchmarkRepositoryService = Context.Tag.Service<typeof BenchmarkRepository.BenchmarkRepository>
/** The EvaluationRepository service identifier. */
export type EvaluationRepositoryId = Context.Tag.Identifier<typeof EvaluationRepository.EvaluationRepository>
/** What an EvaluationRepository does. */
export type EvaluationRepositoryService = Context.Tag.Service<typeof EvaluationRepository.EvaluationRepository>
/** The ResultRepository service identifier. */
export type ResultRepositoryId = Context.Tag.Identifier<typeof ResultRepository.ResultRepository>
/** What a ResultRepository does. */
export type ResultRepositoryService = Context.Tag.Service<typeof ResultRepository.ResultRepository>
