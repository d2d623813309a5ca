/**
 * Renders an experiment's answer (core's `ExperimentAnalysis`) as one self-contained HTML page,
 * with the same style sheet and Content-Security-Policy as the evaluation report (no script, no
 * fetch): a heatmap of each agent's gain over the baseline (model × benchmark), accuracy against
 * cost per question with each benchmark's Pareto frontier, the tables of `experiment show`, and
 * with repeats pass@k over them.
 * Pure: data in, string out.
 */
import { ExperimentAnalysis } from "@ml-agents/core"
import { CSP, PASS_AT_K_NOTE, sampleRule, STYLE } from "./Html.js"
import { html, join, type Markup, raw } from "./Markup.js"
import * as Svg from "./Svg.js"

type Analysis = ExperimentAnalysis.Analysis

const EXTRA_STYLE = `
table.heat td.cell { text-align: center; min-width: 120px; }
table.heat td.cell b { display: block; font-size: 14px; }
`

const points = (x: number) => (x * 100).toFixed(1)
const signedPoints = (x: number) => (x > 0 ? "+" : x < 0 ? "−" : "±") + Math.abs(x * 100).toFixed(1)
const pValue = (p: number) => (p < 0.001 ? "< 0.001" : p.toFixed(3))
const usdOrMissing = (x: number | null) => (x === null ? "not reported" : Svg.usd(x))
const section = (id: string, title: string, body: Markup) => html`<section id="${id}"><h2>${title}</h2>${body}</section>`

/** A diverging colour for a gain: green for better, red for worse, paler when not significant. */
const heat = (gain: number, significant: boolean) => {
  const strength = Math.min(1, Math.abs(gain) / 0.2)
  const alpha = (significant ? 0.25 + 0.6 * strength : 0.08 + 0.2 * strength).toFixed(2)
  return gain >= 0 ? `rgba(26,127,55,${alpha})` : `rgba(207,34,46,${alpha})`
}

