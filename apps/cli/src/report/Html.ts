/**
 * Renders a report's data model as one self-contained HTML page: inline CSS, inline SVG charts,
 * no script, and a Content-Security-Policy that forbids every fetch, so the file opens the same
 * offline, from an e-mail or from a paper's supplementary material. Pure: data in, string out.
 */
import * as Charts from "./Charts.js"
import { html, join, type Markup, raw } from "./Markup.js"
import { type Comparison as Comparisons, PassAtK, type Report as Figures } from "@ml-agents/core"
import * as Svg from "./Svg.js"

type CategoryGroup = Figures.CategoryGroup
type ComparisonSection = Figures.ComparisonSection
type EvaluationEntry = Figures.EvaluationEntry
type PassAtKEntry = Figures.PassAtKEntry
type Report = Figures.Report
type Comparison = Comparisons.Comparison

export const STYLE = `
:root { --text: #1f2328; --muted: #59636e; --rule: #1f2328; --line: #d8dee4; --soft: #f6f8fa;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--text); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 32px 28px 48px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 10px; font-weight: 650; }
h2 { font-size: 18px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); font-weight: 650; }
h3 { font-size: 14px; margin: 18px 0 6px; }
.kicker { margin: 0 0 4px; color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; color: var(--muted); font-size: 13px; }
.meta div { display: flex; gap: 6px; } .meta dt { font-weight: 600; } .meta dd { margin: 0; color: var(--text); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.notices { margin: 20px 0 0; padding: 10px 14px 10px 34px; background: #fff8c5; border: 1px solid #e9d36b; border-radius: 6px; }
.notices li { margin: 2px 0; }
.table-wrap { overflow-x: auto; }
.table-wrap + .table-wrap { margin-top: 26px; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums;
  border-top: 2px solid var(--rule); border-bottom: 2px solid var(--rule); }
table { min-width: min(100%, 560px); }
caption { caption-side: top; text-align: left; padding: 0 0 6px; color: var(--muted); font-size: 13px; }
caption b { color: var(--text); }
th { text-align: left; font-weight: 600; padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: bottom; white-space: nowrap; }
thead tr:first-child th.group { border-bottom: none; padding-bottom: 0; text-align: center; }
th.group span { display: block; border-bottom: 1px solid var(--rule); padding-bottom: 3px; }
thead tr + tr th { padding-top: 3px; }
td.date { white-space: nowrap; }
td.model { max-width: 300px; overflow-wrap: anywhere; }
.who { display: inline-block; max-width: 320px; overflow-wrap: anywhere; }
td { padding: 6px 8px; border-top: 1px solid var(--line); vertical-align: top; }
tbody tr:first-child td { border-top: none; }
.num { text-align: right; white-space: nowrap; }
.sub { display: block; color: var(--muted); font-size: 11.5px; white-space: normal; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: 0; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 11.5px; font-weight: 600; white-space: nowrap; border: 1px solid; }
.badge.ok { color: var(--ok); border-color: #aceebb; background: #dafbe1; }
.badge.warn { color: var(--warn); border-color: #eac54f; background: #fff8c5; }
.badge.bad { color: var(--bad); border-color: #ffcecb; background: #ffebe9; }
.badge.neutral { color: var(--muted); border-color: var(--line); background: var(--soft); }
figure { margin: 12px 0 0; }
figure + .table-wrap { margin-top: 26px; }
figure svg { display: block; width: 100%; max-width: 880px; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; max-width: 880px; }
figcaption b { color: var(--text); }
.empty { padding: 18px 20px; background: var(--soft); border: 1px dashed var(--line); border-radius: 6px; color: var(--muted); max-width: 880px; }
.notes { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; padding-left: 18px; }
.verdicts li { margin: 3px 0; }
.muted { color: var(--muted); }
.gap { height: 22px; }
.methods p, .methods li { max-width: 880px; }
.methods { font-size: 13.5px; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
svg.chart text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; fill: var(--text); }
svg.chart .tick { font-size: 11px; fill: var(--muted); }
svg.chart .axis-title { font-size: 12px; fill: var(--muted); }
svg.chart .label { font-size: 12.5px; }
svg.chart .point-label { font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.chart .sub { font-size: 11px; fill: var(--muted); }
svg.chart .sub.warn { fill: var(--warn); }
svg.chart .head { font-size: 11px; font-weight: 600; fill: var(--muted); }
svg.chart .value { font-size: 12px; }
svg.chart .strong { font-weight: 650; }
svg.chart .muted { fill: var(--muted); }
svg.chart .mark:hover rect[data-role="estimate"] { fill-opacity: 1; }
@media print {
  /* Landscape: the wide tables then fit A4 and US Letter without being cut. */
  @page { size: landscape; margin: 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; margin-top: 20px; }
  table { font-size: 8pt; }
  th, td { padding: 3px 5px; }
  tr, figure, .empty { break-inside: avoid; }
  .table-wrap { overflow: visible; }
}
`

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

