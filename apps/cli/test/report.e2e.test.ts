/**
 * `ml-agents report`: three evaluations run against the simulator (models of different accuracy
 * and price, one with reasoning tokens) on a benchmark with categories, reported to one HTML file
 * that is then opened in headless Chromium (Debian's package, installed by `ensureChromium` when
 * missing). What the browser renders is checked against figures recomputed here from the
 * database rows, by formulas written out in the test rather than by the modules the CLI uses.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CHROMIUM_ARGS, ensureChromium } from "./chromium.js"
import { createdId, rows, type Workspace, workspace } from "./support.js"

const perMillion = (usd: number) => usd / 1_000_000

/** The models the simulator serves here: different accuracies and prices. */
const MODELS = [
  { id: "openai/gpt-4o-mini", promptPrice: perMillion(0.15), completionPrice: perMillion(0.6), accuracy: 0.5 },
  { id: "anthropic/claude-3.5-haiku", promptPrice: perMillion(0.8), completionPrice: perMillion(4), accuracy: 0.9 },
  { id: "deepseek/deepseek-r1", promptPrice: perMillion(0.4), completionPrice: perMillion(2), accuracy: 0.75, reasoningTokens: 120 }
]

/** z = Φ⁻¹(0.975). */
const Z = 1.959963984540054

/** The Wilson score interval of k successes in n, clamped to [0, 1]. */
const wilson = (k: number, n: number) => {
  const p = k / n
  const denominator = 1 + (Z * Z) / n
  const centre = (p + (Z * Z) / (2 * n)) / denominator
  const half = (Z / denominator) * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))
  return { estimate: p, lower: k === 0 ? 0 : Math.max(0, centre - half), upper: k === n ? 1 : Math.min(1, centre + half) }
}

/** An evaluation's figures from its rows: correct means graded correct and not failed. */
const figures = (dbFile: string, id: string) => {
  const rs = rows(dbFile, "select is_correct, error_category, cost_usd from evaluation_question_results where evaluation_id = ?", id)
  const correct = rs.filter((r) => r.is_correct === 1 && r.error_category === null).length
  const costs = rs.map((r) => r.cost_usd as number | null).filter((c): c is number => c !== null)
  return { n: rs.length, correct, ...wilson(correct, rs.length), costPerQuestion: costs.reduce((s, c) => s + c, 0) / costs.length }
}

/** Per category: correct and answered of one evaluation. */
const byCategory = (dbFile: string, id: string) => {
  const rs = rows(
    dbFile,
    `select json_extract(q.metadata, '$.category') as category, r.is_correct, r.error_category
     from evaluation_question_results r join evaluations e on e.id = r.evaluation_id
     join questions q on q.benchmark_id = e.benchmark_id and q.id = r.question_id where r.evaluation_id = ?`,
    id
  )
  const out = new Map<string, { correct: number; n: number }>()
  for (const r of rs) {
    const c = out.get(r.category) ?? { correct: 0, n: 0 }
    c.n++
    if (r.is_correct === 1 && r.error_category === null) c.correct++
    out.set(r.category, c)
  }
  return out
}

const box = async (page: Page, selector: string) => {
  const b = await page.locator(selector).boundingBox()
  if (b === null) throw new Error(`${selector} is not rendered`)
  return b
}

/**
 * The rendered extent of a stroked line: Chromium's box of an SVG shape includes half the stroke
 * width on every side, which is taken off again here.
 */
const lineBox = async (page: Page, selector: string) => {
  const b = await box(page, selector)
  const half = Number((await page.locator(selector).getAttribute("stroke-width")) ?? 1) / 2
  return { x: b.x + half, y: b.y + half, width: b.width - 2 * half, height: b.height - 2 * half }
}

/** Pixel positions agree within half a pixel (coordinates are written with two decimals). */
const closeTo = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(0.5)

