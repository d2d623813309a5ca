/**
 * Paired comparisons of evaluations with a baseline, built on `Statistics`: each candidate paired
 * with the baseline on the questions both answered, its accuracy difference with a paired
 * bootstrap interval, an exact McNemar test, Holm-adjusted p-values when there are several
 * candidates, cost and token deltas, and a verdict in words. `evaluate compare`, `report` and the
 * experiments share it, and any other front end (an HTTP API, a notebook) can call it. Results
 * are streamed a chunk at a time and only each question's correctness, tokens and cost are kept.
 */
import { Effect, Schema, Stream } from "effect"
import type { Evaluation } from "./Evaluation.js"
import type { EvaluationQuestionResult } from "./QuestionResult.js"
import { ResultRepository } from "./ResultRepository.js"
import * as Statistics from "./Statistics.js"
import type { StorageError } from "./StorageError.js"

/** Bootstrap resamples of every comparison. */
export const ITERATIONS = 10_000
/** Confidence level of every interval. */
export const CONFIDENCE = 0.95
/** Significance level of the verdicts. */
export const ALPHA = 0.05
/** The default bootstrap seed, the same as `Statistics.pairedBootstrap`'s. */
export const DEFAULT_SEED = 0x5eed

/** The rule behind every verdict, printed with it and included in the JSON. */
export const VERDICT_RULE =
  "a difference is significant only when the McNemar p-value (Holm-adjusted when there are several comparisons) " +
  "is below 0.05 AND the paired bootstrap 95% CI of the difference excludes 0"

/** A candidate and the baseline have no question in common: there is nothing to pair. */
export class NothingToCompare extends Schema.TaggedError<NothingToCompare>()("NothingToCompare", {
  baselineId: Schema.String,
  candidateId: Schema.String
}) {
  override get message() {
    return `${this.baselineId} and ${this.candidateId} share no questions, so there is nothing to compare`
  }
}

/** What is kept of one question's result. */
export interface Outcome {
  readonly correct: 0 | 1
  readonly promptTokens: number
  readonly completionTokens: number
  readonly reasoningTokens: number
  readonly totalTokens: number
  readonly costUsd: number | null
}

/** Token and cost totals over a set of questions. */
export interface Totals {
  promptTokens: number
  completionTokens: number
  reasoningTokens: number
  totalTokens: number
  /** Sum of the reported costs; null when no question reported one. */
  costUsd: number | null
}

/** Totals of nothing. */
export const emptyTotals = (): Totals => ({ promptTokens: 0, completionTokens: 0, reasoningTokens: 0, totalTokens: 0, costUsd: null })

/** Adds one question's outcome to totals. */
export const addTo = (t: Totals, o: Outcome): void => {
  t.promptTokens += o.promptTokens
  t.completionTokens += o.completionTokens
  t.reasoningTokens += o.reasoningTokens
  t.totalTokens += o.totalTokens
  if (o.costUsd !== null) t.costUsd = (t.costUsd ?? 0) + o.costUsd
}

/** A result row reduced to its outcome; a failed question counts as not correct, as in the accuracy figures. */
export const outcomeOf = (r: EvaluationQuestionResult): Outcome => ({
  correct: r.isCorrect && r.error === null ? 1 : 0,
  promptTokens: r.usage.promptTokens,
  completionTokens: r.usage.completionTokens,
  reasoningTokens: r.usage.reasoningTokens,
  totalTokens: r.usage.totalTokens,
  costUsd: r.costUsd
})

/** Sees every result row read, once per evaluation (a report takes what it needs from them). */
export type Observer = (row: EvaluationQuestionResult) => void

/** Reads an evaluation's results page by page, handing each question's outcome to `f`. */
export const forEachOutcome = (id: string, f: (questionId: string, outcome: Outcome) => void, observe?: Observer) =>
  ResultRepository.pipe(
    Effect.flatMap((results) =>
      Stream.runForEach(results.stream(id), (r) =>
        Effect.sync(() => {
          observe?.(r)
          f(r.questionId, outcomeOf(r))
        }))
    )
  )

/** Who an evaluation is in the output. */
export interface Subject {
  readonly id: string
  readonly label: string
  readonly agent: string
  readonly model: string
  readonly benchmark: string
  readonly status: string
  /** The evaluation's own answer kind; null when it grades as its benchmark does. */
  readonly answerKind: string | null
}

/** "cot (openai/gpt-4o-mini)", or the id when that name is shared by another evaluation compared. */
export const subjects = (evaluations: ReadonlyArray<Evaluation>): Array<Subject> => {
  const name = (e: Evaluation) => `${e.agentConfig.agentType} (${e.agentConfig.modelName})`
  const counts = new Map<string, number>()
  for (const e of evaluations) counts.set(name(e), (counts.get(name(e)) ?? 0) + 1)
  return evaluations.map((e) => ({
    id: e.id,
    label: counts.get(name(e))! > 1 ? e.id : name(e),
    agent: e.agentConfig.agentType,
    model: e.agentConfig.modelName,
    benchmark: e.benchmarkName,
    status: e.status,
    answerKind: e.answerKind
  }))
}

