/**
 * The report's model and renderer without a database or a browser: escaping of everything that
 * comes from the user, the states a report must say in words (no categories, costs not reported,
 * one evaluation, no results yet), and chart geometry read back from the SVG's attributes.
 */
import { AgentConfig, Evaluation, EvaluationResults, PassAtK, Report, Usage } from "@ml-agents/core"
import { describe, expect, it } from "vitest"
import * as Html from "../src/report/Html.js"
import { escape, html, raw } from "../src/report/Markup.js"
import * as Svg from "../src/report/Svg.js"

const NOW = new Date("2026-11-26T08:15:00Z")

interface Fixture {
  readonly id?: string
  readonly agent?: string
  readonly model?: string
  readonly benchmark?: string
  readonly status?: Evaluation.EvaluationStatus
  readonly processed?: number
  readonly correct?: number
  readonly total?: number
  readonly costUsd?: number
  readonly costReported?: number
  readonly agentParameters?: Record<string, unknown>
}

const entry = (index: number, f: Fixture = {}): Report.EvaluationEntry => {
  const processed = f.processed ?? 20
  const created = Evaluation.create({
    id: f.id ?? `eval_test${index}`,
    agentConfig: new AgentConfig.AgentConfig({
      agentType: f.agent ?? "cot",
      modelProvider: "openrouter",
      modelName: f.model ?? "openai/gpt-4o-mini",
      modelParameters: new AgentConfig.ModelParameters({ temperature: 0 }),
      agentParameters: f.agentParameters ?? {}
    }),
    benchmarkId: "b1",
    benchmarkName: f.benchmark ?? "SAMPLE_MC",
    now: NOW
  })
  const evaluation = new Evaluation.Evaluation({ ...created, status: f.status ?? "completed", completedAt: NOW })
  const results = EvaluationResults.fromTotals({
    processed,
    correct: f.correct ?? 15,
    errors: 1,
    errorsByCategory: { network_timeout: 1 },
    totalTimeMs: processed * 1200,
    usage: new Usage.TokenUsage({ promptTokens: 3000, completionTokens: 900, reasoningTokens: 300, totalTokens: 3900 }),
    costUsd: f.costUsd ?? 0.0123,
    llmCalls: processed,
    noAnswer: 1
  })
  return Report.entry({
    index,
    evaluation,
    results,
    totalQuestions: f.total ?? 20,
    facts: { costReported: f.costReported ?? processed, graderVersions: new Set(["graders-1"]) },
    confidence: 0.95
  })
}

const report = (evaluations: ReadonlyArray<Report.EvaluationEntry>, patch: Partial<Report.Report> = {}): Report.Report => ({
  title: "Test report",
  generatedAt: NOW.toISOString(),
  version: "0.1.0",
  graders: { current: "graders-1", used: ["graders-1"] },
  confidence: 0.95,
  bootstrap: { iterations: 10_000, confidence: 0.95, seed: 0x5eed },
  evaluations,
  breakdown: {
    column: "category",
    groups: Report.pivot(evaluations.map((e) => ({ evaluationId: e.id, groups: [{ value: "math", processed: 10, correct: 7 }] })), 0.95)
  },
  comparison: null,
  passAtK: [],
  ...patch
})

/** The opening tags of the elements matching a tag name and an attribute. */
const tags = (page: string, tag: string, attribute: string) =>
  [...page.matchAll(new RegExp(`<${tag}\\b[^>]*${attribute}[^>]*>`, "g"))].map((m) => m[0])

const attr = (tag: string, name: string) => {
  const value = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
  if (value === undefined) throw new Error(`no ${name} in ${tag}`)
  return value
}

/** The SVG element of a chart. */
const chart = (page: string, name: string) => {
  const start = page.indexOf(`<svg class="chart" data-chart="${name}"`)
  return start < 0 ? null : page.slice(start, page.indexOf("</svg>", start))
}

