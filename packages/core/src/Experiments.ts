/**
 * The application service for experiments: creates one from a grid (validating every agent entry,
 * its parameters and every benchmark before anything is stored, drawing the subsample once), runs
 * its cells as one grid run through the evaluation orchestrator's run loop, and finds and lists
 * them. Each cell is an ordinary evaluation.
 */
import { Effect, Option, Schema } from "effect"
import type { ModelParameters } from "./AgentConfig.js"
import type { Question } from "./Benchmark.js"
import { BenchmarkRepository } from "./BenchmarkRepository.js"
import type * as Evaluation from "./Evaluation.js"
import { type CellPlan, EvaluationOrchestrator, type RunOptions } from "./EvaluationOrchestrator.js"
import * as Experiment from "./Experiment.js"
import { ExperimentRepository } from "./ExperimentRepository.js"
import * as Ids from "./Ids.js"
import { ResultRepository } from "./ResultRepository.js"

/** No experiment has that id. */
export class ExperimentNotFound extends Schema.TaggedError<ExperimentNotFound>()("ExperimentNotFound", {
  experimentId: Schema.String
}) {
  override get message() {
    return `no experiment with id '${this.experimentId}'`
  }
}

/** Something in a grid is wrong; `path` names where (`agents[1].params.tree_depth`, `benchmarks[0]`). */
export class InvalidGrid extends Schema.TaggedError<InvalidGrid>()("InvalidGrid", {
  path: Schema.String,
  problem: Schema.String
}) {
  override get message() {
    return `${this.path}: ${this.problem}`
  }
}

/** One agent entry of a grid, as given. */
export interface AgentSpec {
  readonly agentType: string
  readonly agentParameters?: Readonly<Record<string, unknown>> | undefined
  readonly modelParameters?: Partial<ModelParameters> | undefined
  /** Default: `tot`, or `tot(tree_depth=2)` with parameters. */
  readonly label?: string | undefined
}

/** What `create` needs. */
export interface CreateOptions {
  readonly name?: string | undefined
  /** The first is the baseline. */
  readonly agents: ReadonlyArray<AgentSpec>
  readonly models: ReadonlyArray<string>
  readonly benchmarks: ReadonlyArray<string>
  /** Default 1. */
  readonly repeats?: number | undefined
  readonly sample?: { readonly size: number; readonly seed: number } | undefined
  readonly budgetUsd?: number | undefined
  /** Configured defaults of an agent type (e.g. from `TOT_AGENT_DEFAULTS`), under each entry's own. */
  readonly defaults?: ((agentType: string) => { readonly model: Record<string, unknown>; readonly agent: Record<string, unknown> }) | undefined
}

/** A created experiment and what its cost bound needs. */
export interface Created {
  readonly experiment: Experiment.Experiment
  readonly evaluations: ReadonlyArray<Evaluation.Evaluation>
  /** Per cell (in order): the most model calls one question can take. */
  readonly maxCallsPerQuestion: ReadonlyArray<number>
  /** The questions each benchmark's cells ask (the sample, or all), by benchmark name. */
  readonly questions: ReadonlyMap<string, ReadonlyArray<Question>>
}

/** How to run an experiment: as an evaluation is run, `maxCostUsd` being the budget of the whole experiment. */
export type ExperimentRunOptions = RunOptions

const duplicates = <A>(items: ReadonlyArray<A>): Array<number> => {
  const seen = new Set<A>()
  const out: Array<number> = []
  items.forEach((item, i) => {
    if (seen.has(item)) out.push(i)
    seen.add(item)
  })
  return out
}

