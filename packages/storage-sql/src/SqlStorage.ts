/**
 * The layers both adapters compose: the repositories and the response cache on whatever
 * SqlClient is provided, in a dialect, with the dialect's own ResultRepository and WorkQueue.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type {
  BenchmarkRepository,
  EvaluationRepository,
  ExperimentRepository,
  ResponseCache,
  ResultRepository,
  WorkQueue
} from "@ml-agents/core"
import { Layer } from "effect"
import type { Dialect } from "./Dialect.js"
import * as SqlBenchmarkRepository from "./SqlBenchmarkRepository.js"
import * as SqlEvaluationRepository from "./SqlEvaluationRepository.js"
import * as SqlExperimentRepository from "./SqlExperimentRepository.js"
import * as SqlResponseCache from "./SqlResponseCache.js"

/** Everything a storage adapter provides. */
export type Services =
  | BenchmarkRepository.BenchmarkRepository
  | EvaluationRepository.EvaluationRepository
  | ResultRepository.ResultRepository
  | ExperimentRepository.ExperimentRepository
  | WorkQueue.WorkQueue
  | ResponseCache.ResponseCache
  | SqlClient.SqlClient

/** The four repositories. */
export type Repositories =
  | BenchmarkRepository.BenchmarkRepository
  | EvaluationRepository.EvaluationRepository
  | ResultRepository.ResultRepository
  | ExperimentRepository.ExperimentRepository

/** The four repositories, on whatever SqlClient is provided. */
export const repositories = (
  dialect: Dialect,
  results: Layer.Layer<ResultRepository.ResultRepository, never, SqlClient.SqlClient>
): Layer.Layer<Repositories, never, SqlClient.SqlClient> =>
  Layer.mergeAll(
    SqlBenchmarkRepository.layer(dialect),
    SqlEvaluationRepository.layer(dialect),
    results,
    SqlExperimentRepository.layer(dialect)
  )

/** The repositories, the response cache and the work queue, on whatever SqlClient is provided. */
export const services = (
  dialect: Dialect,
  specific: {
    readonly results: Layer.Layer<ResultRepository.ResultRepository, never, SqlClient.SqlClient>
    readonly workQueue: Layer.Layer<WorkQueue.WorkQueue, never, SqlClient.SqlClient | ResultRepository.ResultRepository>
  }
): Layer.Layer<Exclude<Services, SqlClient.SqlClient>, never, SqlClient.SqlClient> =>
  Layer.mergeAll(
    repositories(dialect, specific.results),
    SqlResponseCache.layer,
    specific.workQueue.pipe(Layer.provide(specific.results))
  )
