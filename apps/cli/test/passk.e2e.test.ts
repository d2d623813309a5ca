/**
 * pass@k end to end, through the built CLI against the simulator with scripted replies: an
 * experiment with three repeats on a code benchmark, each repeat's cell run with its own replies
 * (a cell is an ordinary evaluation), so that some questions pass in some repeats only, one
 * question is refused once (a wrong sample) and one fails with a server error once (no sample).
 * `experiment show` (text and --json), the
 * experiment's HTML report, and a cell's `evaluate show` and evaluation report all give the
 * pass@k computed here by hand.
 */
import { ensureTools } from "@ml-agents/sandbox/testing"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Workspace, workspace } from "./support.js"

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`
const fenced = (code: string) => "\n```python\n" + code + "\n```"

const ADD = "def add(a, b):\n    return a + b"
const RIGHT = fenced(ADD)
const WRONG = fenced("def add(a, b):\n    return a * b")
const TESTS = ["assert add(1, 2) == 3", "assert add(2, 3) == 5"]

/** The task of each question; the simulator finds the question by it in the prompt. */
const TASKS = {
  A: "Task A for pass@k",
  B: "Task B for pass@k",
  C: "Task C for pass@k",
  D: "Task D for pass@k",
  E: "Task E for pass@k"
} as const
const input = (q: keyof typeof TASKS) => `${TASKS[q]}: write a Python function add(a, b) returning a + b.`

/**
 * The reply to each question in each repeat. "refused" is a refusal: the question fails, and the
 * model's answer was wrong (a wrong sample). "down" is a 503 from the provider: the question
 * fails, and the model gave no answer at all (no sample). Per question: A passes 1 of 3, B 2 of
 * 3, C 0 of 3, D 1 of 3, E 2 of its 2 samples.
 */
const ROUNDS: ReadonlyArray<Record<keyof typeof TASKS, string>> = [
  { A: RIGHT, B: RIGHT, C: WRONG, D: RIGHT, E: RIGHT },
  { A: WRONG, B: RIGHT, C: WRONG, D: WRONG, E: RIGHT },
  { A: WRONG, B: WRONG, C: WRONG, D: "refused", E: "down" }
]

/**
 * By hand, with pass@k = 1 − C(n − c, k) / C(n, k) per question, averaged over the questions with
 * at least k samples:
 *   pass@1 = (1/3 + 2/3 + 0 + 1/3 + 2/2) / 5 = 7/15                      (5 questions)
 *   pass@2 = ((1 − C(2,2)/C(3,2)) + (1 − C(1,2)/C(3,2)) + 0 + (1 − C(2,2)/C(3,2)) + (1 − C(0,2)/C(2,2))) / 5
 *          = (2/3 + 1 + 0 + 2/3 + 1) / 5 = 2/3                          (5 questions)
 *   pass@3 = (1 + 1 + 0 + 1) / 4 = 3/4, E (2 samples) left out            (4 questions)
 * The refusal counts as a wrong sample, as it counts as wrong in the accuracy; the 503 is no
 * sample, as the model never answered.
 */
const EXPECTED: ReadonlyArray<readonly [k: number, estimate: number, questions: number]> = [[1, 7 / 15, 5], [2, 2 / 3, 5], [3, 3 / 4, 4]]

describe("pass@k over an experiment's repeats on a code benchmark", () => {
  let ws: Workspace
  let experimentId: string
  let cells: Array<string>

  beforeAll(async () => {
    await ensureTools()
    ws = await workspace({ accuracy: 1 })
    const questions = (Object.keys(TASKS) as Array<keyof typeof TASKS>).map((q) => [q, input(q), ADD, TESTS.join("\n")].map(csvField).join(","))
    fs.writeFileSync(path.join(ws.dir, "adds.csv"), "ID,INPUT,OUTPUT,TESTS\n" + questions.join("\n") + "\n")
    const imported = await ws.cli(["benchmark", "import", "adds.csv"])
    expect(imported.code, imported.stderr).toBe(0)

    const created = await ws.cli(["experiment", "create", "--agents", "none", "--models", "openai/gpt-4o-mini", "--benchmarks", "adds", "--repeats", "3"])
    expect(created.code, created.stderr).toBe(0)
    experimentId = /Run with: ml-agents experiment run (exp_[a-z0-9]+)/.exec(created.stdout)![1]!
    const before = JSON.parse((await ws.cli(["experiment", "show", experimentId, "--json"])).stdout)
    cells = [...before.cells].sort((a: any, b: any) => a.repeat - b.repeat).map((c: any) => c.evaluationId)
    expect(cells).toHaveLength(3)

    for (const [r, replies] of ROUNDS.entries()) {
      const keys = Object.keys(replies) as Array<keyof typeof TASKS>
      ws.sim.configure({
        questions: keys.filter((q) => replies[q] !== "refused" && replies[q] !== "down").map((q) => ({ question: input(q), answer: replies[q] })),
        faults: [
          ...keys.filter((q) => replies[q] === "refused").map((q) => ({ fault: { type: "refusal" as const }, match: TASKS[q] })),
          ...keys.filter((q) => replies[q] === "down").map((q) => ({ fault: { type: "status" as const, status: 503 }, match: TASKS[q] }))
        ]
      })
      const run = await ws.cli(["evaluate", "run", cells[r]!])
      expect(run.code, run.stderr).toBe(0)
    }
    ws.sim.configure({ faults: [] })
  }, 600_000)

  afterAll(async () => {
    await ws?.close()
  })

  const rounded = (values: ReadonlyArray<{ k: number; estimate: number; questions: number }>) =>
    values.map((v) => [v.k, Number(v.estimate.toFixed(6)), v.questions])
  const expected = EXPECTED.map(([k, e, q]) => [k, Number(e.toFixed(6)), q])

  it("experiment show --json gives each agent's pass@k over its repeats", async () => {
    const shown = await ws.cli(["experiment", "show", experimentId, "--json"])
    expect(shown.code, shown.stderr).toBe(0)
    const doc = JSON.parse(shown.stdout)
    expect(doc.experiment.status).toBe("completed")
    const group = doc.groups[0]
    expect(group.answerKind).toBe("code")
    const figures = group.agents[0].passAtK
    expect(figures.evaluations).toEqual(cells)
    expect(figures.questions).toBe(5)
    expect(figures.maxSamples).toBe(3)
    expect(rounded(figures.values)).toEqual(expected)
    // The rows agree: 13 answers, 1 refused (a wrong sample), 1 failed by the provider (none).
    expect(doc.cells.map((c: any) => c.errors)).toEqual([0, 0, 2])
  }, 60_000)

  it("experiment show prints the pass@k table of the code benchmark", async () => {
    const shown = await ws.cli(["experiment", "show", experimentId])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain("pass@k over samples")
    const header = shown.stdout.split("\n").find((l) => l.includes("PASS@1"))!
    expect(header.trim().split(/\s+/)).toEqual(["AGENT", "QUESTIONS", "PASS@1", "PASS@2", "PASS@3"])
    const line = shown.stdout.split("\n")[shown.stdout.split("\n").indexOf(header) + 1]!
    expect(line.trim().split(/\s{2,}/)).toEqual(["none", "5", "46.7%", "66.7%", "75.0% (4 q)"])
  }, 60_000)

  it("the experiment's HTML report has the pass@k table with the same numbers", async () => {
    const written = await ws.cli(["report", experimentId, "-o", "experiment.html"])
    expect(written.code, written.stderr).toBe(0)
    const page = fs.readFileSync(path.join(ws.dir, "experiment.html"), "utf8")
    expect(page).toContain(`<section id="pass-at-k"><h2>4. pass@k</h2>`)
    const table = page.slice(page.indexOf(`<table data-pass-at-k="openai/gpt-4o-mini|adds">`), page.indexOf("</table>", page.indexOf("data-pass-at-k=")))
    expect(table).toContain("(graded as code)")
    const cellsOfTable = [...table.matchAll(/<td class="num" data-k="(\d+)" data-field="pass-at-k" data-questions="(\d+)"><b>([^<]*)<\/b>/g)]
      .map((m) => [Number(m[1]), m[3], Number(m[2])])
    expect(cellsOfTable).toEqual([[1, "46.7%", 5], [2, "66.7%", 5], [3, "75.0%", 4]])
    expect(page).toContain("1 − C(n − c, k) / C(n, k) (Chen et al., 2021)")
    expect(page).not.toMatch(/<script/i)
  }, 60_000)

  it("a cell's evaluate show and evaluation report give pass@k over its repeats", async () => {
    const shown = await ws.cli(["evaluate", "show", cells[1]!])
    expect(shown.stdout).toContain(`pass@1 46.7%, pass@2 66.7%, pass@3 75.0% (4 of 5 questions) over 3 repeats (${cells.join(", ")})`)

    const json = await ws.cli(["report", cells[0]!, "--json"])
    expect(json.code, json.stderr).toBe(0)
    const doc = JSON.parse(json.stdout)
    expect(doc.passAtK).toHaveLength(1)
    expect(doc.passAtK[0].evaluationIds).toEqual([cells[0]])
    expect(doc.passAtK[0].summary.evaluations).toEqual(cells)
    expect(rounded(doc.passAtK[0].summary.values)).toEqual(expected)

    const written = await ws.cli(["report", cells[0]!, "-o", "evaluation.html"])
    expect(written.code, written.stderr).toBe(0)
    const page = fs.readFileSync(path.join(ws.dir, "evaluation.html"), "utf8")
    expect(page).toContain(`<section id="pass-at-k"><h2>6. pass@k</h2>`)
    const rows = [...page.matchAll(/<tr data-evals="([^"]*)" data-k="(\d+)">.*?data-field="pass-at-k"><b>([^<]*)<\/b><\/td><td class="num" data-field="questions-counted">(\d+)</gs)]
      .map((m) => [m[1], Number(m[2]), m[3], Number(m[4])])
    expect(rows).toEqual([[cells[0], 1, "46.7%", 5], [cells[0], 2, "66.7%", 5], [cells[0], 3, "75.0%", 4]])
    expect(page).toContain(`over 3 repeats: <span class="mono">${cells.join(", ")}</span>`)
  }, 60_000)
})