const badge = (kind: "ok" | "warn" | "bad" | "neutral", text: string) => html`<span class="badge ${kind}">${text}</span>`

/** The status badge: completed, or how the evaluation is partial. */
const status = (e: EvaluationEntry): Markup => {
  if (e.complete) return badge("ok", "completed")
  if (e.status === "failed") return badge("bad", "failed · partial")
  if (e.status === "completed") return badge("warn", "completed · partial")
  return badge(e.status === "pending" ? "neutral" : "warn", `${e.status} · partial`)
}

const swatch = (index: number) => html`<span class="swatch" style="background:${Svg.colour(index)}"></span>`

/** "■ none (openai/gpt-4o-mini)" with the evaluation's colour, and its id below when asked. */
const who = (e: EvaluationEntry, withId: boolean) =>
  html`<span class="who">${swatch(e.index)}<b>${e.label}</b></span>${withId ? html`<span class="sub mono">${e.id}</span>` : null}`

const usdOrNot = (x: number | null, otherwise = "not reported") => (x === null ? otherwise : Svg.usd(x))

/** A header group over `span` columns, with a rule under its title as in booktabs' \cmidrule. */
const group = (title: string, span: number) => html`<th class="group" colspan="${span}"><span>${title}</span></th>`
const head = (title: string, numeric = true) => html`<th${numeric ? html` class="num"` : null}>${title}</th>`
const rowHead = (title: string) => html`<th rowspan="2">${title}</th>`

const accuracyCells = (e: EvaluationEntry) =>
  e.accuracy === null
    ? html`<td class="num" data-field="accuracy">—</td><td class="num" data-field="ci">no results</td>`
    : html`<td class="num" data-field="accuracy"><b>${Svg.percent(e.accuracy.estimate)}</b></td><td class="num" data-field="ci">${Svg.ciText(e.accuracy.lower, e.accuracy.upper)}</td>`

const errorsCell = (e: EvaluationEntry) => {
  const byCategory = Object.entries(e.outcomes.errorsByCategory).sort((a, b) => b[1] - a[1])
  return html`<td class="num" data-field="errors">${Svg.int(e.outcomes.errors)}${
    byCategory.map(([category, count]) => html`<span class="sub">${category.replace(/_/g, " ")}: ${Svg.int(count)}</span>`)
  }</td>`
}

const statusCell = (e: EvaluationEntry) =>
  html`<td>${status(e)}${e.failure === null ? null : html`<span class="sub">${e.failure}</span>`}</td>`

/** Table 1: how each evaluation scored. */
const accuracyTable = (evaluations: ReadonlyArray<EvaluationEntry>) =>
  html`<div class="table-wrap"><table data-table="results">
<caption><b>Table 1.</b> Accuracy per evaluation, over the questions answered, with its Wilson 95% confidence interval (in %). A question that failed with an error or gave no answer counts as not correct.</caption>
<thead><tr>${rowHead("#")}${rowHead("Evaluation")}${rowHead("Status")}<th rowspan="2" class="num">Answered</th>${group("Accuracy", 2)}${group("Questions", 4)}</tr>
<tr>${head("%")}${head("95% CI")}${head("Correct")}${head("Wrong")}${head("No answer")}${head("Errors")}</tr></thead>
<tbody>${
    evaluations.map((e) =>
      html`<tr data-eval="${e.id}"><td class="num">${e.index}</td><td>${who(e, true)}</td>${statusCell(e)}
