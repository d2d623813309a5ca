/**
 * The figures of a report on evaluations: every figure `ml-agents report` draws, as plain
 * JSON-ready values (what `report --json` prints), the pure functions that build them from stored
 * evaluations, their aggregated results and one pass over their rows, and `gather`, which reads
 * them from the repositories (and the rows of the evaluations' repeats, for pass@k). A renderer (the CLI's HTML page, or any other front end) only
 * formats them.
 */
import { Effect, Option, Schema } from "effect"
import { BenchmarkRepository } from "./BenchmarkRepository.js"
import * as Comparisons from "./Comparison.js"
import type { Comparison, Subject } from "./Comparison.js"
import type * as Evaluation from "./Evaluation.js"
import type * as EvaluationResults from "./EvaluationResults.js"
import * as Grading from "./Grading.js"
import * as PassAtK from "./PassAtK.js"
import type * as QuestionResult from "./QuestionResult.js"
import { ResultRepository } from "./ResultRepository.js"
import * as Statistics from "./Statistics.js"

/** An accuracy: correct of n, with its Wilson interval. */
export interface Accuracy extends Statistics.Interval {
  readonly correct: number
  readonly n: number
}

/** One evaluation, as the summary table and the charts show it. */
export interface EvaluationEntry {
  /** 1-based position on the command line: the "#" that keys the tables and charts. */
  readonly index: number
  readonly id: string
  /** "agent (model)"; evaluations with the same name are told apart by their index and id. */
  readonly label: string
  readonly agent: string
  readonly model: string
  readonly provider: string
  /** Sampling parameters as the API names them (temperature, max_tokens, top_p); unset ones omitted. */
  readonly modelParameters: Readonly<Record<string, number>>
  readonly agentParameters: Readonly<Record<string, unknown>>
  readonly benchmark: string
  readonly status: Evaluation.EvaluationStatus
  /** "category: description" when the evaluation failed. */
  readonly failure: string | null
  readonly questions: { readonly answered: number; readonly total: number }
  /** Completed with every question answered; anything else is partial. */
  readonly complete: boolean
  /** Null when no question has a result yet. */
  readonly accuracy: Accuracy | null
  readonly outcomes: {
    readonly correct: number
    readonly wrong: number
    readonly noAnswer: number
    readonly errors: number
    readonly errorsByCategory: Readonly<Record<string, number>>
  }
  /** Reasoning tokens are part of completion tokens. */
  readonly tokens: { readonly prompt: number; readonly completion: number; readonly reasoning: number; readonly total: number }
  readonly cost: {
    /** Sum of the reported costs; null when no question reported one. */
    readonly totalUsd: number | null
    /** Questions whose cost the provider reported. */
    readonly reportedQuestions: number
    /** Mean over the questions that reported a cost. */
    readonly perQuestionUsd: number | null
    /** Total cost / correct answers; null without a cost or without a correct answer. */
    readonly perCorrectUsd: number | null
  }
  /** Question execution time (retries included), summed and per question. */
  readonly time: { readonly totalMs: number; readonly meanMs: number }
  readonly calls: { readonly llm: number; readonly retried: number; readonly cached: number }
  /** Grader versions found on the results. */
  readonly graderVersions: ReadonlyArray<string>
  readonly createdAt: string
  readonly completedAt: string | null
}

/** One evaluation's accuracy within one category. */
export interface CategoryCell extends Accuracy {
  readonly evaluationId: string
}

/** The accuracy of each evaluation that has questions in a category. */
export interface CategoryGroup {
  /** The metadata value; null for questions without one. */
  readonly value: string | null
  readonly cells: ReadonlyArray<CategoryCell>
}

/** The paired comparisons with the baseline (the first evaluation). */
export interface ComparisonSection {
  readonly baseline: Subject
  readonly pValueAdjustment: "holm" | "none"
  readonly verdictRule: string
  readonly comparisons: ReadonlyArray<Comparison>
  /** Candidates sharing no question with the baseline. */
  readonly unpaired: ReadonlyArray<Subject>
}

