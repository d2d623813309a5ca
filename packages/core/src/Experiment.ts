/**
 * The Experiment: the unit of research. A grid of agents (each with its parameters; the same agent
 * may appear twice with other parameters) × models × benchmarks × repeats, each cell an ordinary
 * evaluation, optionally on a seeded subsample of each benchmark that every cell of it shares, so
 * every comparison is paired on the same questions. The first agent listed is the baseline the
 * others are compared with. Its status and its answer are computed from its cells, never stored.
 */
import { Schema } from "effect"
import type { Question } from "./Benchmark.js"
import type { EvaluationStatus } from "./Evaluation.js"
import { mulberry32 } from "./Statistics.js"

/** Experiment ids look like `exp_k3x9q2ab`. */
export const ExperimentId = Schema.String.pipe(Schema.pattern(/^exp_[a-z0-9]{4,16}$/))

/** Sampling overrides of one agent entry (absent: the agent's and the configured defaults). */
export class ModelOverrides extends Schema.Class<ModelOverrides>("ModelOverrides")({
  temperature: Schema.optional(Schema.Number),
  maxTokens: Schema.optional(Schema.Int),
  topP: Schema.optional(Schema.Number)
}) {}

/** One agent of the grid, with the parameters given for it and the label that names it in every figure. */
export class GridAgent extends Schema.Class<GridAgent>("GridAgent")({
  /** `tot`, or `tot(tree_depth=2)` when parameters were given; unique within the grid. */
  label: Schema.String,
  agentType: Schema.String,
  /** The agent parameters given for this entry (defaults are filled in on each cell's evaluation). */
  agentParameters: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  modelParameters: ModelOverrides
}) {}

/** A seeded subsample: `size` questions of each benchmark, stratified by its `category` column when it has one. */
export class SampleSpec extends Schema.Class<SampleSpec>("SampleSpec")({
  size: Schema.Int.pipe(Schema.positive()),
  seed: Schema.Int
}) {}

/** The grid: what is crossed with what. */
export class Grid extends Schema.Class<Grid>("Grid")({
  agents: Schema.NonEmptyArray(GridAgent),
  models: Schema.NonEmptyArray(Schema.String),
  benchmarks: Schema.NonEmptyArray(Schema.String),
  repeats: Schema.Int.pipe(Schema.positive()),
  sample: Schema.NullOr(SampleSpec)
}) {}

/** One cell: its coordinates in the grid and the evaluation that runs it. */
export class Cell extends Schema.Class<Cell>("Cell")({
  evaluationId: Schema.String,
  /** The agent entry's label. */
  agent: Schema.String,
  model: Schema.String,
  benchmark: Schema.String,
  /** 1-based. */
  repeat: Schema.Int.pipe(Schema.positive())
}) {}

/** The questions every cell of one benchmark asks, in benchmark order. */
export class BenchmarkSample extends Schema.Class<BenchmarkSample>("BenchmarkSample")({
  benchmarkId: Schema.String,
  benchmarkName: Schema.String,
  questionIds: Schema.Array(Schema.String)
}) {}

/** An experiment as stored. */
export class Experiment extends Schema.Class<Experiment>("Experiment")({
  id: Schema.String,
  name: Schema.String,
  grid: Grid,
  /** The label of the baseline agent entry: the first listed. */
  baseline: Schema.String,
  /** The experiment's budget in USD (all cells together); null for none. */
  budgetUsd: Schema.NullOr(Schema.Number),
  createdAt: Schema.Date,
  /** In grid order: agent, then model, then benchmark, then repeat. */
  cells: Schema.Array(Cell),
  /** One per benchmark when the grid has a subsample; empty when every cell asks its whole benchmark. */
  samples: Schema.Array(BenchmarkSample)
}) {}

