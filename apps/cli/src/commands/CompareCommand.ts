/**
 * `ml-agents evaluate compare <baseline> <id> [<id> ...] [--json] [--seed N]`: each evaluation
 * against the first (the baseline), paired on the questions both answered, with an exact McNemar
 * test, a paired bootstrap interval for the accuracy difference, cost and token deltas and a
 * plain-language verdict. Results are streamed a chunk at a time and only each question's
 * correctness, tokens and cost are kept, so memory stays small however large the evaluations.
 * `compare` computes the figures for other commands too (`ml-agents report`).
 */
import { Args, Command, Options } from "@effect/cli"
import { type Evaluation, EvaluationOrchestrator, type QuestionResult, ResultRepository, Statistics } from "@ml-agents/core"
import { Effect, Stream } from "effect"
import { ExitCode, UserError } from "../Errors.js"
import * as Output from "../Output.js"
import * as Ui from "../Ui.js"

/** Bootstrap resamples of every comparison. */
export const ITERATIONS = 10_000
/** Confidence level of every interval. */
export const CONFIDENCE = 0.95
const ALPHA = 0.05
/** The default bootstrap seed, the same as `Statistics.pairedBootstrap`'s. */
export const DEFAULT_SEED = 0x5eed

/** The rule behind every verdict, printed with it and included in the JSON. */
export const VERDICT_RULE =
  "a difference is significant only when the McNemar p-value (Holm-adjusted when there are several comparisons) " +
  "is below 0.05 AND the paired bootstrap 95% CI of the difference excludes 0"

