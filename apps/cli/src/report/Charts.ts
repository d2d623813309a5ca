/**
 * The report's three charts as inline SVG, drawn on the server: accuracy per evaluation with
 * Wilson intervals, cost per question against accuracy, and accuracy by category. Every mark
 * carries its numbers in data-* attributes (so a test can check the drawing against the data)
 * and a <title> that browsers show on hover; nothing needs a script.
 */
import { html, join, type Markup } from "./Markup.js"
import type { Report as Figures } from "@ml-agents/core"

type Accuracy = Figures.Accuracy
type EvaluationEntry = Figures.EvaluationEntry
type Report = Figures.Report
import * as Svg from "./Svg.js"

const WIDTH = 880
const TEXT = "#1f2328"
const GRID = "#e4e7eb"
const AXIS = "#8c959f"

/** A chart, or the sentence said in its place when there is nothing to draw. */
export interface Chart {
  readonly svg: Markup | null
  /** Said instead of the chart, or under it (evaluations left out and why). */
  readonly notes: ReadonlyArray<string>
}

const svg = (name: string, height: number, label: string, body: ReadonlyArray<Markup | null>): Markup =>
  html`<svg class="chart" data-chart="${name}" viewBox="0 0 ${WIDTH} ${Svg.n(height)}" width="${WIDTH}" height="${Svg.n(height)}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`

const accuracyAttrs = (a: Accuracy) =>
  html`data-accuracy="${a.estimate}" data-ci-low="${a.lower}" data-ci-high="${a.upper}" data-correct="${a.correct}" data-n="${a.n}"`

const tooltip = (e: EvaluationEntry, a: Accuracy, what = "") =>
  `#${e.index} ${e.label} [${e.id}]${what}\nAccuracy ${Svg.percent(a.estimate)} (${Svg.int(a.correct)} of ${Svg.int(a.n)})\n` +
  `Wilson 95% CI ${Svg.ciText(a.lower, a.upper)}%`

/** Vertical gridlines and tick labels of a percentage axis along x. */
const percentAxisX = (x: Svg.Scale, top: number, bottom: number, title: string): Markup => {
  const lines = x.ticks.map((t) =>
    html`<line x1="${Svg.n(x.at(t))}" x2="${Svg.n(x.at(t))}" y1="${Svg.n(top)}" y2="${Svg.n(bottom)}" stroke="${t === 0 ? AXIS : GRID}"/>`
  )
  const labels = x.ticks.filter((t) => Math.round(t * 100) % 20 === 0).map((t) =>
    html`<text x="${Svg.n(x.at(t))}" y="${Svg.n(bottom + 16)}" text-anchor="middle" class="tick">${Math.round(t * 100)}%</text>`
  )
  const middle = (x.range[0] + x.range[1]) / 2
  return html`<g class="axis" data-axis="x">${lines}${labels}<text x="${Svg.n(middle)}" y="${Svg.n(bottom + 36)}" text-anchor="middle" class="axis-title">${title}</text></g>`
}

const percentTicks = Array.from({ length: 11 }, (_, i) => i / 10)

/** A horizontal bar to the estimate, the interval as a whisker with caps over it. */
const barWithInterval = (x: Svg.Scale, cy: number, barHeight: number, fill: string, a: Accuracy): Markup => {
  const [x0, xe, lo, hi] = [x.at(0), x.at(a.estimate), x.at(a.lower), x.at(a.upper)]
  const cap = barHeight / 2 - 1
  return join([
    html`<rect data-role="estimate" x="${Svg.n(x0)}" y="${Svg.n(cy - barHeight / 2)}" width="${Svg.n(Math.max(0, xe - x0))}" height="${Svg.n(barHeight)}" fill="${fill}" fill-opacity="0.82"/>`,
    html`<line data-role="ci" x1="${Svg.n(lo)}" x2="${Svg.n(hi)}" y1="${Svg.n(cy)}" y2="${Svg.n(cy)}" stroke="${TEXT}" stroke-width="1.5"/>`,
    html`<line x1="${Svg.n(lo)}" x2="${Svg.n(lo)}" y1="${Svg.n(cy - cap)}" y2="${Svg.n(cy + cap)}" stroke="${TEXT}" stroke-width="1.5"/>`,
    html`<line x1="${Svg.n(hi)}" x2="${Svg.n(hi)}" y1="${Svg.n(cy - cap)}" y2="${Svg.n(cy + cap)}" stroke="${TEXT}" stroke-width="1.5"/>`
  ])
}