/** `tot`, or `tot(tree_depth=2, max_tokens=800)` for an entry with parameters. */
export const labelOf = (
  agentType: string,
  agentParameters: Readonly<Record<string, unknown>>,
  modelParameters: Readonly<Record<string, unknown>> = {}
): string => {
  const names: Record<string, string> = { maxTokens: "max_tokens", topP: "top_p" }
  const parts = [
    ...Object.entries(agentParameters),
    ...Object.entries(modelParameters).filter(([, v]) => v !== undefined).map(([k, v]) => [names[k] ?? k, v] as const)
  ].map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
  return parts.length === 0 ? agentType : `${agentType}(${parts.join(", ")})`
}

/** The cells' coordinates, in grid order (agent, model, benchmark, repeat). */
export const coordinates = (grid: Grid): Array<Omit<Cell, "evaluationId">> => {
  const out: Array<Omit<Cell, "evaluationId">> = []
  for (const agent of grid.agents) {
    for (const model of grid.models) {
      for (const benchmark of grid.benchmarks) {
        for (let repeat = 1; repeat <= grid.repeats; repeat++) out.push({ agent: agent.label, model, benchmark, repeat })
      }
    }
  }
  return out
}

/** The metadata column a subsample is stratified by, when a benchmark has it. */
export const STRATUM_COLUMN = "category"

/**
 * A seeded, stratified subsample of `size` questions, returned in benchmark order. Questions are
 * grouped by their `category` value (one group when no question has one); each group gets its
 * share of `size` by largest remainder (ties to the larger group, then the first seen), and its
 * questions are drawn by a Fisher–Yates shuffle from mulberry32(seed). The same questions and seed
 * always give the same sample. With `size` at least the number of questions, all of them.
 */
export const sample = (questions: ReadonlyArray<Question>, size: number, seed: number): Array<Question> => {
  if (size >= questions.length) return [...questions]
  const key = (q: Question) => {
    const entry = Object.entries(q.metadata).find(([k]) => k.toLowerCase() === STRATUM_COLUMN)
    return entry === undefined ? "" : entry[1]
  }
  const groups = new Map<string, Array<number>>()
  questions.forEach((q, i) => {
    const k = key(q)
    const g = groups.get(k)
    if (g === undefined) groups.set(k, [i])
    else g.push(i)
  })
  const entries = [...groups.entries()]
  const quotas = entries.map(([, g]) => (g.length * size) / questions.length)
  const counts = quotas.map(Math.floor)
  let left = size - counts.reduce((a, b) => a + b, 0)
  const order = entries.map((_, i) => i).sort((a, b) =>
    (quotas[b]! - counts[b]!) - (quotas[a]! - counts[a]!) || entries[b]![1].length - entries[a]![1].length || a - b
  )
  for (const i of order) {
    if (left === 0) break
    if (counts[i]! < entries[i]![1].length) {
      counts[i]!++
      left--
    }
  }
  const random = mulberry32(seed)
  const chosen: Array<number> = []
  entries.forEach(([, g], gi) => {
    const pool = [...g]
    const k = counts[gi]!
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (pool.length - i))
      const t = pool[i]!
      pool[i] = pool[j]!
      pool[j] = t
      chosen.push(pool[i]!)
    }
  })
  return chosen.sort((a, b) => a - b).map((i) => questions[i]!)
}

/** An experiment's status, from its cells': running while any runs, completed when all are, else the most telling. */
export const statusOf = (cells: ReadonlyArray<EvaluationStatus>): EvaluationStatus | "partial" => {
  if (cells.length === 0 || cells.every((s) => s === "pending")) return "pending"
  if (cells.every((s) => s === "completed")) return "completed"
  if (cells.some((s) => s === "running")) return "running"
  if (cells.some((s) => s === "failed")) return "failed"
  if (cells.some((s) => s === "interrupted")) return "interrupted"
  return "partial"
}

/** The sample of one benchmark of an experiment, as a set; undefined when its cells ask the whole benchmark. */
export const sampleOf = (experiment: Experiment, benchmarkId: string): ReadonlySet<string> | undefined => {
  const found = experiment.samples.find((s) => s.benchmarkId === benchmarkId)
  return found === undefined ? undefined : new Set(found.questionIds)
}