/** What is kept of one question's result. */
interface Outcome {
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

const emptyTotals = (): Totals => ({ promptTokens: 0, completionTokens: 0, reasoningTokens: 0, totalTokens: 0, costUsd: null })

const addTo = (t: Totals, o: Outcome): void => {
  t.promptTokens += o.promptTokens
  t.completionTokens += o.completionTokens
  t.reasoningTokens += o.reasoningTokens
  t.totalTokens += o.totalTokens
  if (o.costUsd !== null) t.costUsd = (t.costUsd ?? 0) + o.costUsd
}

/** Sees every result row read, once per evaluation (a report takes what it needs from them). */
export type Observer = (row: QuestionResult.EvaluationQuestionResult) => void

/** Reads an evaluation's results page by page, handing each question's outcome to `f`. */
const forEachOutcome = (id: string, f: (questionId: string, outcome: Outcome) => void, observe?: Observer) =>
  ResultRepository.ResultRepository.pipe(
    Effect.flatMap((results) =>
      Stream.runForEach(results.stream(id), (r) =>
        Effect.sync(() => {
          observe?.(r)
          f(r.questionId, {
            // A failed question counts as not correct, as in the accuracy figures.
            correct: r.isCorrect && r.error === null ? 1 : 0,
            promptTokens: r.usage.promptTokens,
            completionTokens: r.usage.completionTokens,
            reasoningTokens: r.usage.reasoningTokens,
            totalTokens: r.usage.totalTokens,
            costUsd: r.costUsd
          })
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
export const subjects = (evaluations: ReadonlyArray<Evaluation.Evaluation>): Array<Subject> => {
  const name = (e: Evaluation.Evaluation) => `${e.agentConfig.agentType} (${e.agentConfig.modelName})`
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

const minus = (a: Totals, b: Totals): Totals => ({
  promptTokens: a.promptTokens - b.promptTokens,
  completionTokens: a.completionTokens - b.completionTokens,
  reasoningTokens: a.reasoningTokens - b.reasoningTokens,
  totalTokens: a.totalTokens - b.totalTokens,
  costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd - b.costUsd
})

const perQuestion = (t: Totals, n: number): Totals => ({
  promptTokens: t.promptTokens / n,
  completionTokens: t.completionTokens / n,
  reasoningTokens: t.reasoningTokens / n,
  totalTokens: t.totalTokens / n,
  costUsd: t.costUsd === null ? null : t.costUsd / n
})

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
        `${baseline.label} has ${Ui.int(baselineOutcomes.size)} results and ${candidate.label} ${Ui.int(candidateCount)}: ` +
          `comparing only the ${Ui.int(n)} questions both answered`
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
 * baseline fails with a UserError, or is listed in `unpaired` with `skipUnpaired`. `observe`
 * sees every result row read, once per evaluation.
 */
export const compare = (
  evaluations: ReadonlyArray<Evaluation.Evaluation>,
  options: { readonly seed: number; readonly skipUnpaired?: boolean; readonly observe?: Observer }
) =>
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
      else {
        return yield* new UserError({
          code: ExitCode.general,
          text: `${baseline.id} and ${candidate.id} share no questions, so there is nothing to compare`,
          hint: "compare evaluations run on the same benchmark, after they have results (ml-agents evaluate show <id>)"
        })
      }
    }
    const adjusted = comparisons.length > 1
    const pAdjusted = holm(comparisons.map((c) => c.mcnemar.pValue))
    comparisons.forEach((c, i) => {
      c.mcnemar.pValueAdjusted = pAdjusted[i]!
      judge(baseline, c, adjusted)
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
const pNumber = (p: number) => (p < 0.001 ? "< 0.001" : p.toFixed(3))
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`)

/** Sets `significant` and the plain-language `verdict` by VERDICT_RULE. */
const judge = (baseline: Subject, c: Comparison, adjusted: boolean): void => {
  const p = c.mcnemar.pValueAdjusted
  const pLabel = adjusted ? `${pText(p)} (Holm-adjusted)` : pText(p)
  const excludesZero = c.difference.lower > 0 || c.difference.upper < 0
  c.significant = p < ALPHA && excludesZero && c.difference.estimate !== 0
  if (!c.significant) {
    c.verdict = `no significant difference between ${c.candidate.label} and ${baseline.label} (${pLabel}, ` +
      `difference ${points(c.difference.estimate)} points, 95% CI [${points(c.difference.lower)}, ${points(c.difference.upper)}])`
    return
  }
  const candidateWins = c.difference.estimate > 0
  const [winner, loser] = candidateWins ? [c.candidate.label, baseline.label] : [baseline.label, c.candidate.label]
  const [lo, hi] = candidateWins ? [c.difference.lower, c.difference.upper] : [-c.difference.upper, -c.difference.lower]
  c.verdict = `${winner} beats ${loser} by ${points(Math.abs(c.difference.estimate))} points, 95% CI [${points(lo)}, ${points(hi)}], ${pLabel}`
}

const signed = (x: number, format: (x: number) => string) => (x > 0 ? "+" : x < 0 ? "−" : "±") + format(Math.abs(x))
const usdOrDash = (x: number | null) => (x === null ? "—" : Ui.usd(x))
const signedUsd = (x: number | null) => (x === null ? "—" : signed(x, Ui.usd))
/** "cot (openai/gpt-4o-mini) [eval_…]", or just the id when the id is the label. */
const named = (s: Subject) => (s.label === s.id ? s.id : `${s.label} [${s.id}]`)
const accuracyText = (a: Comparison["accuracy"]["baseline"]) =>
  `${Ui.style.bold(Ui.percent(a.estimate))} ${Ui.style.dim(`[95% CI ${points(a.lower)}–${points(a.upper)}]`)} (${Ui.int(a.correct)} of ${Ui.int(a.n)})`

const renderOne = (baseline: Subject, c: Comparison, adjusted: boolean): string => {
  const t = c.tokens
  return [
    Ui.style.bold(`${c.candidate.label} vs ${baseline.label} (baseline)`),
    Ui.fields([
      ["questions", `${Ui.int(c.questions.shared)} shared (baseline ${Ui.int(c.questions.baseline)}, candidate ${Ui.int(c.questions.candidate)})`],
      ["baseline", `${named(baseline)}: ${accuracyText(c.accuracy.baseline)}`],
      ["candidate", `${named(c.candidate)}: ${accuracyText(c.accuracy.candidate)}`],
      ["difference", `${signed(c.difference.estimate * 100, (x) => x.toFixed(1))} points (candidate − baseline), ` +
        `95% CI [${points(c.difference.lower)}, ${points(c.difference.upper)}] (paired bootstrap, ${Ui.int(ITERATIONS)} resamples)`],
      ["McNemar", `b = ${c.mcnemar.b} (only the baseline right), c = ${c.mcnemar.c} (only the candidate right), ` +
        `exact ${pText(c.mcnemar.pValue)}` + (adjusted ? `, Holm-adjusted ${pText(c.mcnemar.pValueAdjusted)}` : "")],
      ["cost", `${usdOrDash(t.baseline.costUsd)} → ${usdOrDash(t.candidate.costUsd)} (${signedUsd(t.delta.costUsd)}; ` +
        `${signedUsd(t.deltaPerQuestion.costUsd)} per question)`],
      ["tokens", `${Ui.int(t.baseline.totalTokens)} → ${Ui.int(t.candidate.totalTokens)} (${signed(t.delta.totalTokens, Ui.int)}; ` +
        `${signed(t.deltaPerQuestion.totalTokens, (x) => x.toFixed(1))} per question; ` +
        `prompt ${signed(t.delta.promptTokens, Ui.int)}, completion ${signed(t.delta.completionTokens, Ui.int)}, ` +
        `reasoning ${signed(t.delta.reasoningTokens, Ui.int)})`],
      ["verdict", c.significant ? Ui.style.green(c.verdict) : c.verdict]
    ])
  ].join("\n")
}

/** `evaluate compare`. */
export const command = Command.make(
  "compare",
  {
    ids: Args.text({ name: "evaluation_id" }).pipe(
      Args.atLeast(2),
      Args.withDescription("two or more evaluation ids; the first is the baseline the others are compared with")
    ),
    json: Options.boolean("json").pipe(Options.withDescription("print the figures as one JSON document")),
    seed: Options.integer("seed").pipe(
      Options.withDefault(DEFAULT_SEED),
      Options.withDescription("seed of the bootstrap resampling (the same seed gives the same interval)")
    )
  },
  ({ ids, json, seed }) =>
    Effect.gen(function*() {
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const evaluations = yield* Effect.forEach(ids, (id) => orchestrator.get(id))
      const { adjusted, baseline, comparisons } = yield* compare(evaluations, { seed })

      if (json) {
        yield* Output.line(JSON.stringify(
          {
            baseline,
            bootstrap: { iterations: ITERATIONS, confidence: CONFIDENCE, seed },
            pValueAdjustment: adjusted ? "holm" : "none",
            verdictRule: VERDICT_RULE,
            comparisons
          },
          null,
          2
        ))
        return
      }
      for (const c of comparisons) for (const w of c.warnings) yield* Ui.warn(w)
      yield* Ui.print(
        `Baseline: ${Ui.style.bold(named(baseline))} on ${baseline.benchmark}; differences are candidate − baseline, ` +
          `paired on the questions both answered (a failed question counts as wrong).`
      )
      for (const c of comparisons) yield* Ui.print("\n" + renderOne(baseline, c, adjusted))
      if (adjusted) {
        yield* Ui.print("")
        yield* Ui.print(Ui.table(comparisons, [
          { header: "CANDIDATE", value: (c) => c.candidate.label, max: 40 },
          { header: "N", value: (c) => Ui.int(c.questions.shared), align: "right" },
          { header: "BASELINE", value: (c) => Ui.percent(c.accuracy.baseline.estimate), align: "right" },
          { header: "CANDIDATE ACC", value: (c) => Ui.percent(c.accuracy.candidate.estimate), align: "right" },
          { header: "DIFF (PTS)", value: (c) => signed(c.difference.estimate * 100, (x) => x.toFixed(1)), align: "right" },
          { header: "95% CI", value: (c) => `[${points(c.difference.lower)}, ${points(c.difference.upper)}]` },
          { header: "b/c", value: (c) => `${c.mcnemar.b}/${c.mcnemar.c}`, align: "right" },
          { header: "p (HOLM)", value: (c) => pNumber(c.mcnemar.pValueAdjusted), align: "right" },
          { header: "Δ COST", value: (c) => signedUsd(c.tokens.delta.costUsd), align: "right" }
        ]))
        yield* Ui.print(Ui.style.dim(
          `  ${comparisons.length} comparisons with the baseline: p-values are Holm-adjusted for multiple comparisons.`
        ))
      }
      yield* Ui.print(Ui.style.dim(`\n  Verdict rule: ${VERDICT_RULE}. Bootstrap seed ${seed} (change with --seed).`))
    })
).pipe(Command.withDescription(
  "Compare evaluations on the questions they share: accuracy difference with a paired bootstrap CI, exact McNemar test, cost and token deltas"
))