describe("ml-agents report", () => {
  let ws: Workspace
  let ids: Array<string>
  let browser: Browser
  let page: Page
  let reportFile: string
  let reportStdout: string
  const requests: Array<string> = []
  const problems: Array<string> = []

  beforeAll(async () => {
    const executablePath = await ensureChromium()
    ws = await workspace({ models: MODELS })
    const imported = await ws.cli(["benchmark", "import", "SAMPLE_MC"])
    expect(imported.code, imported.stderr).toBe(0)
    ids = []
    for (const m of MODELS) {
      const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", m.id, "--benchmark", "SAMPLE_MC", "--temp", "0"])
      expect(created.code, created.stderr).toBe(0)
      ids.push(createdId(created.stdout))
      const run = await ws.cli(["evaluate", "run", ids.at(-1)!])
      expect(run.code, run.stderr).toBe(0)
    }
    const report = await ws.cli(["report", ...ids, "-o", "out.html"])
    expect(report.code, report.stderr).toBe(0)
    reportStdout = report.stdout
    reportFile = path.join(ws.dir, "out.html")

    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`)
    })
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
    page.on("request", (r) => requests.push(r.url()))
    await page.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()))
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: "load" })
  }, 15 * 60_000)

  afterAll(async () => {
    await browser?.close()
    await ws?.close()
  })

  it("writes the file and says where, with its size", () => {
    expect(fs.existsSync(reportFile)).toBe(true)
    expect(reportStdout).toMatch(new RegExp(`✓ Wrote the report on 3 evaluations to ${reportFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d+(\\.\\d)? kB\\)`))
  })

  it("opens offline: no request but the file itself, no console or page errors", () => {
    expect(requests).toEqual([pathToFileURL(reportFile).href])
    expect(problems).toEqual([])
    const text = fs.readFileSync(reportFile, "utf8")
    expect(text).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i)
    expect(text).toContain("Content-Security-Policy")
  })

  it("renders the three charts", async () => {
    for (const name of ["accuracy", "cost", "categories"]) {
      const b = await box(page, `svg[data-chart="${name}"]`)
      expect(b.width, name).toBeGreaterThan(300)
      expect(b.height, name).toBeGreaterThan(100)
    }
  })

  it("accuracy chart: one mark per evaluation, bars and error bars where the rows put them", async () => {
    const plot = await box(page, `svg[data-chart="accuracy"] rect[data-plot]`)
    const x = (v: number) => plot.x + v * plot.width
    expect(await page.locator(`svg[data-chart="accuracy"] [data-mark="accuracy"]`).count()).toBe(ids.length)
    for (const id of ids) {
      const f = figures(ws.dbFile, id)
      expect(f.n).toBe(20)
      const mark = `svg[data-chart="accuracy"] [data-mark="accuracy"][data-eval="${id}"]`
      expect(Number(await page.locator(mark).getAttribute("data-accuracy"))).toBeCloseTo(f.estimate, 12)
      expect(Number(await page.locator(mark).getAttribute("data-ci-low"))).toBeCloseTo(f.lower, 9)
      expect(Number(await page.locator(mark).getAttribute("data-ci-high"))).toBeCloseTo(f.upper, 9)
      const whisker = await lineBox(page, `${mark} [data-role="ci"]`)
      closeTo(whisker.x, x(f.lower))
      closeTo(whisker.x + whisker.width, x(f.upper))
      const bar = await box(page, `${mark} [data-role="estimate"]`)
      closeTo(bar.x, x(0))
      closeTo(bar.x + bar.width, x(f.estimate))
    }
    // The simulated models differ, or the checks above would prove little.
    const accuracies = new Set(ids.map((id) => figures(ws.dbFile, id).correct))
    expect(accuracies.size).toBeGreaterThan(1)
  })

  it("cost chart: each point at its cost per question and accuracy, whiskers at the interval", async () => {
    const plotSelector = `svg[data-chart="cost"] rect[data-plot]`
    const plot = await box(page, plotSelector)
    const scale = await page.locator(plotSelector).getAttribute("data-scale")
    const [d0, d1] = [Number(await page.locator(plotSelector).getAttribute("data-domain-min")), Number(await page.locator(plotSelector).getAttribute("data-domain-max"))]
    const x = (v: number) =>
      plot.x + plot.width * (scale === "log" ? (Math.log10(v) - Math.log10(d0)) / (Math.log10(d1) - Math.log10(d0)) : (v - d0) / (d1 - d0))
    const y = (v: number) => plot.y + (1 - v) * plot.height
    expect(await page.locator(`svg[data-chart="cost"] [data-mark="cost"]`).count()).toBe(ids.length)
    for (const id of ids) {
      const f = figures(ws.dbFile, id)
      expect(f.costPerQuestion).toBeGreaterThan(0)
      const mark = `svg[data-chart="cost"] [data-mark="cost"][data-eval="${id}"]`
      expect(Number(await page.locator(mark).getAttribute("data-cost-per-question"))).toBeCloseTo(f.costPerQuestion, 15)
      const dot = await box(page, `${mark} [data-role="estimate"]`)
      closeTo(dot.x + dot.width / 2, x(f.costPerQuestion))
      closeTo(dot.y + dot.height / 2, y(f.estimate))
      const whisker = await lineBox(page, `${mark} [data-role="ci"]`)
      closeTo(whisker.y, y(f.upper))
      closeTo(whisker.y + whisker.height, y(f.lower))
    }
  })

  it("category chart: one group per category in the database, each evaluation's interval in it", async () => {
    const categories = rows(
      ws.dbFile,
      `select distinct json_extract(q.metadata, '$.category') as category from questions q
       join benchmarks b on b.id = q.benchmark_id where b.name = 'SAMPLE_MC' order by category`
    ).map((r) => r.category as string)
    expect(categories.length).toBe(4)
    const groups = page.locator(`svg[data-chart="categories"] [data-category]`)
    expect(await groups.count()).toBe(categories.length)
    const plot = await box(page, `svg[data-chart="categories"] rect[data-plot]`)
    const x = (v: number) => plot.x + v * plot.width
    for (const id of ids) {
      const counts = byCategory(ws.dbFile, id)
      for (const category of categories) {
        const c = counts.get(category)!
        const w = wilson(c.correct, c.n)
        const mark = `svg[data-chart="categories"] [data-category="${category}"] [data-mark="category-accuracy"][data-eval="${id}"]`
        expect(Number(await page.locator(mark).getAttribute("data-n"))).toBe(c.n)
        expect(Number(await page.locator(mark).getAttribute("data-accuracy"))).toBeCloseTo(w.estimate, 12)
        const whisker = await lineBox(page, `${mark} [data-role="ci"]`)
        closeTo(whisker.x, x(w.lower))
        closeTo(whisker.x + whisker.width, x(w.upper))
      }
    }
  })

  it("summary tables: the accuracy, interval, counts and tokens the rows imply", async () => {
    for (const id of ids) {
      const f = figures(ws.dbFile, id)
      const row = `table[data-table="results"] tr[data-eval="${id}"]`
      expect(await page.locator(`${row} [data-field="accuracy"]`).innerText()).toBe(`${(f.estimate * 100).toFixed(1)}%`)
      expect(await page.locator(`${row} [data-field="ci"]`).innerText()).toBe(`${(f.lower * 100).toFixed(1)}–${(f.upper * 100).toFixed(1)}`)
      expect(await page.locator(`${row} [data-field="answered"]`).innerText()).toBe("20 / 20")
      expect(await page.locator(`${row} [data-field="correct"]`).innerText()).toBe(String(f.correct))
      const [tokens] = rows(
        ws.dbFile,
        `select sum(prompt_tokens) as p, sum(completion_tokens) as c, sum(reasoning_tokens) as r
         from evaluation_question_results where evaluation_id = ?`,
        id
      )
      const costRow = `table[data-table="cost"] tr[data-eval="${id}"]`
      expect(await page.locator(`${costRow} [data-field="prompt-tokens"]`).innerText()).toBe(tokens!.p.toLocaleString("en-US"))
      expect(await page.locator(`${costRow} [data-field="completion-tokens"]`).innerText()).toBe(tokens!.c.toLocaleString("en-US"))
      expect(await page.locator(`${costRow} [data-field="reasoning-tokens"]`).innerText()).toBe(tokens!.r.toLocaleString("en-US"))
    }
    // The model with reasoning tokens shows them.
    expect(await page.locator(`table[data-table="cost"] tr[data-eval="${ids[2]}"] [data-field="reasoning-tokens"]`).innerText()).not.toBe("0")
  })

  it("the paired comparison is evaluate compare's, figure for figure", async () => {
    const report = await ws.cli(["report", ...ids, "--json"])
    expect(report.code, report.stderr).toBe(0)
    const compare = await ws.cli(["evaluate", "compare", ...ids, "--json"])
    expect(compare.code, compare.stderr).toBe(0)
    const doc = JSON.parse(report.stdout)
    const expected = JSON.parse(compare.stdout)
    expect(doc.comparison.baseline).toEqual(expected.baseline)
    expect(doc.comparison.comparisons).toEqual(expected.comparisons)
    expect(doc.comparison.pValueAdjustment).toBe("holm")
    expect(doc.bootstrap).toEqual(expected.bootstrap)
    // The page shows the same verdicts.
    for (const c of expected.comparisons) {
      const shown = await page.locator(`ol.verdicts li[data-eval="${c.candidate.id}"]`).innerText()
      expect(shown.toLowerCase()).toBe(`${c.verdict}.`.toLowerCase())
    }
  })

  it("--json: the data model on stdout, and no file unless -o is given", async () => {
    const result = await ws.cli(["report", ids[0]!, ids[1]!, "--json", "--seed", "7"])
    expect(result.code, result.stderr).toBe(0)
    const doc = JSON.parse(result.stdout)
    expect(doc.bootstrap.seed).toBe(7)
    expect(doc.evaluations.map((e: { id: string }) => e.id)).toEqual([ids[0], ids[1]])
    const f = figures(ws.dbFile, ids[0]!)
    expect(doc.evaluations[0].accuracy.correct).toBe(f.correct)
    expect(doc.evaluations[0].accuracy.lower).toBeCloseTo(f.lower, 9)
    expect(doc.breakdown.column).toBe("category")
    expect(fs.existsSync(path.join(ws.dir, "report.html"))).toBe(false)
    const both = await ws.cli(["report", ids[0]!, "--json", "-o", "both.html"])
    expect(JSON.parse(both.stdout).evaluations).toHaveLength(1)
    expect(both.stderr).toContain("✓ Wrote the report on 1 evaluation to")
    expect(fs.existsSync(path.join(ws.dir, "both.html"))).toBe(true)
  })

  it("without -o writes ./report.html; one evaluation and a pending one are reported as such", async () => {
    const pending = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", MODELS[0]!.id, "--benchmark", "SAMPLE_MC"])).stdout)
    const result = await ws.cli(["report", ids[0]!, pending])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(path.join(ws.dir, "report.html"))
    const text = fs.readFileSync(path.join(ws.dir, "report.html"), "utf8")
    expect(text).toContain(`${pending}) has no results yet (pending)`)
    expect(text).toContain(`${pending}) has no results yet, so it is not compared.`)
    const single = await ws.cli(["report", ids[0]!, "-o", "single.html"])
    expect(single.code, single.stderr).toBe(0)
    expect(fs.readFileSync(path.join(ws.dir, "single.html"), "utf8")).toContain("nothing to compare")
  })

  it("errors: an unknown id exits 3 with the next step; no id is a usage error (exit 2)", async () => {
    const unknown = await ws.cli(["report", ids[0]!, "eval_nothere1", "-o", "x.html"])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toContain("eval_nothere1")
    expect(unknown.stderr).toContain("ml-agents evaluate list")
    expect(fs.existsSync(path.join(ws.dir, "x.html"))).toBe(false)
    expect((await ws.cli(["report"])).code).toBe(2)
    const badColumn = await ws.cli(["report", ids[0]!, "--by", "difficulty"])
    expect(badColumn.code).toBe(3)
    expect(badColumn.stderr).toMatch(/their columns: .*category/)
  })

  it("a full-page screenshot, for a person to look at", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-report-")), "report.png")
    await page.screenshot({ path: file, fullPage: true })
    expect(fs.statSync(file).size).toBeGreaterThan(10_000)
    console.log(`[report] screenshot: ${file}`)
  })
})