<td class="num" data-field="answered">${Svg.int(e.questions.answered)} / ${Svg.int(e.questions.total)}</td>${accuracyCells(e)}
<td class="num" data-field="correct">${Svg.int(e.outcomes.correct)}</td><td class="num" data-field="wrong">${Svg.int(e.outcomes.wrong)}</td>
<td class="num" data-field="no-answer">${Svg.int(e.outcomes.noAnswer)}</td>${errorsCell(e)}</tr>`
    )
  }</tbody></table></div>`

const costCells = (e: EvaluationEntry) => {
  const partial = e.cost.totalUsd !== null && e.cost.reportedQuestions < e.questions.answered
  const perCorrect = usdOrNot(e.cost.perCorrectUsd, e.cost.totalUsd === null ? "not reported" : "—")
  return html`<td class="num" data-field="cost">${usdOrNot(e.cost.totalUsd)}${
    partial ? html`<span class="sub">reported for ${Svg.int(e.cost.reportedQuestions)} of ${Svg.int(e.questions.answered)}</span>` : null
  }</td><td class="num" data-field="cost-per-question">${usdOrNot(e.cost.perQuestionUsd, "—")}</td><td class="num" data-field="cost-per-correct">${perCorrect}</td>`
}

const callsCell = (e: EvaluationEntry) =>
  html`<td class="num" data-field="calls">${Svg.int(e.calls.llm)}${
    e.calls.retried > 0 ? html`<span class="sub">${Svg.int(e.calls.retried)} ${e.calls.retried === 1 ? "retry" : "retries"}</span>` : null
  }${e.calls.cached > 0 ? html`<span class="sub">${Svg.int(e.calls.cached)} cached</span>` : null}</td>`

/** Table 2: what each evaluation used. */
const costTable = (evaluations: ReadonlyArray<EvaluationEntry>) =>
  html`<div class="table-wrap"><table data-table="cost">
<caption><b>Table 2.</b> Tokens, cost and time per evaluation. Reasoning tokens are part of completion tokens; cost is as the provider reported it.</caption>
<thead><tr>${rowHead("#")}${rowHead("Evaluation")}${group("Tokens", 3)}${group("Cost (USD)", 3)}<th rowspan="2" class="num">Model calls</th>${group("Time", 2)}</tr>
<tr>${head("Prompt")}${head("Completion")}${head("Reasoning")}${head("Total")}${head("Per question")}${head("Per correct")}${head("Per question")}${head("Total")}</tr></thead>
<tbody>${
    evaluations.map((e) =>
      html`<tr data-eval="${e.id}"><td class="num">${e.index}</td><td>${who(e, false)}</td>
<td class="num" data-field="prompt-tokens">${Svg.int(e.tokens.prompt)}</td><td class="num" data-field="completion-tokens">${Svg.int(e.tokens.completion)}</td><td class="num" data-field="reasoning-tokens">${Svg.int(e.tokens.reasoning)}</td>
${costCells(e)}${callsCell(e)}<td class="num" data-field="time">${Svg.duration(e.time.meanMs)}</td><td class="num">${Svg.duration(e.time.totalMs)}</td></tr>`
    )
  }</tbody></table></div>`

const parameters = (p: Readonly<Record<string, unknown>>) => {
  const entries = Object.entries(p)
  return entries.length === 0
    ? html`<span class="muted">defaults</span>`
    : join(entries.map(([k, v]) => html`<span class="mono">${k}=${typeof v === "string" ? v : JSON.stringify(v)}</span>`), html`<br>`)
}

/** Table 3: what exactly each evaluation ran. */
const configTable = (evaluations: ReadonlyArray<EvaluationEntry>) =>
  html`<div class="table-wrap"><table data-table="configurations">
<caption><b>Table 3.</b> Configurations. Sampling parameters not listed were the provider's defaults.</caption>
<thead><tr>${head("#")}${head("Evaluation id", false)}${head("Agent", false)}${head("Model", false)}${head("Sampling", false)}${head("Agent parameters", false)}${head("Benchmark", false)}${head("Created (UTC)", false)}${head("Finished (UTC)", false)}</tr></thead>
<tbody>${
    evaluations.map((e) =>
      html`<tr data-eval="${e.id}"><td class="num">${swatch(e.index)}${e.index}</td><td class="mono">${e.id}</td><td>${e.agent}</td>
