/**
 * The built `ml-agents` CLI end to end: a real SQLite file, the simulator over HTTP on
 * 127.0.0.1, real child processes, exit codes and printed output.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, KEY, type Workspace, workspace, rows } from "./support.js"


describe("ml-agents end to end", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace()
  })
  afterAll(async () => {
    await ws.close()
  })

  it("import → create → run → list → show, every question stored and the printed accuracy matches the rows", async () => {
    const imported = await ws.cli(["benchmark", "import", "SAMPLE_MC"])
    expect(imported.stderr).toBe("")
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain("Imported 20 questions as SAMPLE_MC")

    const list = await ws.cli(["benchmark", "list"])
    expect(list.stdout).toMatch(/SAMPLE_MC\s+20/)

    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])
    expect(created.code).toBe(0)
    const id = createdId(created.stdout)
    expect(created.stdout).toContain(`Created evaluation ${id}`)

    const run = await ws.cli(["evaluate", "run", id, "--concurrency", "4"])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`Evaluation ${id} completed`)

    const stored = rows(ws.dbFile, "select * from evaluation_question_results where evaluation_id = ?", id)
    expect(stored).toHaveLength(20)
    expect(new Set(stored.map((r) => r.question_id)).size).toBe(20)
    const correct = stored.filter((r) => r.is_correct === 1).length
    expect(correct).toBeGreaterThan(5)
    expect(correct).toBeLessThan(20)
    const accuracy = `${((correct / 20) * 100).toFixed(1)}%`
    // The Wilson score interval, computed here independently: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
    const z = 1.959964
    const p = correct / 20
    const centre = (p + (z * z) / 40) / (1 + (z * z) / 20)
    const half = (z * Math.sqrt((p * (1 - p)) / 20 + (z * z) / 1600)) / (1 + (z * z) / 20)
    const ci = `[95% CI ${((centre - half) * 100).toFixed(1)}–${((centre + half) * 100).toFixed(1)}]`
    expect(run.stdout).toContain(`accuracy:  ${accuracy} ${ci} (${correct} correct`)
    for (const r of stored) {
      expect(r.raw_output).toMatch(/^Answer: [A-J]$/)
      expect(r.prompt_tokens).toBeGreaterThan(0)
      expect(r.cost_usd).toBeGreaterThan(0)
      expect(r.error_json).toBeNull()
    }
    const [evaluation] = rows(ws.dbFile, "select * from evaluations where id = ?", id)
    expect(evaluation!.status).toBe("completed")
    expect(evaluation!.completed_at).not.toBeNull()

    const listed = await ws.cli(["evaluate", "list"])
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+completed\\s+none\\s+openai/gpt-4o-mini\\s+SAMPLE_MC\\s+20/20\\s+${accuracy.replace(".", "\\.")}`))

    const shown = await ws.cli(["evaluate", "show", id])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`accuracy:  ${accuracy}`)
    expect(shown.stdout).toContain("mc-01")
    expect(shown.stdout.split("\n").filter((l) => /^\s*mc-\d\d\s+[✓✗]/.test(l))).toHaveLength(20)

    const again = await ws.cli(["evaluate", "run", id])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("already completed")
  })

  it("a malformed model reply is recorded as a failed question and the run completes", async () => {
    await ws.cli(["benchmark", "import", "SAMPLE_QA"])
    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "sim/perfect", "--benchmark", "SAMPLE_QA"])
    const id = createdId(created.stdout)
    const [target] = rows(ws.dbFile, "select q.id, q.text from questions q join benchmarks b on b.id = q.benchmark_id where b.name = 'SAMPLE_QA' order by q.ordinal limit 1 offset 2")
    ws.sim.configure({ faults: [{ fault: { type: "malformed" }, match: target!.text }] })
    try {
      const run = await ws.cli(["evaluate", "run", id])
      expect(run.code, run.stderr).toBe(0)
      const stored = rows(ws.dbFile, "select * from evaluation_question_results where evaluation_id = ? order by ordinal", id)
      expect(stored).toHaveLength(15)
      const failed = stored.filter((r) => r.error_json !== null)
      expect(failed.map((r) => r.question_id)).toEqual([target!.id])
      expect(JSON.parse(failed[0]!.error_json).category).toBe("parsing_error")
      expect(stored.filter((r) => r.is_correct === 1)).toHaveLength(14)
      expect(run.stdout).toContain("parsing_error 1")
    } finally {
      ws.sim.configure({ faults: [] })
    }
  })

  it("a rejected key gives exit code 4 and names OPENROUTER_API_KEY, keeping the evaluation resumable", async () => {
    await ws.cli(["benchmark", "import", "SAMPLE_LOGIC"])
    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_LOGIC"])
    const id = createdId(created.stdout)
    const run = await ws.cli(["evaluate", "run", id], { OPENROUTER_API_KEY: "sk-wrong-key" })
    expect(run.code).toBe(4)
    expect(run.stderr).toContain("OPENROUTER_API_KEY")
    expect(run.stderr).not.toContain("sk-wrong-key")
    const [evaluation] = rows(ws.dbFile, "select status, failure_reason from evaluations where id = ?", id)
    expect(evaluation!.status).toBe("failed")
    expect(JSON.parse(evaluation!.failure_reason).category).toBe("authentication_error")

    const health = await ws.cli(["health"], { OPENROUTER_API_KEY: "sk-wrong-key" })
    expect(health.code).toBe(4)
    expect(health.stdout).toContain("OPENROUTER_API_KEY")

    const resumed = await ws.cli(["evaluate", "run", id])
    expect(resumed.code).toBe(0)
    expect(rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ?", id)[0]!.n).toBe(15)
  })

  it("unknown benchmarks, evaluations and models give exit code 3 with a next step", async () => {
    const create = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "NOPE"])
    expect(create.code).toBe(3)
    expect(create.stderr).toContain("no benchmark named 'NOPE'")
    expect(create.stderr).toContain("→")
    const imp = await ws.cli(["benchmark", "import", "NOPE"])
    expect(imp.code).toBe(3)
    const run = await ws.cli(["evaluate", "run", "eval_zzzzzzzz"])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain("evaluate list")
    const model = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-9", "--benchmark", "SAMPLE_MC"])
    expect(model.code).toBe(3)
    expect(model.stderr).toContain("unknown model 'openai/gpt-9'")
    const agent = await ws.cli(["evaluate", "create", "--agent", "nope", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])
    expect(agent.code).toBe(3)
    expect(agent.stderr).toContain("unknown agent 'nope'")
  })

  it("a broken CSV is rejected with file and line, and nothing is stored", async () => {
    const file = path.join(ws.dir, "broken.csv")
    const good = Array.from({ length: 500 }, (_, i) => `q${i},"What is ${i} + 1?",${i + 1}`)
    fs.writeFileSync(file, ["ID,INPUT,OUTPUT", ...good, `q500,"unterminated,1`].join("\n"))
    const result = await ws.cli(["benchmark", "import", file, "--name", "BROKEN"])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("broken.csv:502")
    expect(rows(ws.dbFile, "select count(*) n from benchmarks where name = 'BROKEN'")[0]!.n).toBe(0)
    expect(rows(ws.dbFile, "select count(*) n from questions q left join benchmarks b on b.id = q.benchmark_id where b.id is null")[0]!.n).toBe(0)
  })

  it("bad configuration fails at start with exit code 2, naming the variable", async () => {
    const timeout = await ws.cli(["benchmark", "list"], { OPENROUTER_TIMEOUT: "soon" })
    expect(timeout.code).toBe(2)
    expect(timeout.stderr).toContain("OPENROUTER_TIMEOUT")
    const defaults = await ws.cli(["benchmark", "list"], { COT_AGENT_DEFAULTS: "{temperature: 1" })
    expect(defaults.code).toBe(2)
    expect(defaults.stderr).toContain("COT_AGENT_DEFAULTS")
    const db = await ws.cli(["benchmark", "list"], { DATABASE_URL: "postgresql://user:hunter2@db/x" })
    expect(db.code).not.toBe(0)
    expect(db.stderr).toContain("DATABASE_URL")
    expect(db.stderr).not.toContain("hunter2")
    const flag = await ws.cli(["evaluate", "list", "--status", "bogus"])
    expect(flag.code).toBe(2)
    const missing = await ws.cli(["benchmark", "list", "--config", "nowhere.env"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("--config")
  })

  it("reads --config files and .env, with real environment variables winning", async () => {
    const dir = fs.mkdtempSync(path.join(ws.dir, "cfg-"))
    const other = path.join(dir, "other.db")
    fs.writeFileSync(path.join(dir, "custom.env"), `DATABASE_URL=sqlite:///${other}\nOPENROUTER_TIMEOUT=nope\n`)
    const overridden = await ws.cli(["benchmark", "list", "--config", path.join(dir, "custom.env")], { OPENROUTER_TIMEOUT: "30" })
    expect(overridden.code, overridden.stderr).toBe(0)
    const { DATABASE_URL: _ignored, ...envWithoutDb } = ws.env
    const fromFile = await ws.cli(["benchmark", "import", "SAMPLE_QA", "--config", path.join(dir, "custom.env")], { ...envWithoutDb, DATABASE_URL: "", OPENROUTER_TIMEOUT: "30" })
    expect(fromFile.code, fromFile.stderr).toBe(0)
    expect(fs.existsSync(other)).toBe(true)
    const bad = await ws.cli(["benchmark", "list", "--config", path.join(dir, "custom.env")])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("OPENROUTER_TIMEOUT")
  })

  it("--help answers without touching the database", async () => {
    const dir = fs.mkdtempSync(path.join(ws.dir, "help-"))
    const result = await ws.cli(["--help"], { DATABASE_URL: `sqlite:///${path.join(dir, "never.db")}` })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("evaluate")
    expect(fs.existsSync(path.join(dir, "never.db"))).toBe(false)
  })
})

describe("secrets", () => {
  it("the API key appears in no output, log line or database file, even with debug logging", async () => {
    const ws = await workspace()
    try {
      const env = { LOG_LEVEL: "DEBUG", DATABASE_ECHO: "true" }
      const outputs: Array<string> = []
      const cli = async (args: Array<string>, extra: Record<string, string> = {}) => {
        const r = await ws.cli(["--verbose", ...args], { ...env, ...extra })
        outputs.push(r.stdout, r.stderr)
        return r
      }
      await cli(["health"])
      await cli(["benchmark", "import", "SAMPLE_MATH"])
      const id = createdId((await cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH"])).stdout)
      ws.sim.configure({ faults: [{ fault: { type: "status", status: 500 }, times: 2 }] })
      expect((await cli(["evaluate", "run", id])).code).toBe(0)
      await cli(["evaluate", "show", id])
      await cli(["evaluate", "list"])
      await cli(["health"], { DEBUG_MODE: "true" })
      const all = outputs.join("\n")
      expect(all.length).toBeGreaterThan(1000)
      expect(all).not.toContain(KEY)
      expect(all).not.toContain(KEY.slice(8))
      for (const file of fs.readdirSync(ws.dir)) {
        const full = path.join(ws.dir, file)
        if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes(KEY.slice(8)), file).toBe(false)
      }
    } finally {
      await ws.close()
    }
  })
})

describe("interruption", () => {
  it("SIGINT during a run exits 130, marks it interrupted, and a second run completes the rest exactly once", async () => {
    const ws = await workspace({ latencyMs: 150 })
    try {
      await ws.cli(["benchmark", "import", "SAMPLE_MATH"])
      const id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH"])).stdout)
      const running = ws.spawnCli(["evaluate", "run", id, "--concurrency", "2"])
      const count = () => {
        try {
          return rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ?", id)[0]!.n as number
        } catch {
          return 0
        }
      }
      const deadline = Date.now() + 20_000
      while (count() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      running.child.kill("SIGINT")
      const result = await running.done
      expect(result.code).toBe(130)
      expect(result.stderr).toContain(`ml-agents evaluate run ${id}`)
      const [evaluation] = rows(ws.dbFile, "select status from evaluations where id = ?", id)
      expect(evaluation!.status).toBe("interrupted")
      const kept = count()
      expect(kept).toBeGreaterThanOrEqual(4)
      expect(kept).toBeLessThan(20)
      ws.sim.reset()
      const resumed = await ws.cli(["evaluate", "run", id])
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(resumed.stdout).toContain(`resuming: ${kept} of 20`)
      expect(ws.sim.stats().requests.chat).toBe(20 - kept)
      expect(count()).toBe(20)
    } finally {
      await ws.close()
    }
  })
})

describe("retrying failed questions", () => {
  it("--retry-errors asks only the failed questions again, on a completed evaluation, and replaces their rows", async () => {
    const ws = await workspace({ accuracy: 1 })
    try {
      await ws.cli(["benchmark", "import", "SAMPLE_QA"])
      const id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_QA"])).stdout)
      ws.sim.configure({ faults: [{ fault: { type: "status", status: 503 }, times: 4 }] })
      const first = await ws.cli(["evaluate", "run", id])
      expect(first.code, first.stderr).toBe(0)
      const failedBefore = rows(ws.dbFile, "select question_id from evaluation_question_results where evaluation_id = ? and error_json is not null", id)
      expect(failedBefore).toHaveLength(4)
      expect(first.stdout).toMatch(/4 failed/)

      const plain = await ws.cli(["evaluate", "run", id])
      expect(plain.code).toBe(1)
      expect(plain.stderr).toContain("--retry-errors")

      ws.sim.reset()
      ws.sim.configure({ faults: [] })
      const retry = await ws.cli(["evaluate", "run", id, "--retry-errors"])
      expect(retry.code, retry.stderr).toBe(0)
      expect(retry.stdout).toContain("retrying 4 failed questions")
      expect(ws.sim.stats().requests.chat).toBe(4)
      const after = rows(ws.dbFile, "select * from evaluation_question_results where evaluation_id = ?", id)
      expect(after).toHaveLength(15)
      expect(after.filter((r) => r.error_json !== null)).toHaveLength(0)
      expect(after.filter((r) => r.is_correct === 1)).toHaveLength(15)
      expect(retry.stdout).toContain("100.0%")

      const nothing = await ws.cli(["evaluate", "run", id, "--retry-errors"])
      expect(nothing.code).toBe(0)
      expect(nothing.stdout).toContain("no failed questions to retry")
    } finally {
      await ws.close()
    }
  })
})

describe("crashes and concurrent runners", () => {
  it("a second runner of the same evaluation refuses; a SIGKILLed run is taken over and ends exactly like an uninterrupted one", async () => {
    const ws = await workspace()
    try {
      const count = (id: string) =>
        rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ?", id)[0]!.n as number
      await ws.cli(["benchmark", "import", "SAMPLE_MC"])
      const create = async () =>
        createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC", "--temp", "0"])).stdout)
      const reference = await create()
      expect((await ws.cli(["evaluate", "run", reference, "--concurrency", "4"])).code).toBe(0)
      const referenceCorrect = rows(ws.dbFile, "select question_id, is_correct from evaluation_question_results where evaluation_id = ? order by ordinal", reference)

      const id = await create()
      // Slow replies keep the first run going while the second one starts.
      ws.sim.configure({ latencyMs: 1500 })
      const first = ws.spawnCli(["evaluate", "run", id, "--concurrency", "3"])
      const deadline = Date.now() + 20_000
      while (count(id) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30))
      const second = await ws.cli(["evaluate", "run", id])
      expect(second.code).toBe(1)
      expect(second.stderr).toContain("being run by another process")

      first.child.kill("SIGKILL")
      const killed = await first.done
      expect(killed.signal).toBe("SIGKILL")
      const kept = count(id)
      expect(kept).toBeLessThan(20)
      expect(rows(ws.dbFile, "select status from evaluations where id = ?", id)[0]!.status).toBe("running")

      ws.sim.reset()
      ws.sim.configure({ latencyMs: 0 })
      const resumed = await ws.cli(["evaluate", "run", id, "--concurrency", "3"])
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(ws.sim.stats().requests.chat).toBe(20 - kept)
      const after = rows(ws.dbFile, "select question_id, is_correct from evaluation_question_results where evaluation_id = ? order by ordinal", id)
      expect(after).toHaveLength(20)
      expect(after).toEqual(referenceCorrect)
      expect(rows(ws.dbFile, "select status, lease_owner from evaluations where id = ?", id)[0]).toEqual({ status: "completed", lease_owner: null })
    } finally {
      await ws.close()
    }
  })
})
