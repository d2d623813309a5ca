/**
 * ExperimentRepository on `SqlClient`: an experiment row (its grid as JSON), one row per cell
 * linking an ordinary evaluation to its coordinates, and the subsample's question ids per
 * benchmark, all written in one transaction with the cells' evaluations.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Evaluation, Experiment, ExperimentRepository } from "@ml-agents/core"
import { Array as Arr, Effect, Layer, Option, Schema } from "effect"
import { toStorageError } from "./StorageErrors.js"
import { EvaluationFromRow } from "./Rows.js"
import type { Dialect } from "./Dialect.js"

const ExperimentRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  grid: Schema.parseJson(Experiment.Grid),
  baseline: Schema.String,
  budget_usd: Schema.NullOr(Schema.Number),
  created_at: Schema.Date
})

const CellRow = Schema.Struct({
  experiment_id: Schema.String,
  evaluation_id: Schema.String,
  agent_label: Schema.String,
  model_name: Schema.String,
  benchmark_name: Schema.String,
  repeat: Schema.Int
})

const SampleRow = Schema.Struct({
  experiment_id: Schema.String,
  benchmark_id: Schema.String,
  benchmark_name: Schema.String,
  question_id: Schema.String
})

/** Rows per INSERT statement: well under the bound-parameter limits of SQLite and PostgreSQL. */
const INSERT_CHUNK = 500

/** Builds the repository on the SqlClient in context, in the given dialect. */
export const make = (dialect: Dialect): Effect.Effect<ExperimentRepository.ExperimentRepository.Service, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const durable = yield* dialect.durable
    const encodeEvaluation = Schema.encode(EvaluationFromRow)
    const encodeExperiment = Schema.encode(ExperimentRow)
    const decodeExperiment = Schema.decodeUnknown(ExperimentRow)
    const decodeCells = Schema.decodeUnknown(Schema.Array(CellRow))
    const decodeSamples = Schema.decodeUnknown(Schema.Array(SampleRow))

    const create = Effect.fn("ExperimentRepository.create")(
      function*(experiment: Experiment.Experiment, evaluations: ReadonlyArray<Evaluation.Evaluation>) {
        const row = yield* encodeExperiment({
          id: experiment.id,
          name: experiment.name,
          grid: experiment.grid,
          baseline: experiment.baseline,
          budget_usd: experiment.budgetUsd,
          created_at: experiment.createdAt
        })
        const evaluationRows = yield* Effect.forEach(evaluations, (e) => encodeEvaluation(e))
        const cellRows = experiment.cells.map((c, position) => ({
          experiment_id: experiment.id,
          position,
          evaluation_id: c.evaluationId,
          agent_label: c.agent,
          model_name: c.model,
          benchmark_name: c.benchmark,
          repeat: c.repeat
        }))
        const sampleRows = experiment.samples.flatMap((s) =>
          s.questionIds.map((questionId, position) => ({
            experiment_id: experiment.id,
            benchmark_id: s.benchmarkId,
            benchmark_name: s.benchmarkName,
            position,
            question_id: questionId
          }))
        )
        yield* sql.withTransaction(Effect.gen(function*() {
          for (const chunk of Arr.chunksOf(evaluationRows, INSERT_CHUNK)) yield* sql`INSERT INTO evaluations ${sql.insert(chunk)}`
          yield* sql`INSERT INTO experiments ${sql.insert(row)}`
          for (const chunk of Arr.chunksOf(cellRows, INSERT_CHUNK)) yield* sql`INSERT INTO experiment_cells ${sql.insert(chunk)}`
          for (const chunk of Arr.chunksOf(sampleRows, INSERT_CHUNK)) yield* sql`INSERT INTO experiment_samples ${sql.insert(chunk)}`
        }))
      },
      Effect.mapError(toStorageError("ExperimentRepository.create")),
      (effect) => Effect.zipRight(effect, durable)
    )

    /** The experiments of these rows, with their cells and samples. */
    const assemble = (rows: ReadonlyArray<unknown>) =>
      Effect.forEach(rows, (raw) =>
        Effect.gen(function*() {
          const row = yield* decodeExperiment(raw)
          const cells = yield* decodeCells(
            yield* sql`SELECT * FROM experiment_cells WHERE experiment_id = ${row.id} ORDER BY position`
          )
          const samples = yield* decodeSamples(
            yield* sql`SELECT experiment_id, benchmark_id, benchmark_name, question_id FROM experiment_samples
              WHERE experiment_id = ${row.id} ORDER BY benchmark_id, position`
          )
          const byBenchmark = new Map<string, { benchmarkName: string; questionIds: Array<string> }>()
          for (const s of samples) {
            const entry = byBenchmark.get(s.benchmark_id) ?? { benchmarkName: s.benchmark_name, questionIds: [] }
            entry.questionIds.push(s.question_id)
            byBenchmark.set(s.benchmark_id, entry)
          }
          return new Experiment.Experiment({
            id: row.id,
            name: row.name,
            grid: row.grid,
            baseline: row.baseline,
            budgetUsd: row.budget_usd,
            createdAt: row.created_at,
            cells: cells.map((c) =>
              new Experiment.Cell({
                evaluationId: c.evaluation_id,
                agent: c.agent_label,
                model: c.model_name,
                benchmark: c.benchmark_name,
                repeat: c.repeat
              })
            ),
            // In the grid's order of benchmarks.
            samples: [...byBenchmark.entries()].sort(([, a], [, b]) =>
              row.grid.benchmarks.indexOf(a.benchmarkName) - row.grid.benchmarks.indexOf(b.benchmarkName)
            ).map(([benchmarkId, s]) =>
              new Experiment.BenchmarkSample({ benchmarkId, benchmarkName: s.benchmarkName, questionIds: s.questionIds })
            )
          })
        }))

    const findById = Effect.fn("ExperimentRepository.findById")(
      function*(id: string) {
        const found = yield* assemble(yield* sql`SELECT * FROM experiments WHERE id = ${id}`)
        return Option.fromNullable(found[0])
      },
      Effect.mapError(toStorageError("ExperimentRepository.findById"))
    )

    const findByEvaluation = Effect.fn("ExperimentRepository.findByEvaluation")(
      function*(evaluationId: string) {
        const found = yield* assemble(
          yield* sql`SELECT x.* FROM experiments x JOIN experiment_cells c ON c.experiment_id = x.id
            WHERE c.evaluation_id = ${evaluationId}`
        )
        return Option.fromNullable(found[0])
      },
      Effect.mapError(toStorageError("ExperimentRepository.findByEvaluation"))
    )

    const list = Effect.fn("ExperimentRepository.list")(
      function*(options: ExperimentRepository.ListOptions = {}) {
        return yield* assemble(
          yield* sql`SELECT * FROM experiments ORDER BY created_at DESC, ${dialect.byteOrder(sql, "id")} ${dialect.limit(sql, options.limit)}`
        )
      },
      Effect.mapError(toStorageError("ExperimentRepository.list"))
    )

    return ExperimentRepository.ExperimentRepository.of({ create, findById, findByEvaluation, list })
  })

/** The ExperimentRepository, on the SqlClient, in the given dialect. */
export const layer = (dialect: Dialect): Layer.Layer<ExperimentRepository.ExperimentRepository, never, SqlClient.SqlClient> =>
  Layer.effect(ExperimentRepository.ExperimentRepository, make(dialect))