<td class="model"><span class="mono">${e.model}</span><span class="sub">via ${e.provider}</span></td><td>${parameters(e.modelParameters)}</td><td>${parameters(e.agentParameters)}</td>
<td>${e.benchmark}<span class="sub">${Svg.int(e.questions.total)} questions</span></td>
<td class="date">${minute(e.createdAt)}</td><td class="date">${e.completedAt === null ? "—" : minute(e.completedAt)}</td></tr>`
    )
  }</tbody></table></div>`

/** "2026-11-26 08:15" (UTC). */
const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
/** "2026-11-26 08:15 UTC". */
const utc = (iso: string) => `${minute(iso)} UTC`

const notes = (items: ReadonlyArray<string>) =>
  items.length === 0 ? null : html`<ul class="notes">${items.map((n) => html`<li>${n}</li>`)}</ul>`

/** A chart in a figure with its caption, or the reason there is none. */
const figure = (chart: Charts.Chart, number: number, caption: Markup, name: string) =>
  chart.svg === null
    ? html`<div class="empty" data-chart="${name}" data-empty="true">${chart.notes.join(" ")}</div>`
    : html`<figure>${chart.svg}<figcaption><b>Figure ${number}.</b> ${caption}</figcaption>${notes(chart.notes)}</figure>`

const categoryTable = (groups: ReadonlyArray<CategoryGroup>, column: string, evaluations: ReadonlyArray<EvaluationEntry>) =>
  html`<div class="table-wrap"><table data-table="categories">
<caption><b>Table 4.</b> Accuracy by ${column} [Wilson 95% CI] (correct / questions answered); columns are the evaluations numbered as in Table 1.</caption>
<thead><tr><th>${column}</th>${evaluations.map((e) => html`<th class="num" title="${e.label} (${e.id})">${swatch(e.index)}#${e.index}</th>`)}</tr></thead>
<tbody>${
    groups.map((g) =>
      html`<tr data-category="${g.value ?? ""}"><td>${g.value ?? html`<i>(no ${column})</i>`}</td>${
        evaluations.map((e) => {
          const c = g.cells.find((cell) => cell.evaluationId === e.id)
          return c === undefined
            ? html`<td class="num">—</td>`
            : html`<td class="num" data-eval="${e.id}"><b>${Svg.percent(c.estimate)}</b> <span class="muted">[${Svg.ciText(c.lower, c.upper)}]</span><span class="sub">${Svg.int(c.correct)} / ${Svg.int(c.n)}</span></td>`
        })
      }</tr>`
    )
  }</tbody></table></div>`

/** The verdict as a sentence: capitalised, with a full stop. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`

const points = (x: number) => (x * 100).toFixed(1)
const signedPoints = (x: number) => (x > 0 ? "+" : x < 0 ? "−" : "±") + Math.abs(x * 100).toFixed(1)
const pValue = (p: number) => (p < 0.001 ? "< 0.001" : p.toFixed(3))

const verdictBadge = (c: Comparison) =>
  !c.significant
    ? badge("neutral", "n.s.")
    : c.difference.estimate > 0
    ? badge("ok", "better")
    : badge("bad", "worse")

const accuracyWithCi = (a: Comparison["accuracy"]["baseline"]) =>
  html`${Svg.percent(a.estimate)}<span class="sub">${Svg.ciText(a.lower, a.upper)}</span>`

const signedUsd = (x: number | null) => (x === null ? "not reported" : (x > 0 ? "+" : x < 0 ? "−" : "±") + Svg.usd(Math.abs(x)))