/** "72.0% [51.7–86.0] n = 20", the figures beside a bar. */
const valueText = (x: number, y: number, a: Accuracy): Markup =>
  html`<text x="${Svg.n(x)}" y="${Svg.n(y)}" class="value"><tspan class="strong">${Svg.percent(a.estimate)}</tspan><tspan class="muted" dx="6">[${Svg.ciText(a.lower, a.upper)}]</tspan><tspan class="muted" dx="6">n = ${Svg.int(a.n)}</tspan></text>`

const partialNote = (e: EvaluationEntry): string =>
  e.complete ? "" : ` · ${e.status}, ${Svg.int(e.questions.answered)}/${Svg.int(e.questions.total)} answered`

const noResults = (entries: ReadonlyArray<EvaluationEntry>): Array<string> =>
  entries.filter((e) => e.accuracy === null).map((e) => `#${e.index} ${e.label} (${e.id}) is not plotted: it has no results yet.`)

/** Figure 1: each evaluation's accuracy as a bar, its Wilson 95% interval as a whisker. */
export const accuracy = (evaluations: ReadonlyArray<EvaluationEntry>): Chart => {
  const plotted = evaluations.filter((e) => e.accuracy !== null)
  if (plotted.length === 0) return { svg: null, notes: ["No evaluation has results yet, so there is no accuracy to plot."] }
  const rowHeight = 38
  const top = 26
  const tagWidth = (e: EvaluationEntry) => Svg.textWidth(`#${e.index} `, 12.5, "bold")
  const labelWidth = Math.min(340, Math.max(130, ...plotted.map((e) => Math.max(tagWidth(e) + Svg.textWidth(e.label, 12.5), Svg.textWidth(e.id + partialNote(e), 11)))))
  const left = labelWidth + 22
  const right = WIDTH - 200
  const bottom = top + plotted.length * rowHeight
  const x = Svg.linear([0, 1], [left, right], percentTicks)
  const rows = plotted.map((e, i) => {
    const a = e.accuracy!
    const cy = top + i * rowHeight + rowHeight / 2
    return html`<g class="mark" data-mark="accuracy" data-eval="${e.id}" ${accuracyAttrs(a)}><title>${tooltip(e, a, partialNote(e))}</title>${[
      html`<text x="${Svg.n(left - 12)}" y="${Svg.n(cy - 2)}" text-anchor="end" class="label"><tspan fill="${Svg.colour(e.index)}" class="strong">#${e.index}</tspan> ${Svg.fit(e.label, labelWidth - tagWidth(e), 12.5)}</text>`,
      html`<text x="${Svg.n(left - 12)}" y="${Svg.n(cy + 12)}" text-anchor="end" class="sub${e.complete ? "" : " warn"}">${e.id}${partialNote(e)}</text>`,
      barWithInterval(x, cy, 18, Svg.colour(e.index), a),
      valueText(right + 14, cy + 4, a)
    ]}</g>`
  })
  const body = [
    html`<text x="${Svg.n(right + 14)}" y="${Svg.n(top - 10)}" class="head">Accuracy [95% CI]</text>`,
    percentAxisX(x, top - 4, bottom, "Accuracy (%): bar = estimate, whisker = Wilson 95% confidence interval"),
    html`<rect data-plot="accuracy" data-domain-min="0" data-domain-max="1" x="${Svg.n(left)}" y="${Svg.n(top)}" width="${Svg.n(right - left)}" height="${Svg.n(bottom - top)}" fill="none"/>`,
    ...rows
  ]
  return { svg: svg("accuracy", bottom + 46, "Accuracy per evaluation with Wilson 95% confidence intervals", body), notes: noResults(evaluations) }
}

interface Box {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1

/** Offsets tried for a point's label, nearest first: beside the point, then above and below it. */
const LABEL_OFFSETS: ReadonlyArray<{ readonly dx: number; readonly dy: number; readonly anchor: "start" | "end" | "middle" }> = [
  { dx: 10, dy: 4, anchor: "start" },
  { dx: -10, dy: 4, anchor: "end" },
  ...[-12, 20, -28, 36, -44, 52].flatMap((dy) => [{ dx: 10, dy, anchor: "start" as const }, { dx: -10, dy, anchor: "end" as const }]),
  { dx: 0, dy: -14, anchor: "middle" },
  { dx: 0, dy: 24, anchor: "middle" }
]

/**
 * Places a point's label where it overlaps the fewest other labels, points and whiskers (none,
 * when there is room), inside the plot; the nearest such place wins.
 */
const placeLabel = (cx: number, cy: number, text: string, taken: Array<Box>, plot: Box) => {
  const w = Svg.textWidth(text, 12)
  const h = 14
  const boxOf = (o: (typeof LABEL_OFFSETS)[number]): Box => {
    const x = cx + o.dx
    const x0 = o.anchor === "start" ? x : o.anchor === "end" ? x - w : x - w / 2
    return { x0, y0: cy + o.dy - h + 3, x1: x0 + w, y1: cy + o.dy + 3 }
  }
  const inside = (b: Box) => b.x0 >= plot.x0 && b.x1 <= plot.x1 && b.y0 >= plot.y0 && b.y1 <= plot.y1
  let best = LABEL_OFFSETS[0]!
  let bestHits = Infinity
  for (const o of LABEL_OFFSETS) {
    const b = boxOf(o)
    if (!inside(b)) continue
    const hits = taken.filter((t) => overlaps(t, b)).length
    if (hits < bestHits) [best, bestHits] = [o, hits]
    if (hits === 0) break
  }
  taken.push(boxOf(best))
  return { x: cx + best.dx, y: cy + best.dy, anchor: best.anchor }
}

/** The x scale of the cost chart: logarithmic when costs span more than 30×, else linear from 0. */
const costScale = (costs: ReadonlyArray<number>, range: readonly [number, number]): Svg.Scale => {
  const min = Math.min(...costs)
  const max = Math.max(...costs)
  if (min > 0 && max / min > 30) {
    const d = Svg.decades(min, max)
    return Svg.log(d.domain, range, d.ticks)
  }
  const d = Svg.niceZeroBased(max * 1.06, 6)
  return Svg.linear(d.domain, range, d.ticks)
}

/** Figure 2: cost per question against accuracy, with the accuracy's interval as a vertical whisker. */
export const cost = (evaluations: ReadonlyArray<EvaluationEntry>): Chart => {
  const withResults = evaluations.filter((e) => e.accuracy !== null)
  const plotted = withResults.filter((e) => e.cost.perQuestionUsd !== null)
  const notes = [
    ...noResults(evaluations),
    ...withResults.filter((e) => e.cost.perQuestionUsd === null).map((e) =>
      `#${e.index} ${e.label} (${e.id}) is not plotted: the provider reported no cost for it (not the same as $0).`
    ),
    ...plotted.filter((e) => e.cost.reportedQuestions < e.questions.answered).map((e) =>
      `#${e.index} ${e.label}: cost reported for ${Svg.int(e.cost.reportedQuestions)} of ${Svg.int(e.questions.answered)} questions; ` +
      `its cost per question is the mean over those.`
    )
  ]
  if (plotted.length === 0) {
    return {
      svg: null,
      notes: [withResults.length === 0
        ? "No evaluation has results yet, so there is nothing to plot."
        : "No cost was reported for any of these evaluations (the provider returned none), so cost cannot be set against accuracy."]
    }
  }
  const [left, right, top, bottom] = [78, WIDTH - 28, 18, 350]
  const x = costScale(plotted.map((e) => e.cost.perQuestionUsd!), [left, right])
  const y = Svg.linear([0, 1], [bottom, top], percentTicks)
  const grid = [
    ...y.ticks.map((t) =>
      html`<line x1="${left}" x2="${right}" y1="${Svg.n(y.at(t))}" y2="${Svg.n(y.at(t))}" stroke="${t === 0 ? AXIS : GRID}"/>${
        Math.round(t * 100) % 20 === 0
          ? html`<text x="${left - 8}" y="${Svg.n(y.at(t) + 4)}" text-anchor="end" class="tick">${Math.round(t * 100)}%</text>`
          : null
      }`
    ),
    ...x.ticks.map((t) =>
      html`<line x1="${Svg.n(x.at(t))}" x2="${Svg.n(x.at(t))}" y1="${top}" y2="${bottom}" stroke="${x.kind === "linear" && t === 0 ? AXIS : GRID}"/><text x="${Svg.n(x.at(t))}" y="${bottom + 16}" text-anchor="middle" class="tick">${Svg.usdTick(t)}</text>`
    )
  ]
  const plot: Box = { x0: left, y0: top, x1: right, y1: bottom }
  // Labels keep clear of every point and every whisker.
  const taken: Array<Box> = plotted.flatMap((e) => {
    const [cx, a] = [x.at(e.cost.perQuestionUsd!), e.accuracy!]
    const cy = y.at(a.estimate)
    return [{ x0: cx - 7, y0: cy - 7, x1: cx + 7, y1: cy + 7 }, { x0: cx - 5, y0: y.at(a.upper), x1: cx + 5, y1: y.at(a.lower) }]
  })
  const points = plotted.map((e) => {
    const a = e.accuracy!
    const perQuestion = e.cost.perQuestionUsd!
    const [cx, cy] = [x.at(perQuestion), y.at(a.estimate)]
    const text = `#${e.index} ${Svg.fit(e.label, 220, 12)}${e.complete ? "" : " (partial)"}`
    const place = placeLabel(cx, cy, text, taken, plot)
    const c = Svg.colour(e.index)
    const perCorrect = e.cost.perCorrectUsd === null ? "—" : Svg.usd(e.cost.perCorrectUsd)
    return html`<g class="mark" data-mark="cost" data-eval="${e.id}" data-cost-per-question="${perQuestion}" ${accuracyAttrs(a)}>${[
      html`<title>${tooltip(e, a)}\nCost per question ${Svg.usd(perQuestion)}, per correct answer ${perCorrect}</title>`,
      html`<line data-role="ci" x1="${Svg.n(cx)}" x2="${Svg.n(cx)}" y1="${Svg.n(y.at(a.lower))}" y2="${Svg.n(y.at(a.upper))}" stroke="${c}" stroke-width="2"/>`,
      html`<line x1="${Svg.n(cx - 4)}" x2="${Svg.n(cx + 4)}" y1="${Svg.n(y.at(a.lower))}" y2="${Svg.n(y.at(a.lower))}" stroke="${c}" stroke-width="2"/>`,
      html`<line x1="${Svg.n(cx - 4)}" x2="${Svg.n(cx + 4)}" y1="${Svg.n(y.at(a.upper))}" y2="${Svg.n(y.at(a.upper))}" stroke="${c}" stroke-width="2"/>`,
      html`<circle data-role="estimate" cx="${Svg.n(cx)}" cy="${Svg.n(cy)}" r="6" fill="${c}" fill-opacity="0.9" stroke="#fff" stroke-width="1.5"/>`,
      html`<text x="${Svg.n(place.x)}" y="${Svg.n(place.y)}" text-anchor="${place.anchor}" class="label point-label">${text}</text>`
    ]}</g>`
  })
  const xTitle = `Cost per question (USD, as reported by the provider)${x.kind === "log" ? ", logarithmic scale" : ""}`
  const body = [
    ...grid,
    html`<text x="${Svg.n((left + right) / 2)}" y="${bottom + 38}" text-anchor="middle" class="axis-title">${xTitle}</text>`,
    html`<text transform="translate(18 ${Svg.n((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" class="axis-title">Accuracy (%), whisker = Wilson 95% CI</text>`,
    html`<rect data-plot="cost" data-scale="${x.kind}" data-domain-min="${x.domain[0]}" data-domain-max="${x.domain[1]}" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none"/>`,
    ...points
  ]
  return { svg: svg("cost", bottom + 52, "Cost per question against accuracy", body), notes }
}