/** pass@k over one set of repeats (several samples per question) of the report's evaluations. */
export interface PassAtKEntry {
  /** The report's evaluations among these repeats, in the report's order. */
  readonly evaluationIds: ReadonlyArray<string>
  /** pass@1 … pass@k over every repeat, those not in the report included (`summary.evaluations`). */
  readonly summary: PassAtK.Summary
}

/** Everything in a report. */
export interface Report {
  readonly title: string
  /** ISO 8601, UTC. */
  readonly generatedAt: string
  /** The ml-agents version that made it. */
  readonly version: string
  readonly graders: { readonly current: string; readonly used: ReadonlyArray<string> }
  readonly confidence: number
  readonly bootstrap: { readonly iterations: number; readonly confidence: number; readonly seed: number }
  readonly evaluations: ReadonlyArray<EvaluationEntry>
  /** Accuracy by the benchmarks' category column; null when no benchmark has it. */
  readonly breakdown: { readonly column: string; readonly groups: ReadonlyArray<CategoryGroup> } | null
  /** Null with a single evaluation. */
  readonly comparison: ComparisonSection | null
  /** One entry per set of repeats with two samples of a question or more; empty when there is none. */
  readonly passAtK: ReadonlyArray<PassAtKEntry>
}

/** What one pass over an evaluation's rows adds to its aggregated results. */
export interface RowFacts {
  /** Questions whose provider reported a cost. */
  costReported: number
  readonly graderVersions: Set<string>
}

/** Collects RowFacts per evaluation from the rows a comparison reads. */
export const rowFacts = () => {
  const facts = new Map<string, RowFacts>()
  const of = (id: string): RowFacts => {
    let f = facts.get(id)
    if (f === undefined) {
      f = { costReported: 0, graderVersions: new Set() }
      facts.set(id, f)
    }
    return f
  }
  const observe = (row: QuestionResult.EvaluationQuestionResult): void => {
    const f = of(row.evaluationId)
    if (row.costUsd !== null) f.costReported++
    if (row.graderVersion !== null) f.graderVersions.add(row.graderVersion)
  }
  return { observe, of }
}

/** An accuracy with its Wilson interval at `confidence`; null when n is 0. */
export const accuracy = (correct: number, n: number, confidence: number): Accuracy | null =>
  n === 0 ? null : { correct, n, ...Statistics.wilson(correct, n, confidence) }

const modelParameters = (p: Evaluation.Evaluation["agentConfig"]["modelParameters"]): Record<string, number> => {
  const out: Record<string, number> = {}
  if (p.temperature !== undefined) out.temperature = p.temperature
  if (p.maxTokens !== undefined) out.max_tokens = p.maxTokens
  if (p.topP !== undefined) out.top_p = p.topP
  return out
}

/** The report's entry for one evaluation. */
export const entry = (input: {
  readonly index: number
  readonly evaluation: Evaluation.Evaluation
  readonly results: EvaluationResults.EvaluationResults
  readonly totalQuestions: number
  readonly facts: RowFacts
  readonly confidence: number
}): EvaluationEntry => {
  const { evaluation: e, facts, results: r } = input
  const costUsd = facts.costReported === 0 ? null : r.costUsd
  return {
    index: input.index,
    id: e.id,
    label: `${e.agentConfig.agentType} (${e.agentConfig.modelName})`,
    agent: e.agentConfig.agentType,
    model: e.agentConfig.modelName,
    provider: e.agentConfig.modelProvider,
    modelParameters: modelParameters(e.agentConfig.modelParameters),
    agentParameters: e.agentConfig.agentParameters,
    benchmark: e.benchmarkName,
    status: e.status,
    failure: e.failureReason === null ? null : `${e.failureReason.category}: ${e.failureReason.description}`,
    questions: { answered: r.processed, total: input.totalQuestions },
    complete: e.status === "completed" && r.processed >= input.totalQuestions,
    accuracy: accuracy(r.correct, r.processed, input.confidence),
    outcomes: {
      correct: r.correct,
      wrong: r.incorrect,
      noAnswer: r.noAnswer,
      errors: r.errors,
      errorsByCategory: r.errorsByCategory
    },
    tokens: {
      prompt: r.usage.promptTokens,
      completion: r.usage.completionTokens,
      reasoning: r.usage.reasoningTokens,
      total: r.usage.totalTokens
    },
    cost: {
      totalUsd: costUsd,
      reportedQuestions: facts.costReported,
      perQuestionUsd: costUsd === null ? null : costUsd / facts.costReported,
      perCorrectUsd: costUsd === null || r.correct === 0 ? null : costUsd / r.correct
    },
    time: { totalMs: r.totalTimeMs, meanMs: r.averageTimeMs },
    calls: { llm: r.llmCalls, retried: r.retries, cached: r.cachedCalls },
    graderVersions: [...facts.graderVersions].sort(),
    createdAt: e.createdAt.toISOString(),
    completedAt: e.completedAt?.toISOString() ?? null
  }
}

