/**
 * The SQLite ExperimentRepository on a real file: an experiment, its cells' evaluations and its
 * subsample are stored together and read back equal; a cell's experiment is found from its
 * evaluation; a failure stores nothing at all.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { BenchmarkRepository, EvaluationRepository, Experiment, ExperimentRepository } from "@ml-agents/core"
import { Effect, Option } from "effect"
import { at, benchmark, evaluation, questions, withDatabase } from "./fixtures.js"

const Repo = ExperimentRepository.ExperimentRepository

const grid = new Experiment.Grid({
  agents: [
    new Experiment.GridAgent({ label: "none", agentType: "none", agentParameters: {}, modelParameters: new Experiment.ModelOverrides({}) }),
    new Experiment.GridAgent({
      label: "tot(tree_depth=2)",
      agentType: "tot",
      agentParameters: { tree_depth: 2 },
      modelParameters: new Experiment.ModelOverrides({ maxTokens: 800 })
    })
  ],
  models: ["openai/gpt-4o-mini"],
  benchmarks: ["GPQA", "FOLIO"],
  repeats: 1,
  sample: new Experiment.SampleSpec({ size: 2, seed: 7 })
})

const setup = Effect.gen(function*() {
  const benchmarks = yield* BenchmarkRepository.BenchmarkRepository
  const gpqa = benchmark("GPQA", 4)
  const folio = benchmark("FOLIO", 4)
  yield* benchmarks.create(gpqa, questions(4))
  yield* benchmarks.create(folio, questions(4))
  const cells = Experiment.coordinates(grid).map((c, i) => ({ ...c, evaluation: evaluation(`eval_cell${i}x`, c.benchmark === "GPQA" ? gpqa : folio) }))
  const experiment = new Experiment.Experiment({
    id: "exp_abc12345",
    name: "does tot help",
    grid,
    baseline: "none",
    budgetUsd: 2.5,
    createdAt: at(10),
    cells: cells.map((c) => new Experiment.Cell({ evaluationId: c.evaluation.id, agent: c.agent, model: c.model, benchmark: c.benchmark, repeat: c.repeat })),
    samples: [
      new Experiment.BenchmarkSample({ benchmarkId: gpqa.id, benchmarkName: "GPQA", questionIds: ["q1", "q3"] }),
      new Experiment.BenchmarkSample({ benchmarkId: folio.id, benchmarkName: "FOLIO", questionIds: ["q0", "q2"] })
    ]
  })
  return { experiment, evaluations: cells.map((c) => c.evaluation) }
})

describe("SqliteExperimentRepository", () => {
  it.scoped("stores an experiment with its cells' evaluations and its sample, and reads it back equal", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluations, experiment } = yield* setup
      yield* repo.create(experiment, evaluations)
      assert.deepStrictEqual(yield* repo.findById(experiment.id), Option.some(experiment))
      assert.deepStrictEqual(yield* repo.findByEvaluation(evaluations[2]!.id), Option.some(experiment))
      assert.deepStrictEqual(yield* repo.findByEvaluation("eval_other"), Option.none())
      assert.deepStrictEqual(yield* repo.list(), [experiment])
      // The cells are ordinary evaluations.
      const stored = yield* (yield* EvaluationRepository.EvaluationRepository).findById(evaluations[3]!.id)
      assert.deepStrictEqual(stored, Option.some(evaluations[3]!))
    })))

  it.scoped("a sample naming a question the benchmark does not have stores nothing at all", () =>
    withDatabase(Effect.gen(function*() {
      const repo = yield* Repo
      const { evaluations, experiment } = yield* setup
      const bad = new Experiment.Experiment({
        ...experiment,
        samples: [new Experiment.BenchmarkSample({ ...experiment.samples[0]!, questionIds: ["q1", "nope"] })]
      })
      const error = yield* Effect.flip(repo.create(bad, evaluations))
      assert.strictEqual(error._tag, "StorageError")
      const sql = yield* SqlClient.SqlClient
      const counts = yield* sql<{ n: number }>`SELECT (SELECT COUNT(*) FROM experiments) + (SELECT COUNT(*) FROM evaluations)
        + (SELECT COUNT(*) FROM experiment_cells) + (SELECT COUNT(*) FROM experiment_samples) AS n`
      assert.strictEqual(counts[0]!.n, 0)
      assert.deepStrictEqual(yield* repo.list(), [])
    })))
})
