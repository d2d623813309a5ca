/**
 * `ml-agents evaluate compare <baseline> <id> [<id> ...] [--json] [--seed N]`: each evaluation
 * against the first (the baseline), paired on the questions both answered, with an exact McNemar
 * test, a paired bootstrap interval for the accuracy difference, cost and token deltas and a
 * plain-language verdict. Results are streamed a chunk at a time and only each question's
 * correctness, tokens and cost are kept, so memory stays small however large the evaluations.
 * The figures come from core's `Comparison`, shared with `report` and the experiments.
 */
import { Args, Command, Options } from "@effect/cli"
import { Comparison, EvaluationOrchestrator } from "@ml-agents/core"
import { Effect } from "effect"
import * as Output from "../Output.js"
import * as Ui from "../Ui.js"

const { CONFIDENCE, DEFAULT_SEED, ITERATIONS, VERDICT_RULE } = Comparison

type Subject = Comparison.Subject
type Compared = Comparison.Comparison

const points = (x: number) => (x * 100).toFixed(1)
const pNumber = (p: number) => (p < 0.001 ? "< 0.001" : p.toFixed(3))
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`)

const signed = (x: number, format: (x: number) => string) => (x > 0 ? "+" : x < 0 ? "−" : "±") + format(Math.abs(x))
const usdOrDash = (x: number | null) => (x === null ? "—" : Ui.usd(x))
const signedUsd = (x: number | null) => (x === null ? "—" : signed(x, Ui.usd))
/** "cot (openai/gpt-4o-mini) [eval_…]", or just the id when the id is the label. */
const named = (s: Subject) => (s.label === s.id ? s.id : `${s.label} [${s.id}]`)
const accuracyText = (a: Compared["accuracy"]["baseline"]) =>
  `${Ui.style.bold(Ui.percent(a.estimate))} ${Ui.style.dim(`[95% CI ${points(a.lower)}–${points(a.upper)}]`)} (${Ui.int(a.correct)} of ${Ui.int(a.n)})`

const renderOne = (baseline: Subject, c: Compared, adjusted: boolean): string => {
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
      const { adjusted, baseline, comparisons } = yield* Comparison.compare(evaluations, { seed })

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