/** One candidate against the baseline: every figure `--json` prints. */
export interface Comparison {
  readonly candidate: Subject
  readonly questions: { readonly baseline: number; readonly candidate: number; readonly shared: number }
  readonly warnings: ReadonlyArray<string>
  readonly accuracy: {
    readonly baseline: { readonly correct: number; readonly n: number } & Statistics.Interval
    readonly candidate: { readonly correct: number; readonly n: number } & Statistics.Interval
  }
  /** Candidate accuracy − baseline accuracy (a proportion), with its paired bootstrap interval. */
  readonly difference: { readonly estimate: number; readonly lower: number; readonly upper: number }
  /** b: the baseline right and the candidate wrong; c: the candidate right and the baseline wrong. */
  readonly mcnemar: { readonly b: number; readonly c: number; readonly pValue: number; pValueAdjusted: number }
  readonly tokens: {
    readonly baseline: Totals
    readonly candidate: Totals
    readonly delta: Totals
    readonly deltaPerQuestion: Totals
  }
  significant: boolean
  verdict: string
}

/** a − b, field by field; a cost is null when either side's is. */
export const minus = (a: Totals, b: Totals): Totals => ({
  promptTokens: a.promptTokens - b.promptTokens,
  completionTokens: a.completionTokens - b.completionTokens,
  reasoningTokens: a.reasoningTokens - b.reasoningTokens,
  totalTokens: a.totalTokens - b.totalTokens,
  costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd - b.costUsd
})

/** Totals divided by a number of questions. */
export const perQuestion = (t: Totals, n: number): Totals => ({
  promptTokens: t.promptTokens / n,
  completionTokens: t.completionTokens / n,
  reasoningTokens: t.reasoningTokens / n,
  totalTokens: t.totalTokens / n,
  costUsd: t.costUsd === null ? null : t.costUsd / n
})

// 1234 → "1,234", without toLocaleString (loading ICU's locale data costs about 25 ms, once).
const int = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ",")

/**
 * Pairs one candidate with the baseline's outcomes and computes everything but the verdict;
 * `null` when the two share no question.
 */
const compareOne = (
  baseline: Subject,
  baselineOutcomes: ReadonlyMap<string, Outcome>,
  candidate: Subject,
  seed: number,
  observe: Observer | undefined
) =>
  Effect.gen(function*() {
    const a: Array<0 | 1> = []
    const b: Array<0 | 1> = []
    const totalsA = emptyTotals()
    const totalsB = emptyTotals()
    let candidateCount = 0
    yield* forEachOutcome(candidate.id, (questionId, outcome) => {
      candidateCount++
      const base = baselineOutcomes.get(questionId)
      if (base === undefined) return
      a.push(base.correct)
      b.push(outcome.correct)
      addTo(totalsA, base)
      addTo(totalsB, outcome)
    }, observe)
    const n = a.length
    const warnings: Array<string> = []
    if (candidate.benchmark !== baseline.benchmark) {
      warnings.push(
        `${candidate.label} is on benchmark ${candidate.benchmark} but the baseline ${baseline.label} is on ${baseline.benchmark}: paired by question id`
      )
    }
    if (n < baselineOutcomes.size || n < candidateCount) {
      warnings.push(
        `${baseline.label} has ${int(baselineOutcomes.size)} results and ${candidate.label} ${int(candidateCount)}: ` +
          `comparing only the ${int(n)} questions both answered`
      )
    }
    if (candidate.answerKind !== baseline.answerKind) {
      const kindOf = (s: Subject) => s.answerKind ?? "its benchmark's kind"
      warnings.push(
        `${candidate.label} is graded as ${kindOf(candidate)} but the baseline ${baseline.label} as ${kindOf(baseline)}: ` +
          `a difference may come from the grading (evaluate rescore --answer-kind aligns them)`
      )
    }
    for (const s of [baseline, candidate]) {
      if (s.status !== "completed") warnings.push(`${s.label} is ${s.status}, not completed: its results are partial`)
    }
    if (n === 0) return null
    let correctA = 0
    let correctB = 0
    let onlyA = 0
    let onlyB = 0
    for (let i = 0; i < n; i++) {
      correctA += a[i]!
      correctB += b[i]!
      if (a[i] === 1 && b[i] === 0) onlyA++
      if (a[i] === 0 && b[i] === 1) onlyB++
    }
    const mcnemar = Statistics.mcnemarExact(onlyA, onlyB)
    const boot = Statistics.pairedBootstrap(b, a, { iterations: ITERATIONS, confidence: CONFIDENCE, seed })
    const delta = minus(totalsB, totalsA)
    const comparison: Comparison = {
      candidate,
      questions: { baseline: baselineOutcomes.size, candidate: candidateCount, shared: n },
      warnings,
      accuracy: {
        baseline: { correct: correctA, n, ...Statistics.wilson(correctA, n, CONFIDENCE) },
        candidate: { correct: correctB, n, ...Statistics.wilson(correctB, n, CONFIDENCE) }
      },
      difference: { estimate: boot.difference, lower: boot.lower, upper: boot.upper },
      mcnemar: { b: mcnemar.b, c: mcnemar.c, pValue: mcnemar.pValue, pValueAdjusted: mcnemar.pValue },
      tokens: { baseline: totalsA, candidate: totalsB, delta, deltaPerQuestion: perQuestion(delta, n) },
      significant: false,
      verdict: ""
    }
    return comparison
  })