const comparisonRow = (c: Comparison, byId: ReadonlyMap<string, EvaluationEntry>, adjusted: boolean) => {
  const e = byId.get(c.candidate.id)
  return html`<tr data-eval="${c.candidate.id}"><td>${e === undefined ? html`<b>${c.candidate.label}</b>` : who(e, false)}<span class="sub mono">${c.candidate.id}</span></td>
<td class="num">${Svg.int(c.questions.shared)}</td><td class="num">${accuracyWithCi(c.accuracy.baseline)}</td><td class="num">${accuracyWithCi(c.accuracy.candidate)}</td>
<td class="num" data-field="difference"><b>${signedPoints(c.difference.estimate)}</b><span class="sub">[${points(c.difference.lower)}, ${points(c.difference.upper)}]</span></td>
<td class="num">${c.mcnemar.b} / ${c.mcnemar.c}</td><td class="num">${pValue(c.mcnemar.pValue)}</td>${
    adjusted ? html`<td class="num">${pValue(c.mcnemar.pValueAdjusted)}</td>` : null
  }<td class="num">${signedUsd(c.tokens.deltaPerQuestion.costUsd)}</td><td>${verdictBadge(c)}</td></tr>`
}

/** Table 5 and the verdicts: each candidate against the baseline. */
const comparisonSection = (section: ComparisonSection | null, evaluations: ReadonlyArray<EvaluationEntry>): Markup => {
  if (section === null) return html`<div class="empty" data-empty="true">One evaluation only: there is nothing to compare it with.</div>`
  const byId = new Map(evaluations.map((e) => [e.id, e]))
  const base = byId.get(section.baseline.id)
  const adjusted = section.pValueAdjustment === "holm"
  const table = section.comparisons.length === 0 ? null : html`<div class="table-wrap"><table data-table="comparison">
<caption><b>Table 5.</b> Each evaluation against the baseline <b>${base === undefined ? "" : `#${base.index} `}${section.baseline.label}</b> (<span class="mono">${section.baseline.id}</span>), paired on the questions both answered. Differences are candidate − baseline, in percentage points; n.s.: not significant.</caption>
<thead><tr>${rowHead("Candidate")}<th rowspan="2" class="num">Pairs</th>${group("Accuracy (%)", 2)}<th rowspan="2" class="num">Difference<br>[95% CI]</th>${
    group("McNemar", adjusted ? 3 : 2)
  }<th rowspan="2" class="num">Δ cost /<br>question</th>${rowHead("Verdict")}</tr>
<tr>${head("Baseline")}${head("Candidate")}${head("b / c")}${head("p")}${adjusted ? head("Holm p") : null}</tr></thead>
<tbody>${section.comparisons.map((c) => comparisonRow(c, byId, adjusted))}</tbody></table></div>`
  const warnings = [
    ...section.comparisons.flatMap((c) => c.warnings),
    ...section.unpaired.map((s) => {
      const e = byId.get(s.id)
      const name = e === undefined ? `${s.label} (${s.id})` : `#${e.index} ${e.label} (${e.id})`
      return e?.accuracy === null
        ? `${name} has no results yet, so it is not compared.`
        : `${name} shares no question with the baseline, so it is not compared.`
    })
  ]
  return html`${table}${
    section.comparisons.length === 0 ? null : html`<ol class="verdicts">${section.comparisons.map((c) => html`<li data-eval="${c.candidate.id}">${sentence(c.verdict)}</li>`)}</ol>`
  }${notes(warnings)}<p class="sub">b: questions only the baseline got right; c: questions only the candidate got right. ${section.verdictRule[0]!.toUpperCase()}${section.verdictRule.slice(1)}.</p>`
}

/** One line on the estimator, shared with the experiment report. */
export const PASS_AT_K_NOTE =
  "pass@k is the chance that at least one of k samples of a question is correct, estimated without bias from the n samples of each question (c of them correct) as 1 − C(n − c, k) / C(n, k) (Chen et al., 2021), and averaged over the questions with at least k samples."

/** What a sample is (core's rule), as a sentence. */
export const sampleRule = `${PassAtK.SAMPLE_RULE.charAt(0).toUpperCase()}${PassAtK.SAMPLE_RULE.slice(1)}.`