const heatmaps = (a: Analysis) => {
  const candidates = a.experiment.agents.slice(1)
  if (candidates.length === 0) return html`<p class="empty">The experiment has one agent: there is no gain over a baseline to draw.</p>`
  return join(candidates.map((agent) => {
    const rows = a.experiment.models.map((model) => {
      const cells = a.experiment.benchmarks.map((benchmark) => {
        const c = a.groups.find((g) => g.model === model && g.benchmark === benchmark)?.comparisons.find((x) => x.candidate === agent.label)
        if (c === undefined || c.questions === 0) return html`<td class="cell muted" data-gain="">no results yet</td>`
        return html`<td class="cell" data-gain="${c.difference.estimate}" data-significant="${c.significant}" style="background:${heat(c.difference.estimate, c.significant)}"><b>${signedPoints(c.difference.estimate)}</b><span class="sub">[${points(c.difference.lower)}, ${points(c.difference.upper)}] · p ${pValue(c.mcnemar.pAdjusted)}${c.significant ? " ✓" : ""}</span></td>`
      })
      return html`<tr><th>${model}</th>${cells}</tr>`
    })
    return html`<div class="table-wrap"><table class="heat" data-agent="${agent.label}"><caption><b>${agent.label}</b> against <b>${a.experiment.baseline}</b>: accuracy gain in points (candidate − baseline), 95% CI, Holm-adjusted p; ✓ significant</caption>
<thead><tr><th>model \\ benchmark</th>${a.experiment.benchmarks.map((b) => html`<th class="num">${b}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`
  }))
}

/** Accuracy (y) against cost per question (x, log) per benchmark, frontier joined by a line. */
const costCharts = (a: Analysis) => {
  const frontiers = ExperimentAnalysis.costFrontiers(a)
  const agentIndex = new Map(a.experiment.agents.map((x, i) => [x.label, i + 1] as const))
  const shapes = ["circle", "square", "diamond"] as const
  const modelIndex = new Map(a.experiment.models.map((m, i) => [m, i] as const))
  return join(frontiers.map(({ benchmark, points: pts }) => {
    if (pts.length === 0) {
      return html`<p class="empty">${benchmark}: no agent has both results and a reported cost yet.</p>`
    }
    const W = 760
    const H = 340
    const left = 60
    const right = 200
    const top = 16
    const bottom = 46
    const costs = pts.map((p) => p.costPerQuestionUsd).filter((c) => c > 0)
    const lo = costs.length === 0 ? 1e-6 : Math.min(...costs) / 1.5
    const hi = costs.length === 0 ? 1e-5 : Math.max(...costs) * 1.5
    const decades = Svg.decades(lo, hi)
    const x = Svg.log(decades.domain, [left, W - right], decades.ticks)
    const y = Svg.linear([0, 1], [H - bottom, top], [0, 0.25, 0.5, 0.75, 1])
    const px = (c: number) => x.at(Math.max(c, decades.domain[0]))
    const frontier = pts.filter((p) => p.frontier).sort((p, q) => p.costPerQuestionUsd - q.costPerQuestionUsd)
    const mark = (p: ExperimentAnalysis.CostPoint) => {
      const cx = px(p.costPerQuestionUsd)
      const cy = y.at(p.accuracy)
      const colour = Svg.colour(agentIndex.get(p.agent) ?? 1)
      const shape = shapes[(modelIndex.get(p.model) ?? 0) % shapes.length]
      const body = shape === "circle"
        ? html`<circle cx="${Svg.n(cx)}" cy="${Svg.n(cy)}" r="6" fill="${colour}"/>`
        : shape === "square"
        ? html`<rect x="${Svg.n(cx - 5.5)}" y="${Svg.n(cy - 5.5)}" width="11" height="11" fill="${colour}"/>`
        : html`<path d="M${Svg.n(cx)} ${Svg.n(cy - 7)}L${Svg.n(cx + 7)} ${Svg.n(cy)}L${Svg.n(cx)} ${Svg.n(cy + 7)}L${Svg.n(cx - 7)} ${Svg.n(cy)}Z" fill="${colour}"/>`
      return html`<g class="mark" data-agent="${p.agent}" data-model="${p.model}" data-accuracy="${p.accuracy}" data-cost="${p.costPerQuestionUsd}" data-frontier="${p.frontier}"><title>${p.agent} · ${p.model}: ${Svg.percent(p.accuracy)}, ${Svg.usd(p.costPerQuestionUsd)} per question${p.frontier ? " (on the frontier)" : ""}</title>${body}</g>`
    }
    const legend = [
      ...a.experiment.agents.map((ag, i) => html`<g transform="translate(${W - right + 20},${top + 14 + i * 18})"><rect width="11" height="11" y="-9" fill="${Svg.colour(i + 1)}"/><text class="label" x="18">${Svg.fit(ag.label, right - 40, 12.5)}</text></g>`),
      ...a.experiment.models.map((m, i) => {
        const yy = top + 24 + (a.experiment.agents.length + i) * 18
        const shape = shapes[i % shapes.length]
        const icon = shape === "circle" ? html`<circle cx="5" cy="-4" r="5" fill="#59636e"/>` : shape === "square" ? html`<rect y="-9" width="10" height="10" fill="#59636e"/>` : html`<path d="M5 -10L11 -4L5 2L-1 -4Z" fill="#59636e"/>`
        return html`<g transform="translate(${W - right + 20},${yy})">${icon}<text class="label" x="18">${Svg.fit(m, right - 40, 12.5)}</text></g>`
      })
    ]
    const svg = html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Accuracy against cost per question on ${benchmark}" data-benchmark="${benchmark}">
${y.ticks.map((t) => html`<line x1="${left}" x2="${W - right}" y1="${Svg.n(y.at(t))}" y2="${Svg.n(y.at(t))}" stroke="#d8dee4"/><text class="tick" x="${left - 8}" y="${Svg.n(y.at(t) + 4)}" text-anchor="end">${Svg.percent(t, 0)}</text>`)}
${x.ticks.map((t) => html`<line x1="${Svg.n(x.at(t))}" x2="${Svg.n(x.at(t))}" y1="${top}" y2="${H - bottom}" stroke="#eef1f4"/><text class="tick" x="${Svg.n(x.at(t))}" y="${H - bottom + 16}" text-anchor="middle">${Svg.usdTick(t)}</text>`)}
<text class="axis-title" x="${(left + W - right) / 2}" y="${H - 8}" text-anchor="middle">cost per question (USD, log scale)</text>
<text class="axis-title" transform="translate(14,${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">accuracy</text>
<polyline data-role="frontier" fill="none" stroke="#1f2328" stroke-width="1.5" stroke-dasharray="5 3" points="${frontier.map((p) => `${Svg.n(px(p.costPerQuestionUsd))},${Svg.n(y.at(p.accuracy))}`).join(" ")}"/>
${pts.map(mark)}
${legend}
</svg>`
    return html`<figure data-benchmark="${benchmark}">${svg}<figcaption><b>${benchmark}</b>: accuracy against mean cost per question of each agent (colour) on each model (shape); the dashed line joins the Pareto frontier (${frontier.map((p) => `${p.agent} · ${p.model}`).join("; ")}). Up and to the left is better.</figcaption></figure>`
  }))
}

