/**
 * Experiments end to end: the built CLI against the simulator over HTTP. A 3 agents × 2 models ×
 * 2 benchmarks × 2 repeats grid completes with one row per question per cell, every cell on the
 * same sampled questions, and `show --json` agrees with figures recomputed here from the database
 * rows by formulas written out in the test; a SIGKILLed experiment resumes to the same counts as
 * an uninterrupted one; a 429 storm on one model throttles only that model's cells; a bad grid
 * file names the key and the line and stores nothing.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { rows, type Workspace, workspace } from "./support.js"

const M1 = "openai/gpt-4o-mini"
const M2 = "anthropic/claude-3.5-haiku"

/** The experiment id printed by `experiment create`. */
const createdExperiment = (stdout: string): string => {
  const id = /Run with: ml-agents experiment run (exp_[a-z0-9]+)/.exec(stdout)?.[1]
  if (id === undefined) throw new Error(`no experiment id in:\n${stdout}`)
  return id
}

const cellsOf = (dbFile: string, id: string) =>
  rows(dbFile, "select * from experiment_cells where experiment_id = ? order by position", id)

/** z = Φ⁻¹(0.975). */
const Z = 1.959963984540054
const wilson = (k: number, n: number) => {
  const p = k / n
  const d = 1 + (Z * Z) / n
  const centre = (p + (Z * Z) / (2 * n)) / d
  const half = (Z / d) * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))
  return { lower: k === 0 ? 0 : Math.max(0, centre - half), upper: k === n ? 1 : Math.min(1, centre + half) }
}
/** Exact two-sided binomial (McNemar) p-value for b and c discordant pairs. */
const mcnemar = (b: number, c: number) => {
  const n = b + c
  if (n === 0) return 1
  let tail = 0
  let choose = 1
  for (let i = 0; i <= Math.min(b, c); i++) {
    tail += choose / 2 ** n
    choose = (choose * (n - i)) / (i + 1)
  }
  return Math.min(1, 2 * tail)
}
const holm = (ps: ReadonlyArray<number>) => {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0])
  const out = new Array<number>(ps.length)
  let running = 0
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p))
    out[i] = running
  })
  return out
}

/** A benchmark of `n` sums (with a category column) written to the workspace, its answers given to the simulator. */
const sums = async (ws: Workspace, name: string, n: number) => {
  const pairs = Array.from({ length: n }, (_, i) => ({ question: `What is ${i + 1} plus ${i + 2}?`, answer: String(2 * i + 3) }))
  const csv = ["ID,INPUT,OUTPUT,category", ...pairs.map((p, i) => `s${i + 1},${p.question},${p.answer},${i % 3 === 0 ? "small" : "large"}`)].join("\n")
  fs.writeFileSync(path.join(ws.dir, `${name}.csv`), csv + "\n")
  ws.sim.configure({ questions: pairs })
  expect((await ws.cli(["benchmark", "import", `${name}.csv`, "--name", name])).code).toBe(0)
}