/** The experiments service. */
export class Experiments extends Effect.Service<Experiments>()("@ml-agents/core/Experiments", {
  effect: Effect.gen(function*() {
    const orchestrator = yield* EvaluationOrchestrator
    const repository = yield* ExperimentRepository
    const benchmarks = yield* BenchmarkRepository
    const results = yield* ResultRepository

    const get = (id: string) =>
      repository.findById(id).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new ExperimentNotFound({ experimentId: id })),
          onSome: Effect.succeed
        }))
      )

    /** Checks the whole grid and stores the experiment with its cells; nothing is stored when any of it is wrong. */
    const create = Effect.fn("Experiments.create")(function*(options: CreateOptions) {
      const repeats = options.repeats ?? 1
      const lists = [["agents", options.agents], ["models", options.models], ["benchmarks", options.benchmarks]] as const
      for (const [key, list] of lists) {
        if (list.length === 0) return yield* new InvalidGrid({ path: key, problem: "is empty; list at least one" })
      }
      if (!Number.isInteger(repeats) || repeats < 1 || repeats > 100) {
        return yield* new InvalidGrid({ path: "repeats", problem: `must be a whole number from 1 to 100, got ${repeats}` })
      }
      if (options.sample !== undefined && (!Number.isInteger(options.sample.size) || options.sample.size < 1)) {
        return yield* new InvalidGrid({ path: "sample", problem: `must be a positive whole number, got ${options.sample.size}` })
      }
      if (options.sample !== undefined && !Number.isInteger(options.sample.seed)) {
        return yield* new InvalidGrid({ path: "seed", problem: `must be a whole number, got ${options.sample.seed}` })
      }
      if (options.budgetUsd !== undefined && !(options.budgetUsd > 0)) {
        return yield* new InvalidGrid({ path: "budget", problem: `must be a positive amount of USD, got ${options.budgetUsd}` })
      }
      for (const [key, list] of [["models", options.models], ["benchmarks", options.benchmarks]] as const) {
        const [again] = duplicates(list)
        if (again !== undefined) return yield* new InvalidGrid({ path: `${key}[${again}]`, problem: `'${list[again]}' is listed twice` })
      }
      // Where in the grid a problem found while preparing a cell lies; storage failures stay what they are.
      const at = (agent: number) => <E extends { readonly _tag: string; readonly message: string }>(error: E) =>
        error._tag === "StorageError"
          ? error
          : new InvalidGrid({
            path: error._tag === "BenchmarkNotFound"
              ? "benchmarks"
              : `agents[${agent}]${error._tag === "AgentNotFound" ? ".agent" : error._tag === "InvalidAgentParameters" ? ".params" : ""}`,
            problem: error.message
          })

      const found = yield* Effect.forEach(options.benchmarks, (name, j) =>
        benchmarks.findByName(name).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new InvalidGrid({ path: `benchmarks[${j}]`, problem: `no benchmark named '${name}' is imported` })),
            onSome: Effect.succeed
          }))
        ))
      // Every agent entry on every benchmark, validated the way `evaluate create` validates one.
      const entries = yield* Effect.forEach(options.agents, (spec, i) =>
        Effect.gen(function*() {
          const first = yield* orchestrator.prepare({
            agentType: spec.agentType,
            model: options.models[0]!,
            benchmarkName: options.benchmarks[0]!,
            modelParameters: spec.modelParameters,
            agentParameters: spec.agentParameters,
            defaults: options.defaults?.(spec.agentType)
          }).pipe(Effect.mapError(at(i)))
          return new Experiment.GridAgent({
            label: spec.label ?? Experiment.labelOf(first.evaluation.agentConfig.agentType, spec.agentParameters ?? {}, spec.modelParameters ?? {}),
            agentType: first.evaluation.agentConfig.agentType,
            agentParameters: { ...spec.agentParameters },
            modelParameters: new Experiment.ModelOverrides({ ...spec.modelParameters })
          })
        }))
      const [sameLabel] = duplicates(entries.map((e) => e.label))
      if (sameLabel !== undefined) {
        return yield* new InvalidGrid({
          path: `agents[${sameLabel}]`,
          problem: `'${entries[sameLabel]!.label}' is listed twice; give the entries different parameters or labels`
        })
      }
      const questions = new Map<string, ReadonlyArray<Question>>()
      const samples: Array<Experiment.BenchmarkSample> = []
      for (const benchmark of found) {
        const all = yield* benchmarks.questions(benchmark.id)
        const asked = options.sample === undefined ? all : Experiment.sample(all, options.sample.size, options.sample.seed)
        questions.set(benchmark.name, asked)
        if (options.sample !== undefined) {
          samples.push(new Experiment.BenchmarkSample({
            benchmarkId: benchmark.id,
            benchmarkName: benchmark.name,
            questionIds: asked.map((q) => q.id)
          }))
        }
      }
      const grid = new Experiment.Grid({
        agents: entries as unknown as readonly [Experiment.GridAgent, ...Array<Experiment.GridAgent>],
        models: options.models as unknown as readonly [string, ...Array<string>],
        benchmarks: options.benchmarks as unknown as readonly [string, ...Array<string>],
        repeats,
        sample: options.sample === undefined ? null : new Experiment.SampleSpec(options.sample)
      })
      const specOf = new Map(entries.map((e, i) => [e.label, options.agents[i]!] as const))
      const prepared = yield* Effect.forEach(Experiment.coordinates(grid), (cell) => {
        const spec = specOf.get(cell.agent)!
        return orchestrator.prepare({
          agentType: spec.agentType,
          model: cell.model,
          benchmarkName: cell.benchmark,
          modelParameters: spec.modelParameters,
          agentParameters: spec.agentParameters,
          defaults: options.defaults?.(spec.agentType)
        }).pipe(Effect.map((p) => ({ ...p, cell })), Effect.mapError(at(entries.findIndex((e) => e.label === cell.agent))))
      })
      const id = yield* Ids.make("exp")
      const experiment = new Experiment.Experiment({
        id,
        name: options.name ?? `${entries.map((e) => e.label).join(" vs ")} on ${options.benchmarks.join(", ")}`,
        grid,
        baseline: entries[0]!.label,
        budgetUsd: options.budgetUsd ?? null,
        createdAt: prepared[0]!.evaluation.createdAt,
        cells: prepared.map((p) => new Experiment.Cell({ evaluationId: p.evaluation.id, ...p.cell })),
        samples
      })
      const cells = prepared.map((p) => p.evaluation)
      yield* repository.create(experiment, cells)
      return {
        experiment,
        evaluations: cells,
        maxCallsPerQuestion: prepared.map((p) => p.maxCallsPerQuestion),
        questions
      } satisfies Created
    })

    /** The cells' evaluations, in the experiment's order. */
    const cellsOf = (experiment: Experiment.Experiment) =>
      Effect.forEach(experiment.cells, (cell) => orchestrator.get(cell.evaluationId))

    /**
     * Runs (or resumes) every cell that is not completed, as one run; `maxCostUsd` (default the
     * experiment's budget) covers the whole experiment, completed cells' cost included.
     */
    const run = Effect.fn("Experiments.run")(function*(id: string, options: ExperimentRunOptions = {}) {
      const experiment = yield* get(id)
      const cells = yield* cellsOf(experiment)
      const open = cells.filter((e) => e.status !== "completed")
      let spentElsewhereUsd = 0
      for (const done of cells.filter((e) => e.status === "completed")) spentElsewhereUsd += (yield* results.summarize(done.id)).costUsd
      const plans: Array<CellPlan> = open.map((e) => ({ evaluationId: e.id, questions: Experiment.sampleOf(experiment, e.benchmarkId) }))
      const outcomes = plans.length === 0 ? [] : yield* orchestrator.runGrid(plans, {
        ...options,
        maxCostUsd: options.maxCostUsd ?? experiment.budgetUsd ?? undefined,
        runId: experiment.id,
        spentElsewhereUsd
      })
      return { experiment, outcomes, alreadyCompleted: cells.length - open.length }
    })

    const list = Effect.fn("Experiments.list")(function*(limit?: number) {
      return yield* repository.list({ limit })
    })

    /** Each cell's evaluation, with the number of questions it asks and the answer kind it is graded as. */
    const cells = Effect.fn("Experiments.cells")(function*(experiment: Experiment.Experiment) {
      const all = yield* cellsOf(experiment)
      return yield* Effect.forEach(all, (evaluation, i) =>
        Effect.gen(function*() {
          const sample = Experiment.sampleOf(experiment, evaluation.benchmarkId)
          const benchmark = yield* benchmarks.findById(evaluation.benchmarkId)
          const total = sample?.size ?? Option.match(benchmark, { onNone: () => 0, onSome: (b) => b.questionCount })
          const benchmarkKind = Option.match(benchmark, {
            onNone: () => null,
            onSome: (b) => (typeof b.metadata.answerKind === "string" ? b.metadata.answerKind : null)
          })
          return { cell: experiment.cells[i]!, evaluation, total, answerKind: evaluation.answerKind ?? benchmarkKind }
        }))
    })

    return { create, get, run, list, cells } as const
  })
}) {}