const tables = (a: Analysis) =>
  join(a.groups.map((g) => {
    const gain = new Map(g.comparisons.map((c) => [c.candidate, c] as const))
    return html`<div class="table-wrap"><table data-group="${g.model}|${g.benchmark}"><caption><b>${g.model}</b> on <b>${g.benchmark}</b></caption>
<thead><tr><th>agent</th><th class="num">n</th><th class="num">accuracy [95% CI]</th>${a.experiment.repeats > 1 ? html`<th class="num">mean ± sd over repeats</th>` : null}<th class="num">gain (points) [95% CI]</th><th class="num">p (Holm)</th><th class="num">cost / question</th><th class="num">cost / correct</th><th class="num">tokens / question</th><th class="num">tokens / correct</th></tr></thead>
<tbody>${g.agents.map((ag) => {
      const c = gain.get(ag.label)
      return html`<tr><td>${ag.label}${ag.label === a.experiment.baseline ? html` <span class="badge neutral">baseline</span>` : null}</td>
<td class="num">${Svg.int(ag.accuracy.n)}</td>
<td class="num">${ag.accuracy.n === 0 ? "—" : html`${Svg.percent(ag.accuracy.estimate)} <span class="muted">[${Svg.ciText(ag.accuracy.lower, ag.accuracy.upper)}]</span>`}</td>
${a.experiment.repeats > 1 ? html`<td class="num">${ag.repeats.mean === null ? "—" : `${Svg.percent(ag.repeats.mean)} ± ${ag.repeats.sd === null ? "—" : points(ag.repeats.sd)}`}</td>` : null}
<td class="num">${c === undefined ? "" : c.questions === 0 ? "—" : `${signedPoints(c.difference.estimate)} [${points(c.difference.lower)}, ${points(c.difference.upper)}]`}</td>
<td class="num">${c === undefined || c.questions === 0 ? "" : pValue(c.mcnemar.pAdjusted)}</td>
<td class="num">${usdOrMissing(ag.cost.perQuestionUsd)}</td>
<td class="num">${usdOrMissing(ag.cost.perCorrectUsd)}</td>
<td class="num">${ag.cost.tokens.perQuestion === null ? "—" : Svg.int(ag.cost.tokens.perQuestion)}</td>
<td class="num">${ag.cost.tokens.perCorrect === null ? "—" : Svg.int(ag.cost.tokens.perCorrect)}</td></tr>`
    })}</tbody></table></div>
<ul class="notes verdicts">${g.comparisons.map((c) => html`<li>${c.significant ? html`<span class="badge ok">significant</span> ` : null}${c.verdict}</li>`)}</ul>`
  }))

/** Whether any agent has pass@k (an experiment with repeats and results). */
const hasPassAtK = (a: Analysis) => a.groups.some((g) => g.agents.some((ag) => ag.passAtK !== null))

/** Per model × benchmark, each agent's pass@1 … pass@k over its samples (its repeats, and its own draws). */
const passAtKTables = (a: Analysis) =>
  html`${
    join(a.groups.filter((g) => g.agents.some((ag) => ag.passAtK !== null)).map((g) => {
      const ks = [...new Set(g.agents.flatMap((ag) => ag.passAtK?.values.map((v) => v.k) ?? []))].sort((x, y) => x - y)
      return html`<div class="table-wrap"><table data-pass-at-k="${g.model}|${g.benchmark}"><caption><b>${g.model}</b> on <b>${g.benchmark}</b>${
        g.answerKind === null ? null : html` (graded as ${g.answerKind})`
      }: pass@k over each agent's samples, in %</caption>
<thead><tr><th>agent</th><th class="num">repeats</th><th class="num">questions</th>${ks.map((k) => html`<th class="num">pass@${k}</th>`)}</tr></thead>
<tbody>${
        g.agents.map((ag) => {
          const p = ag.passAtK
          return html`<tr data-agent="${ag.label}"><td>${ag.label}</td><td class="num">${ag.repeats.count}</td><td class="num">${p === null ? "—" : Svg.int(p.questions)}</td>${
            ks.map((k) => {
              const v = p?.values.find((x) => x.k === k)
              return v === undefined
                ? html`<td class="num" data-k="${k}">—</td>`
                : html`<td class="num" data-k="${k}" data-field="pass-at-k" data-questions="${v.questions}"><b>${Svg.percent(v.estimate)}</b>${
                  v.questions < p!.questions ? html`<span class="sub">over ${Svg.int(v.questions)} with ≥ ${k} samples</span>` : null
                }</td>`
            })
          }</tr>`
        })
      }</tbody></table></div>`
    }))
  }`