/** The figures of a comparison of evaluations with the first of them, the baseline. */
export interface Compared {
  readonly baseline: Subject
  /** One per candidate that shares questions with the baseline, verdicts set. */
  readonly comparisons: ReadonlyArray<Comparison>
  /** Candidates that share no question with the baseline (only with `skipUnpaired`). */
  readonly unpaired: ReadonlyArray<Subject>
  /** Whether the p-values are Holm-adjusted (more than one comparison). */
  readonly adjusted: boolean
}

/**
 * Compares each evaluation after the first with the first (the baseline): paired figures, Holm
 * adjustment when there are several, and verdicts. A candidate sharing no question with the
 * baseline fails with NothingToCompare, or is listed in `unpaired` with `skipUnpaired`. `observe`
 * sees every result row read, once per evaluation.
 */
export const compare = (
  evaluations: ReadonlyArray<Evaluation>,
  options: { readonly seed: number; readonly skipUnpaired?: boolean; readonly observe?: Observer }
): Effect.Effect<Compared, NothingToCompare | StorageError, ResultRepository> =>
  Effect.gen(function*() {
    const [first, ...candidates] = subjects(evaluations)
    if (first === undefined) throw new RangeError("compare needs at least one evaluation")
    const baseline = first
    const baselineOutcomes = new Map<string, Outcome>()
    yield* forEachOutcome(baseline.id, (questionId, outcome) => baselineOutcomes.set(questionId, outcome), options.observe)
    const comparisons: Array<Comparison> = []
    const unpaired: Array<Subject> = []
    for (const candidate of candidates) {
      const c = yield* compareOne(baseline, baselineOutcomes, candidate, options.seed, options.observe)
      if (c !== null) comparisons.push(c)
      else if (options.skipUnpaired) unpaired.push(candidate)
      else return yield* new NothingToCompare({ baselineId: baseline.id, candidateId: candidate.id })
    }
    const adjusted = comparisons.length > 1
    const pAdjusted = holm(comparisons.map((c) => c.mcnemar.pValue))
    comparisons.forEach((c, i) => {
      c.mcnemar.pValueAdjusted = pAdjusted[i]!
      const judged = verdict(baseline.label, c.candidate.label, c.difference, c.mcnemar.pValueAdjusted, adjusted)
      c.significant = judged.significant
      c.verdict = judged.verdict
    })
    return { baseline, comparisons, unpaired, adjusted } satisfies Compared
  })

/** Holm's step-down adjustment of p-values (returned in the input order). */
export const holm = (pValues: ReadonlyArray<number>): Array<number> => {
  const m = pValues.length
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0])
  const adjusted = new Array<number>(m)
  let running = 0
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p))
    adjusted[i] = running
  })
  return adjusted
}

const points = (x: number) => (x * 100).toFixed(1)
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`)

/**
 * Whether a difference (candidate − baseline) is significant by VERDICT_RULE, and the verdict in
 * words: "cot (…) beats none (…) by 6.1 points, 95% CI [2.3, 9.8], p = 0.002".
 */
export const verdict = (
  baselineLabel: string,
  candidateLabel: string,
  difference: { readonly estimate: number; readonly lower: number; readonly upper: number },
  p: number,
  adjusted: boolean
): { readonly significant: boolean; readonly verdict: string } => {
  const pLabel = adjusted ? `${pText(p)} (Holm-adjusted)` : pText(p)
  const excludesZero = difference.lower > 0 || difference.upper < 0
  const significant = p < ALPHA && excludesZero && difference.estimate !== 0
  if (!significant) {
    return {
      significant,
      verdict: `no significant difference between ${candidateLabel} and ${baselineLabel} (${pLabel}, ` +
        `difference ${points(difference.estimate)} points, 95% CI [${points(difference.lower)}, ${points(difference.upper)}])`
    }
  }
  const candidateWins = difference.estimate > 0
  const [winner, loser] = candidateWins ? [candidateLabel, baselineLabel] : [baselineLabel, candidateLabel]
  const [lo, hi] = candidateWins ? [difference.lower, difference.upper] : [-difference.upper, -difference.lower]
  return {
    significant,
    verdict: `${winner} beats ${loser} by ${points(Math.abs(difference.estimate))} points, 95% CI [${points(lo)}, ${points(hi)}], ${pLabel}`
  }
}