describe("experiments", () => {
  let ws: Workspace
  beforeEach(async () => {
    ws = await workspace()
    for (const name of ["SAMPLE_MC", "SAMPLE_QA"]) expect((await ws.cli(["benchmark", "import", name])).code).toBe(0)
  })
  afterEach(async () => {
    await ws.close()
  })

  it("3 agents × 2 models × 2 benchmarks × 2 repeats: one row per question per cell, the same sample everywhere, and show --json recomputed from the rows", async () => {
    const create = await ws.cli([
      "experiment", "create", "--agents", "none,cot,tot", "--models", `${M1},${M2}`, "--benchmarks", "SAMPLE_MC,SAMPLE_QA",
      "--repeats", "2", "--sample", "6", "--seed", "11",
      "--param", "tot.tree_depth=1", "--param", "tot.branches_per_step=2", "--param", "tot.max_evaluations=5"
    ])
    expect(create.code, create.stderr).toBe(0)
    expect(create.stdout).toContain("24 (3 agents × 2 models × 2 benchmarks × 2 repeats)")
    expect(create.stdout).toMatch(/model calls: +at most [\d,]+/)
    const id = createdExperiment(create.stdout)

    const run = await ws.cli(["experiment", "run", id, "--concurrency", "8"])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`Experiment ${id} completed`)

    const cells = cellsOf(ws.dbFile, id)
    expect(cells).toHaveLength(24)
    const sample = rows(ws.dbFile, "select benchmark_name, question_id from experiment_samples where experiment_id = ? order by benchmark_name, position", id)
    const sampleOf = (b: string) => sample.filter((s) => s.benchmark_name === b).map((s) => s.question_id as string).sort()
    expect(sampleOf("SAMPLE_MC")).toHaveLength(6)
    expect(sampleOf("SAMPLE_QA")).toHaveLength(6)
    for (const cell of cells) {
      const answered = rows(ws.dbFile, "select question_id from evaluation_question_results where evaluation_id = ?", cell.evaluation_id)
        .map((r) => r.question_id as string).sort()
      // Exactly one row per question of the sample, in every cell.
      expect(answered).toEqual(sampleOf(cell.benchmark_name))
      expect(rows(ws.dbFile, "select status from evaluations where id = ?", cell.evaluation_id)[0]!.status).toBe("completed")
    }

    // The cells are ordinary evaluations.
    const show = await ws.cli(["evaluate", "show", cells[0]!.evaluation_id, "--json", "--limit", "0"])
    expect(show.code, show.stderr).toBe(0)
    expect(JSON.parse(show.stdout).results.processed).toBe(6)

    const json = await ws.cli(["experiment", "show", id, "--json"])
    expect(json.code, json.stderr).toBe(0)
    const doc = JSON.parse(json.stdout)
    expect(doc.experiment.status).toBe("completed")
    expect(doc.cells).toHaveLength(24)
    expect(doc.groups).toHaveLength(4)
    expect(doc.method.comparisons).toBe(8)

    // Recomputed from the rows: per cell, each question's correctness (correct = graded correct and not failed).
    const scores = new Map<string, Map<string, number>>()
    const costs = new Map<string, { cost: number; reported: number; correct: number; n: number; tokens: number }>()
    for (const cell of cells) {
      const rs = rows(ws.dbFile, "select question_id, is_correct, error_json, cost_usd, total_tokens from evaluation_question_results where evaluation_id = ?", cell.evaluation_id)
      scores.set(cell.evaluation_id, new Map(rs.map((r) => [r.question_id, r.is_correct === 1 && r.error_json === null ? 1 : 0])))
      const key = `${cell.agent_label}|${cell.model_name}|${cell.benchmark_name}`
      const c = costs.get(key) ?? { cost: 0, reported: 0, correct: 0, n: 0, tokens: 0 }
      for (const r of rs) {
        c.n++
        c.tokens += r.total_tokens
        if (r.is_correct === 1 && r.error_json === null) c.correct++
        if (r.cost_usd !== null) {
          c.cost += r.cost_usd
          c.reported++
        }
      }
      costs.set(key, c)
    }
    const comparisons: Array<{ doc: any; p: number }> = []
    for (const group of doc.groups) {
      for (const agent of group.agents) {
        const c = costs.get(`${agent.label}|${group.model}|${group.benchmark}`)!
        expect(agent.accuracy.n).toBe(c.n)
        expect(agent.accuracy.correct).toBe(c.correct)
        expect(agent.accuracy.estimate).toBeCloseTo(c.correct / c.n, 12)
        const w = wilson(c.correct, c.n)
        expect(agent.accuracy.lower).toBeCloseTo(w.lower, 9)
        expect(agent.accuracy.upper).toBeCloseTo(w.upper, 9)
        expect(agent.cost.perQuestionUsd).toBeCloseTo(c.cost / c.reported, 15)
        expect(agent.cost.perCorrectUsd === null ? null : agent.cost.perCorrectUsd).toEqual(c.correct === 0 ? null : expect.closeTo(c.cost / c.correct, 15))
        expect(agent.cost.tokens.perQuestion).toBeCloseTo(c.tokens / c.n, 9)
      }
      // Each candidate against the baseline: per question, the mean over its repeats.
      const cellIds = (label: string) =>
        cells.filter((x) => x.agent_label === label && x.model_name === group.model && x.benchmark_name === group.benchmark).map((x) => x.evaluation_id as string)
      const questionMean = (label: string) => {
        const out = new Map<string, number>()
        const ids = cellIds(label)
        for (const q of sampleOf(group.benchmark)) out.set(q, ids.reduce((s, e) => s + scores.get(e)!.get(q)!, 0) / ids.length)
        return out
      }
      const base = questionMean(group.agents[0].label)
      for (const comparison of group.comparisons) {
        const cand = questionMean(comparison.candidate)
        let b = 0
        let cc = 0
        let sum = 0
        for (const [q, sb] of base) {
          const sc = cand.get(q)!
          sum += sc - sb
          if (sc > sb) cc++
          if (sc < sb) b++
        }
        expect(comparison.questions).toBe(6)
        expect(comparison.difference.estimate).toBeCloseTo(sum / 6, 12)
        expect(comparison.difference.lower).toBeLessThanOrEqual(comparison.difference.estimate)
        expect(comparison.difference.upper).toBeGreaterThanOrEqual(comparison.difference.estimate)
        expect([comparison.mcnemar.b, comparison.mcnemar.c]).toEqual([b, cc])
        expect(comparison.mcnemar.p).toBeCloseTo(mcnemar(b, cc), 12)
        comparisons.push({ doc: comparison, p: mcnemar(b, cc) })
      }
    }
    const adjusted = holm(comparisons.map((c) => c.p))
    comparisons.forEach((c, i) => expect(c.doc.mcnemar.pAdjusted).toBeCloseTo(adjusted[i]!, 12))

    // The report draws it: a gain per model × benchmark for each candidate agent.
    const report = await ws.cli(["report", id, "-o", "exp.html"])
    expect(report.code, report.stderr).toBe(0)
    const page = fs.readFileSync(path.join(ws.dir, "exp.html"), "utf8")
    expect(page.match(/data-gain="/g)).toHaveLength(8)
    expect(page).not.toMatch(/<script/i)
    expect(page).toContain('data-role="frontier"')
  }, 240_000)

  it("SIGKILL mid-experiment, then run again: every cell ends with the same counts as an uninterrupted experiment, nothing asked twice", async () => {
    ws.sim.configure({ latencyMs: 40 })
    // 2 agents × 2 models, a sample of 40 of 60 questions: 160 questions in all.
    await sums(ws, "SUMS", 60)
    const args = ["experiment", "create", "--agents", "none,cot", "--models", `${M1},${M2}`, "--benchmarks", "SUMS", "--sample", "40", "--seed", "3"]
    const killed = createdExperiment((await ws.cli(args)).stdout)
    const whole = createdExperiment((await ws.cli(args)).stdout)

    const first = ws.spawnCli(["experiment", "run", killed, "--concurrency", "4"])
    const count = () =>
      rows(ws.dbFile, "select count(*) n from evaluation_question_results r join experiment_cells c on c.evaluation_id = r.evaluation_id where c.experiment_id = ?", killed)[0]!.n as number
    for (let i = 0; i < 600 && count() < 40; i++) await new Promise((r) => setTimeout(r, 50))
    first.child.kill("SIGKILL")
    const ended = await first.done
    expect(ended.signal).toBe("SIGKILL")
    const before = count()
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(160)
    const askedBefore = ws.sim.stats().requests.chat

    const resumed = await ws.cli(["experiment", "run", killed, "--concurrency", "4"])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout + resumed.stderr).toContain("resuming")
    // Only what had no result was asked again (at most the 4 in flight at the kill were lost).
    const askedAfter = ws.sim.stats().requests.chat - askedBefore
    expect(askedAfter).toBe(160 - before)

    expect((await ws.cli(["experiment", "run", whole, "--concurrency", "4"])).code).toBe(0)
    const counts = (id: string) =>
      rows(ws.dbFile, `select c.agent_label, c.model_name, c.benchmark_name, c.repeat, e.status, count(r.question_id) n
        from experiment_cells c join evaluations e on e.id = c.evaluation_id
        left join evaluation_question_results r on r.evaluation_id = c.evaluation_id
        where c.experiment_id = ?
        group by c.position, c.agent_label, c.model_name, c.benchmark_name, c.repeat, e.status order by c.position`, id)
    expect(counts(killed)).toEqual(counts(whole))
    expect(counts(killed).every((c) => c.n === 40 && c.status === "completed")).toBe(true)
  }, 240_000)

  it("Ctrl+C stops cleanly (130, cells interrupted, results kept) and exhausted credits fail the cells; run again resumes both", async () => {
    ws.sim.configure({ latencyMs: 40 })
    await sums(ws, "SUMS", 30)
    const id = createdExperiment((await ws.cli(["experiment", "create", "--agents", "none,cot", "--models", `${M1},${M2}`, "--benchmarks", "SUMS"])).stdout)
    const stored = () =>
      rows(ws.dbFile, "select count(*) n from evaluation_question_results r join experiment_cells c on c.evaluation_id = r.evaluation_id where c.experiment_id = ?", id)[0]!.n as number
    const statuses = () =>
      rows(ws.dbFile, "select e.status from experiment_cells c join evaluations e on e.id = c.evaluation_id where c.experiment_id = ?", id).map((r) => r.status)

    const first = ws.spawnCli(["experiment", "run", id, "--concurrency", "2"])
    for (let i = 0; i < 600 && stored() < 10; i++) await new Promise((r) => setTimeout(r, 50))
    first.child.kill("SIGINT")
    const interrupted = await first.done
    expect(interrupted.code).toBe(130)
    expect(interrupted.stderr).toContain(`Resume with: ml-agents experiment run ${id}`)
    expect(statuses().every((s) => s === "interrupted")).toBe(true)
    const kept = stored()
    expect(kept).toBeGreaterThanOrEqual(10)
    expect(kept).toBeLessThan(120)

    // A few more answers' worth of credit, then 402.
    ws.sim.configure({ creditLimitUsd: ws.sim.stats().totalCostUsd + 0.0002 })
    const broke = await ws.cli(["experiment", "run", id, "--concurrency", "2"])
    expect(broke.code).toBe(1)
    expect(broke.stderr).toContain("Out of credits")
    expect(broke.stderr).toContain(`ml-agents experiment run ${id}`)
    expect(statuses().every((s) => s === "failed")).toBe(true)
    const afterCredits = stored()
    expect(afterCredits).toBeGreaterThan(kept)
    expect(afterCredits).toBeLessThan(120)

    ws.sim.configure({ creditLimitUsd: undefined })
    const resumed = await ws.cli(["experiment", "run", id, "--concurrency", "4"])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(stored()).toBe(120)
    expect(statuses().every((s) => s === "completed")).toBe(true)
  }, 240_000)

  it("a 429 storm on one model throttles only that model's cells: the other model is asked each question once, never throttled", async () => {
    ws.sim.configure({ latencyMs: 20, faults: [{ fault: { type: "status", status: 429 }, model: M2, rate: 0.7 }] })
    await sums(ws, "SUMS", 60)
    const id = createdExperiment((await ws.cli([
      "experiment", "create", "--agents", "none,cot", "--models", `${M1},${M2}`, "--benchmarks", "SUMS"
    ])).stdout)
    const run = await ws.cli(["experiment", "run", id, "--concurrency", "8"])
    expect(run.code, run.stderr).toBe(0)
    const stats = ws.sim.stats().models
    // The other model: every question asked once, no fault, all its answers stored and correct or wrong, none failed.
    expect(stats[M1]).toMatchObject({ requests: 120, faults: 0 })
    expect(stats[M2]!.faults).toBeGreaterThan(20)
    const errorsOf = (model: string) =>
      rows(ws.dbFile, `select count(*) n from evaluation_question_results r join experiment_cells c on c.evaluation_id = r.evaluation_id
        where c.experiment_id = ? and c.model_name = ? and r.error_json is not null`, id, model)[0]!.n
    expect(errorsOf(M1)).toBe(0)
    expect(errorsOf(M2)).toBeGreaterThan(0)
    // The live view's last lines: the stormy model's cells throttled, the other's not.
    const lines = run.stderr.split("\n").filter((l) => l.includes(" · SUMS"))
    expect(lines).toHaveLength(4)
    for (const line of lines) {
      if (line.includes(M2)) expect(line).toContain("throttled")
      else expect(line).not.toContain("throttled")
    }
  }, 240_000)

  it("a bad grid file gives an error naming the key and the line, and stores nothing", async () => {
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(ws.dir, name), text)
      return name
    }
    const cases: Array<[string, string, RegExp]> = [
      [
        "unknown-key.yaml",
        "agents: [none, cot]\nmodels: [openai/gpt-4o-mini]\nbenchmarks: [SAMPLE_QA]\nrepeat: 2\n",
        /unknown-key\.yaml:4:1: repeat: unknown key/
      ],
      [
        "bad-param.yaml",
        "agents:\n  - none\n  - agent: tot\n    params:\n      tree_depth: 2\n      depth_limit: 3\nmodels: [openai/gpt-4o-mini]\nbenchmarks: [SAMPLE_QA]\n",
        /bad-param\.yaml:5:7: agents\[1\]\.params: .*depth_limit/
      ],
      [
        "bad-model.yaml",
        "agents: [none]\nmodels:\n  - openai/gpt-4o-mini\n  - openai/gpt-9\nbenchmarks: [SAMPLE_QA]\n",
        /bad-model\.yaml:4:5: models\[1\]: unknown model 'openai\/gpt-9'/
      ],
      [
        "bad-benchmark.json",
        '{\n  "agents": ["none"],\n  "models": ["openai/gpt-4o-mini"],\n  "benchmarks": ["SAMPLE_QA", "GPQA"]\n}\n',
        /bad-benchmark\.json:4:31: benchmarks\[1\]: no benchmark named 'GPQA'/
      ],
      ["bad-repeats.yaml", "agents: [none]\nmodels: [openai/gpt-4o-mini]\nbenchmarks: [SAMPLE_QA]\nrepeats: two\n", /bad-repeats\.yaml:4:10: repeats: must be a number/]
    ]
    for (const [name, text, expected] of cases) {
      const result = await ws.cli(["experiment", "create", "-f", write(name, text)])
      expect(result.code, name).toBe(2)
      expect(result.stderr, name).toMatch(expected)
      expect(result.stderr).toContain("nothing was stored")
    }
    expect(rows(ws.dbFile, "select count(*) n from experiments")[0]!.n).toBe(0)
    expect(rows(ws.dbFile, "select count(*) n from evaluations")[0]!.n).toBe(0)

    // And a good file creates the experiment, an agent listed twice with other parameters.
    const good = await ws.cli(["experiment", "create", "-f", write("good.yaml",
      "name: depth\nagents:\n  - none\n  - agent: tot\n    params: { tree_depth: 1, max_evaluations: 9 }\n  - agent: tot\n    params: { tree_depth: 2, max_evaluations: 16 }\nmodels: [openai/gpt-4o-mini]\nbenchmarks: [SAMPLE_QA]\n")])
    expect(good.code, good.stderr).toBe(0)
    expect(good.stdout).toContain("tot(tree_depth=1, max_evaluations=9)")
    expect(good.stdout).toContain("tot(tree_depth=2, max_evaluations=16)")
    const list = JSON.parse((await ws.cli(["experiment", "list", "--json"])).stdout)
    expect(list).toHaveLength(1)
    expect(list[0].cells).toHaveLength(3)
  }, 120_000)
})