/** Table 6: pass@k of each evaluation over its samples (an agent's own draws, repeats). */
const passAtKTable = (entries: ReadonlyArray<PassAtKEntry>, evaluations: ReadonlyArray<EvaluationEntry>) => {
  const byId = new Map(evaluations.map((e) => [e.id, e]))
  return html`<div class="table-wrap"><table data-table="pass-at-k">
<caption><b>Table 6.</b> pass@k of each evaluation, in % (how, in section 7).</caption>
<thead><tr>${head("Evaluation", false)}${head("Questions")}${head("k")}${head("pass@k")}${head("Questions counted")}</tr></thead>
<tbody>${
    entries.map(({ evaluationIds, summary }) =>
      summary.values.map((v, i) =>
        html`<tr data-evals="${evaluationIds.join(" ")}" data-k="${v.k}">${
          i === 0
            ? html`<td rowspan="${summary.values.length}">${
              join(evaluationIds.map((id) => {
                const e = byId.get(id)
                return e === undefined ? html`<span class="mono">${id}</span>` : html`${who(e, false)} <span class="muted">#${e.index}</span>`
              }), html`<br>`)
            }<span class="sub">${
              summary.evaluations.length > 1
                ? html`over ${summary.evaluations.length} repeats: <span class="mono">${summary.evaluations.join(", ")}</span>`
                : html`up to ${summary.maxSamples} samples per question`
            }</span></td><td class="num" rowspan="${summary.values.length}">${Svg.int(summary.questions)}<span class="sub">up to ${Svg.int(summary.maxSamples)} samples each</span></td>`
            : null
        }<td class="num">${v.k}</td><td class="num" data-field="pass-at-k"><b>${Svg.percent(v.estimate)}</b></td><td class="num" data-field="questions-counted">${Svg.int(v.questions)}</td></tr>`
      )
    )
  }</tbody></table></div>`
}

const methods = (report: Report) => {
  const b = report.bootstrap
  return html`<div class="methods">
<p><b>Accuracy</b> is the share of a run's answered questions that were graded correct. A question that failed with an error (after its retries) or whose output held no answer counts as not correct, exactly as in <code>ml-agents evaluate show</code>; questions without a result are left out, so the accuracy of a partial run is over the questions it answered. Answers were graded by the grader version shown above (${report.graders.used.length === 0 ? report.graders.current : report.graders.used.join(", ")}), per the benchmark's answer kind unless the evaluation set its own (<code>--answer-kind</code>; a comparison of evaluations graded as different kinds carries a warning).</p>
<p><b>Confidence intervals</b> of accuracies are ${Math.round(report.confidence * 100)}% Wilson score intervals (Wilson, 1927), with z = Φ⁻¹(0.975) ≈ 1.960; unlike the normal approximation they stay inside [0, 100]% and are accurate for small samples.</p>
<p><b>Paired comparisons</b> use the questions both evaluations answered. The difference in accuracy (candidate − baseline) has a paired bootstrap ${Math.round(b.confidence * 100)}% percentile interval from ${Svg.int(b.iterations)} resamples of questions (mulberry32 generator, seed ${b.seed}). McNemar's exact test (two-sided, binomial on the discordant questions b and c) gives the p-value; with more than one candidate the p-values are adjusted by Holm's step-down method. A difference is called significant only when the (adjusted) p-value is below 0.05 and the interval excludes 0.</p>
<p><b>Cost</b> is the USD cost the provider reported for each model call, summed; cost per question is the mean over the questions with a reported cost, and cost per correct answer is total cost ÷ correct answers. A cost the provider did not report is shown as “not reported”, never as $0. <b>Tokens</b> are as the provider counted them; reasoning tokens are part of completion tokens. <b>Time</b> is each question's execution time (model calls, retries and back-off included); questions run concurrently, so the sum exceeds the elapsed time.</p>
${report.passAtK.length === 0 ? null : html`<p><b>pass@k</b> (Table 6): ${PASS_AT_K_NOTE} ${sampleRule}</p>`}
<p>Reproduce this report from the same database with <code>ml-agents report ${report.evaluations.map((e) => e.id).join(" ")} --seed ${b.seed} -o report.html</code>, or get its figures as JSON with <code>--json</code>.</p>
</div>`
}

/** Warnings a reader must see before the figures. */
const notices = (report: Report): Array<string> => {
  const out: Array<string> = []
  for (const e of report.evaluations) {
    if (e.accuracy === null) out.push(`#${e.index} ${e.label} (${e.id}) has no results yet (${e.status}).`)
    else if (!e.complete) {
      out.push(
        `#${e.index} ${e.label} (${e.id}) is partial (${e.status}${e.failure === null ? "" : `: ${e.failure}`}): ` +
          `${Svg.int(e.questions.answered)} of ${Svg.int(e.questions.total)} questions answered; its figures cover only those.`
      )
    }
  }
  const used = report.graders.used
  if (used.length > 1) {
    out.push(`Results were graded by different grader versions (${used.join(", ")}); grade them again with ml-agents evaluate rescore <id>.`)
  } else if (used.length === 1 && used[0] !== report.graders.current) {
    out.push(`Results were graded by ${used[0]}, not the current ${report.graders.current}; ml-agents evaluate rescore <id> grades them again.`)
  }
  const benchmarks = new Set(report.evaluations.map((e) => e.benchmark))
  if (benchmarks.size > 1) out.push(`The evaluations are on different benchmarks (${[...benchmarks].join(", ")}): accuracies are not directly comparable.`)
  return out
}