/** The legend: a swatch and "#k label" per evaluation, wrapped into rows; returns its height too. */
const legend = (evaluations: ReadonlyArray<EvaluationEntry>, left: number, top: number) => {
  const items: Array<Markup> = []
  let [x, y] = [left, top]
  for (const e of evaluations) {
    const text = `#${e.index} ${Svg.fit(e.label, 260, 12.5)}`
    const w = 18 + Svg.textWidth(text, 12.5) + 22
    if (x + w > WIDTH - 10 && x > left) [x, y] = [left, y + 20]
    items.push(html`<rect x="${Svg.n(x)}" y="${Svg.n(y - 10)}" width="12" height="12" rx="2" fill="${Svg.colour(e.index)}" fill-opacity="0.82"/><text x="${Svg.n(x + 18)}" y="${Svg.n(y)}" class="label">${text}</text>`)
    x += w
  }
  return { markup: html`<g class="legend">${items}</g>`, height: y - top + 20 }
}

/** Figure 3: accuracy per category, one bar per evaluation in each category's group. */
export const categories = (report: Pick<Report, "evaluations" | "breakdown">): Chart => {
  const b = report.breakdown
  if (b === null) {
    return { svg: null, notes: ["None of these benchmarks has a category column, so accuracy cannot be broken down by category."] }
  }
  if (b.groups.length === 0) return { svg: null, notes: [`No results yet to break down by ${b.column}.`] }
  const evaluations = report.evaluations.filter((e) => e.accuracy !== null)
  const name = (value: string | null) => value ?? `(no ${b.column})`
  const nameWidth = Math.min(230, Math.max(90, ...b.groups.map((g) => Svg.textWidth(name(g.value), 12.5, "bold")))) + 8
  const left = 12 + nameWidth + 36
  const right = WIDTH - 200
  const key = legend(evaluations, 12, 14)
  const top = key.height + 34
  const [rowHeight, gap] = [19, 12]
  const groupHeight = evaluations.length * rowHeight
  const bottom = top + b.groups.length * (groupHeight + gap) - gap
  const x = Svg.linear([0, 1], [left, right], percentTicks)
  const groups = b.groups.map((g, gi) => {
    const y0 = top + gi * (groupHeight + gap)
    const rows = evaluations.map((e, i) => {
      const cy = y0 + i * rowHeight + rowHeight / 2
      const cell = g.cells.find((c) => c.evaluationId === e.id)
      const tag = html`<text x="${Svg.n(left - 8)}" y="${Svg.n(cy + 4)}" text-anchor="end" class="sub" fill="${Svg.colour(e.index)}">#${e.index}</text>`
      if (cell === undefined) {
        return html`${tag}<text x="${Svg.n(left + 6)}" y="${Svg.n(cy + 4)}" class="sub">no questions in this ${b.column}</text>`
      }
      return html`<g class="mark" data-mark="category-accuracy" data-eval="${e.id}" ${accuracyAttrs(cell)}><title>${name(g.value)}: ${tooltip(e, cell)}</title>${[
        tag,
        barWithInterval(x, cy, 12, Svg.colour(e.index), cell),
        valueText(right + 14, cy + 4, cell)
      ]}</g>`
    })
    const missing = g.value === null ? html` data-category-missing="true"` : null
    return html`<g class="group" data-category="${g.value ?? ""}"${missing}><text x="14" y="${Svg.n(y0 + groupHeight / 2 + 4)}" class="label strong">${Svg.fit(name(g.value), nameWidth, 12.5, "bold")}</text>${rows}</g>`
  })
  // Alternate bands behind the groups, drawn before the gridlines so that these stay visible.
  const bands = b.groups.map((_, gi) => {
    const y0 = top + gi * (groupHeight + gap)
    return html`<rect x="6" y="${Svg.n(y0 - 4)}" width="${WIDTH - 12}" height="${Svg.n(groupHeight + 8)}" fill="${gi % 2 === 0 ? "#f3f5f7" : "#ffffff"}"/>`
  })
  const body = [
    key.markup,
    ...bands,
    html`<text x="${Svg.n(right + 14)}" y="${Svg.n(top - 12)}" class="head">Accuracy [95% CI]</text>`,
    percentAxisX(x, top - 6, bottom + 4, `Accuracy (%) by ${b.column}: bar = estimate, whisker = Wilson 95% confidence interval`),
    html`<rect data-plot="categories" data-domain-min="0" data-domain-max="1" x="${Svg.n(left)}" y="${Svg.n(top)}" width="${Svg.n(right - left)}" height="${Svg.n(bottom - top)}" fill="none"/>`,
    ...groups
  ]
  return { svg: svg("categories", bottom + 50, `Accuracy by ${b.column} with Wilson 95% confidence intervals`, body), notes: [] }
}