/** Turns per-evaluation breakdowns into one group per value, each with a cell per evaluation that has it. */
export const pivot = (
  perEvaluation: ReadonlyArray<{
    readonly evaluationId: string
    readonly groups: ReadonlyArray<{ readonly value: string | null; readonly processed: number; readonly correct: number }>
  }>,
  confidence: number
): Array<CategoryGroup> => {
  const byValue = new Map<string | null, Array<CategoryCell>>()
  for (const { evaluationId, groups } of perEvaluation) {
    for (const g of groups) {
      const a = accuracy(g.correct, g.processed, confidence)
      if (a === null) continue
      const cells = byValue.get(g.value) ?? []
      cells.push({ evaluationId, ...a })
      byValue.set(g.value, cells)
    }
  }
  // Named values in order, then the questions without one.
  const values = [...byValue.keys()].sort((a, b) =>
    a === null ? 1 : b === null ? -1 : a.localeCompare(b, "en", { numeric: true })
  )
  return values.map((value) => ({ value, cells: byValue.get(value)! }))
}

/** The question metadata column the accuracy is broken down by, unless another is named. */
export const DEFAULT_COLUMN = "category"

/** No benchmark of the evaluations has the column the breakdown was asked for. */
export class ColumnNotFound extends Schema.TaggedError<ColumnNotFound>()("ColumnNotFound", {
  column: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message() {
    return `no benchmark of these evaluations has a column '${this.column}'`
  }
}

/** A benchmark's metadata columns and question count. */
const benchmarkFacts = (benchmarkId: string) =>
  BenchmarkRepository.pipe(
    Effect.flatMap((repo) => repo.findById(benchmarkId)),
    Effect.map(Option.match({
      onNone: () => ({ columns: [] as ReadonlyArray<string>, questionCount: 0 }),
      onSome: (b) => ({ columns: (b.metadata.columns as ReadonlyArray<string> | undefined) ?? [], questionCount: b.questionCount })
    }))
  )

/** The column among `columns` that matches `wanted` (case-insensitively), if any. */
const matchColumn = (columns: ReadonlyArray<string>, wanted: string) =>
  columns.find((c) => c.toLowerCase() === wanted.toLowerCase())

/** Accuracy per value of the breakdown column, or null when no benchmark has that column (and none was asked for). */
const breakdown = (
  evaluations: ReadonlyArray<{ readonly evaluation: Evaluation.Evaluation; readonly columns: ReadonlyArray<string> }>,
  by: string | undefined
) =>
  Effect.gen(function*() {
    const wanted = by ?? DEFAULT_COLUMN
    const matched = evaluations.map(({ columns, evaluation }) => ({ evaluation, column: matchColumn(columns, wanted) }))
    const first = matched.find((m) => m.column !== undefined)
    if (first === undefined) {
      if (by === undefined) return null
      return yield* new ColumnNotFound({ column: wanted, available: [...new Set(evaluations.flatMap((e) => e.columns))] })
    }
    const results = yield* ResultRepository
    const perEvaluation = yield* Effect.forEach(matched, ({ column, evaluation }) =>
      column === undefined
        ? Effect.succeed({ evaluationId: evaluation.id, groups: [] })
        : Effect.map(results.breakdown(evaluation.id, column), (groups) => ({ evaluationId: evaluation.id, groups })))
    return { column: first.column!, groups: pivot(perEvaluation, Comparisons.CONFIDENCE) }
  })

/** pass@k of each set of repeats among the evaluations, each set once (repeats of each other share one entry). */
const passAtKEntries = (evaluations: ReadonlyArray<Evaluation.Evaluation>) =>
  Effect.gen(function*() {
    const sets = new Map<string, { readonly repeats: ReadonlyArray<Evaluation.Evaluation>; readonly ids: Array<string> }>()
    for (const evaluation of evaluations) {
      const repeats = yield* PassAtK.repeatsOf(evaluation)
      const key = repeats.map((e) => e.id).join(" ")
      const set = sets.get(key)
      if (set === undefined) sets.set(key, { repeats, ids: [evaluation.id] })
      else set.ids.push(evaluation.id)
    }
    const out: Array<PassAtKEntry> = []
    for (const { ids, repeats } of sets.values()) {
      const summary = yield* PassAtK.ofEvaluations(repeats)
      if (summary !== null) out.push({ evaluationIds: ids, summary })
    }
    return out
  })

/** What `gather` needs besides the evaluations. */
export interface GatherOptions {
  /** Seed of the comparison's bootstrap. */
  readonly seed: number
  /** The breakdown column; default `category` when a benchmark has it. */
  readonly by?: string | undefined
  readonly title?: string | undefined
  readonly now: Date
  /** The version of the program that makes the report. */
  readonly version: string
}

/** Builds a report's figures from stored evaluations (the first is the comparison's baseline), reading their rows once. */
export const gather = Effect.fn("Report.gather")(function*(evaluations: ReadonlyArray<Evaluation.Evaluation>, options: GatherOptions) {
  const results = yield* ResultRepository
  const facts = rowFacts()
  const compared = yield* Comparisons.compare(evaluations, { seed: options.seed, skipUnpaired: true, observe: facts.observe })
  const withBenchmarks = yield* Effect.forEach(evaluations, (evaluation) =>
    Effect.map(benchmarkFacts(evaluation.benchmarkId), (b) => ({ evaluation, ...b })))
  const entries = yield* Effect.forEach(withBenchmarks, ({ evaluation, questionCount }, i) =>
    Effect.map(results.summarize(evaluation.id), (summary) =>
      entry({
        index: i + 1,
        evaluation,
        results: summary,
        totalQuestions: questionCount,
        facts: facts.of(evaluation.id),
        confidence: Comparisons.CONFIDENCE
      })))
  const benchmarks = [...new Set(evaluations.map((e) => e.benchmarkName))]
  const report: Report = {
    title: options.title ?? `Evaluation report: ${benchmarks.join(", ")}`,
    generatedAt: options.now.toISOString(),
    version: options.version,
    graders: { current: Grading.VERSION, used: [...new Set(entries.flatMap((e) => e.graderVersions))].sort() },
    confidence: Comparisons.CONFIDENCE,
    bootstrap: { iterations: Comparisons.ITERATIONS, confidence: Comparisons.CONFIDENCE, seed: options.seed },
    evaluations: entries,
    breakdown: yield* breakdown(withBenchmarks, options.by),
    comparison: evaluations.length < 2 ? null : {
      baseline: compared.baseline,
      pValueAdjustment: compared.adjusted ? "holm" : "none",
      verdictRule: Comparisons.VERDICT_RULE,
      comparisons: compared.comparisons,
      unpaired: compared.unpaired
    },
    passAtK: yield* passAtKEntries(evaluations)
  }
  return report
})