const header = (report: Report) => {
  const benchmarks = [...new Map(report.evaluations.map((e) => [e.benchmark, e.questions.total])).entries()]
  const graders = report.graders.used.length === 0 ? report.graders.current : report.graders.used.join(", ")
  return html`<header><p class="kicker">ml-agents evaluation report</p><h1>${report.title}</h1><dl class="meta">
<div><dt>Generated</dt><dd>${utc(report.generatedAt)}</dd></div>
<div><dt>ml-agents</dt><dd>${report.version}</dd></div>
<div><dt>Graders</dt><dd>${graders}</dd></div>
<div><dt>Benchmark${benchmarks.length > 1 ? "s" : ""}</dt><dd>${benchmarks.map(([name, total]) => `${name} (${Svg.int(total)} questions)`).join(", ")}</dd></div>
<div><dt>Evaluations</dt><dd>${report.evaluations.length}</dd></div>
</dl></header>`
}

const section = (id: string, title: string, body: Markup) => html`<section id="${id}"><h2>${title}</h2>${body}</section>`

/** The whole page. */
export const render = (report: Report): string => {
  const warnings = notices(report)
  const accuracy = Charts.accuracy(report.evaluations)
  const cost = Charts.cost(report.evaluations)
  const categories = Charts.categories(report)
  const b = report.breakdown
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ml-agents ${report.version}">
<title>${report.title}</title>
<style>${raw(STYLE)}</style></head>
<body><main>
${header(report)}
${warnings.length === 0 ? null : html`<ul class="notices" data-notices>${warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
${section("summary", "1. Summary", join([accuracyTable(report.evaluations), costTable(report.evaluations), configTable(report.evaluations)]))}
${section("accuracy", "2. Accuracy", figure(accuracy, 1, html`Accuracy per evaluation; whiskers are Wilson 95% confidence intervals; n is the number of questions answered.`, "accuracy"))}
${section("cost", "3. Cost and accuracy", figure(cost, 2, html`Mean cost per question (provider-reported USD) against accuracy; vertical whiskers are Wilson 95% confidence intervals. Up and to the left is better.`, "cost"))}
${section("categories", `4. Accuracy by ${b === null ? "category" : b.column}`, html`${
    figure(categories, 3, html`Accuracy by ${b === null ? "category" : b.column} for each evaluation; whiskers are Wilson 95% confidence intervals. Small categories give wide intervals.`, "categories")
  }${b === null || b.groups.length === 0 ? null : categoryTable(b.groups, b.column, report.evaluations.filter((e) => e.accuracy !== null))}`)}
${section("comparison", "5. Paired comparison with the baseline", comparisonSection(report.comparison, report.evaluations))}
${report.passAtK.length === 0 ? null : section("pass-at-k", "6. pass@k", passAtKTable(report.passAtK, report.evaluations))}
${section("methods", `${report.passAtK.length === 0 ? 6 : 7}. Methods`, methods(report))}
<footer>Generated by ml-agents ${report.version} on ${utc(report.generatedAt)}. Self-contained: no scripts, fonts or images are loaded.</footer>
</main></body></html>
`
  return page.value
}