describe("Markup", () => {
  it("escapes interpolated text, keeps nested fragments and raw markup, drops null and false", () => {
    const name = `<b onclick="x">Tom & 'Jerry'</b>`
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      `<p title="&lt;b onclick=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;">&lt;b onclick=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;</p>`
    )
    expect(html`<ul>${["a<", "b"].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe("<ul><li>a&lt;</li><li>b</li></ul>")
    expect(html`${raw("<br>")}${null}${false}${undefined}${0}`.value).toBe("<br>0")
    expect(escape("&amp;")).toBe("&amp;amp;")
  })
})

describe("report HTML", () => {
  it("escapes categories, agent names, models, benchmarks, parameters and the title", () => {
    const evil = "<script>alert(1)</script>"
    const e = entry(1, {
      agent: "R&D agent",
      model: `m"><img src=x onerror=alert(2)>`,
      benchmark: "<b>bench</b>",
      agentParameters: { note: "<iframe src=//x>", n: 3 }
    })
    const page = Html.render(report([e], {
      title: `Results <for> "paper" & co`,
      breakdown: { column: "category", groups: Report.pivot([{ evaluationId: e.id, groups: [{ value: evil, processed: 4, correct: 2 }] }], 0.95) }
    }))
    expect(page).not.toContain(evil)
    expect(page).not.toMatch(/<script|<img|<iframe|<b>bench/i)
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    expect(page).toContain("R&amp;D agent")
    expect(page).not.toMatch(/R&D/)
    expect(page).toContain("m&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
    expect(page).toContain("<title>Results &lt;for&gt; &quot;paper&quot; &amp; co</title>")
    // The category is an attribute value too, where it must stay inside its quotes.
    expect(page).toContain(`data-category="&lt;script&gt;alert(1)&lt;/script&gt;"`)
  })

  it("is self-contained: no script, no external resource, a CSP that forbids fetching", () => {
    const page = Html.render(report([entry(1), entry(2, { correct: 9 })]))
    expect(page.startsWith("<!doctype html>")).toBe(true)
    expect(page).not.toMatch(/<script|<link|<img|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i)
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`)
    expect(page).toContain("@media print")
  })

  it("accuracy chart: a mark per evaluation whose bar and whisker sit at the estimate and the Wilson interval", () => {
    const evaluations = [entry(1, { correct: 3 }), entry(2, { correct: 18 }), entry(3, { correct: 0, processed: 7, total: 20, status: "interrupted" })]
    const svg = chart(Html.render(report(evaluations)), "accuracy")!
    const plot = tags(svg, "rect", "data-plot")[0]!
    const [x0, width] = [Number(attr(plot, "x")), Number(attr(plot, "width"))]
    const marks = tags(svg, "g", `data-mark="accuracy"`)
    expect(marks).toHaveLength(3)
    for (const e of evaluations) {
      const a = e.accuracy!
      const mark = marks.find((m) => attr(m, "data-eval") === e.id)!
      expect(Number(attr(mark, "data-ci-low"))).toBe(a.lower)
      expect(Number(attr(mark, "data-ci-high"))).toBe(a.upper)
      const body = svg.slice(svg.indexOf(mark), svg.indexOf("</g>", svg.indexOf(mark)))
      const whisker = tags(body, "line", `data-role="ci"`)[0]!
      expect(Number(attr(whisker, "x1"))).toBeCloseTo(x0 + a.lower * width, 1)
      expect(Number(attr(whisker, "x2"))).toBeCloseTo(x0 + a.upper * width, 1)
      const bar = tags(body, "rect", `data-role="estimate"`)[0]!
      expect(Number(attr(bar, "width"))).toBeCloseTo(a.estimate * width, 1)
    }
    expect(svg).toContain("interrupted, 7/20 answered")
  })

  it("says when no benchmark has categories, instead of drawing an empty chart", () => {
    const page = Html.render(report([entry(1)], { breakdown: null }))
    expect(chart(page, "categories")).toBeNull()
    expect(page).toContain(`data-chart="categories" data-empty="true"`)
    expect(page).toContain("has a category column")
    expect(page).not.toContain(`data-table="categories"`)
  })

  it("a cost that was not reported is said, never plotted at $0", () => {
    const reported = entry(1, { costUsd: 0.01 })
    const unreported = entry(2, { id: "eval_nocost", costUsd: 0, costReported: 0 })
    expect(unreported.cost).toEqual({ totalUsd: null, reportedQuestions: 0, perQuestionUsd: null, perCorrectUsd: null })
    const page = Html.render(report([reported, unreported]))
    const svg = chart(page, "cost")!
    expect(tags(svg, "g", `data-mark="cost"`).map((m) => attr(m, "data-eval"))).toEqual([reported.id])
    expect(page).toContain("eval_nocost) is not plotted: the provider reported no cost for it (not the same as $0)")
    expect(page).toContain("not reported")

    const none = Html.render(report([unreported]))
    expect(chart(none, "cost")).toBeNull()
    expect(none).toContain("No cost was reported for any of these evaluations")
    // A reported cost of $0 (a free model) is a cost, and is plotted.
    const free = entry(3, { costUsd: 0 })
    expect(free.cost.totalUsd).toBe(0)
    expect(tags(chart(Html.render(report([free])), "cost")!, "g", `data-mark="cost"`)).toHaveLength(1)
  })

  it("one evaluation: its charts, and no comparison", () => {
    const page = Html.render(report([entry(1)]))
    expect(tags(chart(page, "accuracy")!, "g", `data-mark="accuracy"`)).toHaveLength(1)
    expect(tags(chart(page, "categories")!, "g", "data-category=")).toHaveLength(1)
    expect(page).toContain("One evaluation only: there is nothing to compare it with.")
  })

  it("an evaluation without results is listed, flagged and left out of the charts", () => {
    const pending = entry(2, { id: "eval_pending", status: "pending", processed: 0, correct: 0, costReported: 0 })
    expect(pending.accuracy).toBeNull()
    const page = Html.render(report([entry(1), pending]))
    expect(tags(chart(page, "accuracy")!, "g", `data-mark="accuracy"`)).toHaveLength(1)
    expect(page).toContain("eval_pending) has no results yet (pending)")
    expect(page).toMatch(/<tr data-eval="eval_pending">/)
  })

  it("pass@k over repeats: a row per k with its estimate and the questions counted, and no section without repeats", () => {
    const without = Html.render(report([entry(1)]))
    expect(without).not.toContain(`data-table="pass-at-k"`)
    expect(without).toContain("6. Methods")
    const summary = PassAtK.summarize([{ n: 3, c: 1 }, { n: 3, c: 2 }, { n: 3, c: 0 }, { n: 2, c: 1 }], ["eval_test1", "eval_r2", "eval_r3"])!
    const page = Html.render(report([entry(1)], { passAtK: [{ evaluationIds: ["eval_test1"], summary }] }))
    const rows = [...page.matchAll(/<tr data-evals="eval_test1" data-k="(\d+)">.*?data-field="pass-at-k"><b>([^<]*)<\/b><\/td><td class="num" data-field="questions-counted">(\d+)</gs)]
      .map((m) => [Number(m[1]), m[2], Number(m[3])])
    // pass@1 = (1/3 + 2/3 + 0 + 1/2)/4; pass@2 = (2/3 + 1 + 0 + 1)/4; pass@3 = (1 + 1 + 0)/3, the 2-sample question left out.
    expect(rows).toEqual([[1, "37.5%", 4], [2, "66.7%", 4], [3, "66.7%", 3]])
    expect(page).toContain("over 3 repeats: <span class=\"mono\">eval_test1, eval_r2, eval_r3</span>")
    expect(page).toContain("1 − C(n − c, k) / C(n, k) (Chen et al., 2021)")
    expect(page).toContain("7. Methods")
  })

  it("flags partial runs and mixed grader versions before the figures", () => {
    const page = Html.render(report([entry(1, { status: "failed", processed: 12, correct: 8 })], { graders: { current: "graders-2", used: ["graders-1", "graders-2"] } }))
    expect(page).toContain("is partial (failed): 12 of 20 questions answered")
    expect(page).toContain("different grader versions (graders-1, graders-2)")
    expect(page).toContain(`<span class="badge bad">failed · partial</span>`)
  })
})

describe("report model", () => {
  it("groups categories across evaluations, named values in order and missing values last", () => {
    const groups = Report.pivot([
      { evaluationId: "a", groups: [{ value: null, processed: 2, correct: 1 }, { value: "b10", processed: 3, correct: 3 }, { value: "b9", processed: 1, correct: 0 }] },
      { evaluationId: "b", groups: [{ value: "b9", processed: 4, correct: 2 }, { value: "a", processed: 0, correct: 0 }] }
    ], 0.95)
    expect(groups.map((g) => g.value)).toEqual(["b9", "b10", null])
    expect(groups[0]!.cells.map((c) => [c.evaluationId, c.correct, c.n])).toEqual([["a", 0, 1], ["b", 2, 4]])
  })

  it("cost per correct answer is null without a correct answer", () => {
    const e = entry(1, { correct: 0, costUsd: 0.5 })
    expect(e.cost.perCorrectUsd).toBeNull()
    expect(e.cost.perQuestionUsd).toBeCloseTo(0.5 / 20, 15)
    expect(e.outcomes).toEqual({ correct: 0, wrong: 18, noAnswer: 1, errors: 1, errorsByCategory: { network_timeout: 1 } })
  })
})

describe("chart helpers", () => {
  it("round axes, USD with enough digits, and widths that only overestimate", () => {
    expect(Svg.niceZeroBased(0.00029, 6)).toEqual({ domain: [0, 0.0003], ticks: [0, 0.00005, 0.0001, 0.00015, 0.0002, 0.00025, 0.0003] })
    expect(Svg.decades(0.00002, 0.03)).toEqual({ domain: [0.00001, 0.1], ticks: [0.00001, 0.0001, 0.001, 0.01, 0.1] })
    expect([0, 0.000123, 0.0123, 1.5, 1234.5].map(Svg.usd)).toEqual(["$0", "$0.000123", "$0.0123", "$1.50", "$1,234.50"])
    expect([0, 0.00005, 0.00015, 0.0015, 2].map(Svg.usdTick)).toEqual(["$0", "$0.00005", "$0.00015", "$0.0015", "$2"])
    expect(Svg.textWidth("none (openai/gpt-4o-mini)", 12.5, "bold")).toBeGreaterThan(Svg.textWidth("none (openai/gpt-4o-mini)", 12.5))
    expect(Svg.fit("a very long evaluation label indeed", 80, 12)).toMatch(/…$/)
    expect(Svg.textWidth(Svg.fit("a very long evaluation label indeed", 80, 12), 12)).toBeLessThanOrEqual(80)
  })
})