const cellTable = (a: Analysis) =>
  html`<div class="table-wrap"><table data-cells><caption>Every cell is an ordinary evaluation (<code>ml-agents evaluate show &lt;id&gt;</code>)</caption>
<thead><tr><th>evaluation</th><th>agent</th><th>model</th><th>benchmark</th><th class="num">repeat</th><th>status</th><th class="num">answered</th><th class="num">accuracy</th><th class="num">errors</th><th class="num">cost</th></tr></thead>
<tbody>${a.cells.map((c) => html`<tr><td class="mono">${c.evaluationId}</td><td>${c.agent}</td><td class="model">${c.model}</td><td>${c.benchmark}</td><td class="num">${c.repeat}</td><td>${c.status}</td><td class="num">${Svg.int(c.questions.answered)} / ${Svg.int(c.questions.total)}</td><td class="num">${c.accuracy === null ? "—" : Svg.percent(c.accuracy)}</td><td class="num">${c.errors}</td><td class="num">${usdOrMissing(c.cost.totalUsd)}</td></tr>`)}</tbody></table></div>`

const methods = (a: Analysis) =>
  html`<div class="methods"><p>Accuracy is correct answers over questions answered (a failed question counts as wrong), with a Wilson 95% interval over all of an agent's rows on that model and benchmark${a.experiment.repeats > 1 ? "; with repeats, the mean and sample standard deviation of the repeats' accuracies are shown beside it" : ""}.
Each agent is compared with the baseline (${a.experiment.baseline}, the first listed) on the questions both answered: the gain is the mean over those questions of the difference of their scores${a.experiment.repeats > 1 ? " (a question's score being its mean over the repeats, so its repeats stay together)" : ""}, with a bootstrap 95% interval over questions (${Svg.int(a.method.bootstrap.iterations)} resamples, seed ${a.method.bootstrap.seed}), and an exact McNemar test on the questions where one did better than the other${a.experiment.repeats > 1 ? " (the sign test on the per-question mean scores)" : ""}.
The p-values are Holm-adjusted across all ${a.method.comparisons} comparisons of the experiment. ${a.method.verdictRule.charAt(0).toUpperCase()}${a.method.verdictRule.slice(1)}.
${a.experiment.sample === null ? "Every cell asks its whole benchmark." : `Every cell of a benchmark asks the same ${a.experiment.sample.size} questions, drawn with seed ${a.experiment.sample.seed}, stratified by the benchmark's category column when it has one.`}
Costs are those the provider reported; a cost that was not reported is said to be missing, never counted as $0.</p>
${hasPassAtK(a) ? html`<p>${PASS_AT_K_NOTE} ${sampleRule}</p>` : null}</div>`

/** The whole page for an experiment. */
export const render = (a: Analysis, meta: { readonly version: string; readonly generatedAt: string; readonly title?: string | undefined }): string => {
  const title = meta.title ?? `Experiment ${a.experiment.id}: ${a.experiment.name}`
  const partial = a.cells.filter((c) => c.status !== "completed" || c.questions.answered < c.questions.total)
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ml-agents ${meta.version}">
<title>${title}</title>
<style>${raw(STYLE + EXTRA_STYLE)}</style></head>
<body><main>
<header><p class="kicker">ml-agents experiment report</p><h1>${title}</h1><dl class="meta">
<div><dt>Generated</dt><dd>${meta.generatedAt.slice(0, 16).replace("T", " ")} UTC</dd></div>
<div><dt>ml-agents</dt><dd>${meta.version}</dd></div>
<div><dt>Status</dt><dd>${a.experiment.status}</dd></div>
<div><dt>Grid</dt><dd>${a.experiment.agents.length} agents × ${a.experiment.models.length} models × ${a.experiment.benchmarks.length} benchmarks × ${a.experiment.repeats} repeats</dd></div>
<div><dt>Baseline</dt><dd>${a.experiment.baseline}</dd></div>
<div><dt>Cost</dt><dd>${usdOrMissing(a.totals.costUsd)}</dd></div>
</dl></header>
${partial.length === 0 ? null : html`<ul class="notices" data-notices><li>${partial.length} of ${a.cells.length} cells are partial (${Svg.int(a.totals.answered)} of ${Svg.int(a.totals.questions)} questions answered): their figures cover only the questions answered.</li></ul>`}
${section("gains", "1. Gains over the baseline", heatmaps(a))}
${section("cost", "2. Accuracy and cost", costCharts(a))}
${section("tables", "3. Per model and benchmark", tables(a))}
${hasPassAtK(a) ? section("pass-at-k", "4. pass@k", passAtKTables(a)) : null}
${section("cells", `${hasPassAtK(a) ? 5 : 4}. Cells`, cellTable(a))}
${section("methods", `${hasPassAtK(a) ? 6 : 5}. Methods`, methods(a))}
<footer>Generated by ml-agents ${meta.version}. Self-contained: no scripts, fonts or images are loaded.</footer>
</main></body></html>
`
  return page.value
}
