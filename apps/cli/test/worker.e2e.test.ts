/**
 * The shared queue and `ml-agents worker` through the built CLI and the simulator over HTTP, on
 * SQLite (several local processes on one file) and, through test/postgres.mjs, on PostgreSQL:
 * `run --queue` returns at once, workers (one of them SIGKILLed) finish every question exactly
 * once with the accuracy of an uninterrupted run, a 402 stops every worker, `--until-idle` exits
 * 0, and an experiment's grid queued and worked completes.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createdId, rows, run, type Workspace, workspace } from "./support.js"

const M1 = "openai/gpt-4o-mini"
const M2 = "anthropic/claude-3.5-haiku"
/** A short lease, so that a killed worker's claims lapse quickly. */
const LEASE = { WORKER_LEASE_SECONDS: "2", WORKER_POLL_SECONDS: "0.2" }

/** A benchmark of `n` sums written to the workspace and imported, its answers given to the simulator. */
const sums = async (ws: Workspace, name: string, n: number) => {
  const pairs = Array.from({ length: n }, (_, i) => ({ question: `What is ${i + 1} plus ${i + 7}?`, answer: String(2 * i + 8) }))
  const csv = ["ID,INPUT,OUTPUT", ...pairs.map((p, i) => `s${i + 1},${p.question},${p.answer}`)].join("\n")
  fs.writeFileSync(path.join(ws.dir, `${name}.csv`), csv + "\n")
  ws.sim.configure({ questions: pairs })
  expect((await ws.cli(["benchmark", "import", `${name}.csv`, "--name", name])).code).toBe(0)
}

const until = async (what: string, ok: () => boolean, seconds = 120) => {
  const end = Date.now() + seconds * 1000
  while (!ok()) {
    if (Date.now() > end) throw new Error(`waited ${seconds} s for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const count = (ws: Workspace, id: string) =>
  Number(rows(ws.dbFile, "select count(*) as n from evaluation_question_results where evaluation_id = ?", id)[0]!.n)

describe("the queue and workers", () => {
  let ws: Workspace
  beforeEach(async () => {
    ws = await workspace({ accuracy: 0.7, latencyMs: 2 })
  })
  afterEach(async () => {
    await ws.close()
  })
  // At temperature 0 the simulator answers a question the same way however often it is asked:
  // a question a killed worker had in flight, asked again, is graded as an uninterrupted run grades it.
  const create = async (benchmark: string, model = M1) =>
    createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", model, "--benchmark", benchmark, "--temp", "0"])).stdout)

  it("three workers on 2,000 queued questions, one SIGKILLed mid-run, and one started after its lease lapsed: 2,000 rows, each question once, the accuracy of an uninterrupted run", async () => {
    await sums(ws, "SUMS", 2000)
    const id = await create("SUMS")
    const queued = await ws.cli(["evaluate", "run", id, "--queue"])
    expect(queued.code, queued.stderr).toBe(0)
    expect(queued.stdout).toContain("Queued 2,000 questions")
    expect(queued.stdout).toContain("Start workers with: ml-agents worker")
    expect(count(ws, id)).toBe(0)

    const workers = [0, 1, 2].map(() => ws.spawnCli(["worker", "--concurrency", "8", "--until-idle"], LEASE))
    await until("the first results", () => count(ws, id) >= 300)
    // From another process: live progress and which workers hold work.
    const show = await ws.cli(["evaluate", "show", id, "--limit", "0"])
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toMatch(/queue:\s+[\d,]+ waiting, [\d,]+ claimed/)
    expect(show.stdout).toMatch(/workers:.*:\d+ \(\d+, lease until/)
    workers[0]!.child.kill("SIGKILL")
    const killed = await workers[0]!.done
    expect(killed.signal).toBe("SIGKILL")
    const others = await Promise.all([workers[1]!.done, workers[2]!.done])
    for (const done of others) expect(done.code, done.stderr).toBe(0)
    // The killed worker's claims, if the others finished before they lapsed, go to a newcomer.
    await new Promise((r) => setTimeout(r, 2500))
    const late = await ws.cli(["worker", "--until-idle"], LEASE)
    expect(late.code, late.stderr).toBe(0)

    const stored = rows(ws.dbFile, "select question_id, is_correct from evaluation_question_results where evaluation_id = ?", id)
    expect(stored).toHaveLength(2000)
    expect(new Set(stored.map((r) => r.question_id)).size).toBe(2000)
    expect(rows(ws.dbFile, "select status from evaluations where id = ?", id)[0]!.status).toBe("completed")
    expect(Number(rows(ws.dbFile, "select count(*) as n from work_items")[0]!.n)).toBe(0)

    // The same questions asked by one uninterrupted plain run: the same answers graded the same.
    const whole = await create("SUMS")
    const plain = await ws.cli(["evaluate", "run", whole, "--concurrency", "16"])
    expect(plain.code, plain.stderr).toBe(0)
    const expected = new Map(
      rows(ws.dbFile, "select question_id, is_correct from evaluation_question_results where evaluation_id = ?", whole)
        .map((r) => [r.question_id, Number(r.is_correct)] as const)
    )
    expect(stored.filter((r) => Number(r.is_correct) === 1).length).toBe([...expected.values()].filter((v) => v === 1).length)
    for (const r of stored) expect(Number(r.is_correct)).toBe(expected.get(r.question_id))
  }, 300_000)

  it("a 402 seen by one worker stops every worker: the evaluation is failed with the reason, its questions are off the queue, finished results kept", async () => {
    await sums(ws, "SUMS", 400)
    const id = await create("SUMS")
    expect((await ws.cli(["evaluate", "run", id, "--queue"])).code).toBe(0)
    const workers = [0, 1].map(() => ws.spawnCli(["worker", "--concurrency", "4"], LEASE))
    // The credits run out once both workers hold work (a worker started after that finds an empty
    // queue and, without --until-idle, waits for new work, as it should).
    await until("both workers holding questions", () =>
      Number(rows(ws.dbFile, "select count(distinct claimed_by) as n from work_items where claimed_by is not null")[0]!.n) >= 2)
    ws.sim.configure({ creditLimitUsd: 0.0002 })
    // Without --until-idle a worker runs until stopped: these stop because of the 402 alone.
    const done = await Promise.all(workers.map((w) => w.done))
    for (const d of done) {
      expect(d.code).toBe(1)
      expect(d.stderr).toContain("Out of credits")
    }
    const evaluation = rows(ws.dbFile, "select status, failure_reason from evaluations where id = ?", id)[0]!
    expect(evaluation.status).toBe("failed")
    expect(JSON.parse(evaluation.failure_reason).category).toBe("credit_limit_exceeded")
    expect(Number(rows(ws.dbFile, "select count(*) as n from work_items")[0]!.n)).toBe(0)
    const kept = count(ws, id)
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(400)
    // Queued again once credits are back, a worker finishes it.
    ws.sim.configure({ creditLimitUsd: undefined })
    expect((await ws.cli(["evaluate", "run", id, "--queue"])).stdout).toContain(`Queued ${400 - kept} questions`)
    const again = await ws.cli(["worker", "--until-idle", "--concurrency", "8"], LEASE)
    expect(again.code, again.stderr).toBe(0)
    expect(count(ws, id)).toBe(400)
    expect(rows(ws.dbFile, "select status from evaluations where id = ?", id)[0]!.status).toBe("completed")
  }, 300_000)

  it("Ctrl+C stops a worker with exit 130: the questions it held are back on the queue at once, finished results kept", async () => {
    await sums(ws, "SUMS", 600)
    const id = await create("SUMS")
    expect((await ws.cli(["evaluate", "run", id, "--queue"])).code).toBe(0)
    const worker = ws.spawnCli(["worker", "--concurrency", "4"], { WORKER_LEASE_SECONDS: "600" })
    await until("the first results", () => count(ws, id) >= 50)
    worker.child.kill("SIGINT")
    const stopped = await worker.done
    expect(stopped.code).toBe(130)
    expect(stopped.stderr).toContain("the questions it held are back on the queue")
    const kept = count(ws, id)
    // Nothing held: with a 600 s lease, only a release can have given them back.
    expect(Number(rows(ws.dbFile, "select count(*) as n from work_items where claimed_by is not null")[0]!.n)).toBe(0)
    expect(Number(rows(ws.dbFile, "select count(*) as n from work_items")[0]!.n)).toBe(600 - kept)
    expect(rows(ws.dbFile, "select status from evaluations where id = ?", id)[0]!.status).toBe("running")
  }, 300_000)

  it("worker --until-idle on an empty queue exits 0 at once; evaluate show of an evaluation not queued has no queue line", async () => {
    await sums(ws, "SUMS", 5)
    const id = await create("SUMS")
    const idle = await ws.cli(["worker", "--until-idle"], LEASE)
    expect(idle.code, idle.stderr).toBe(0)
    expect(idle.stdout).toContain("the queue is empty")
    expect(count(ws, id)).toBe(0)
    expect((await ws.cli(["evaluate", "show", id])).stdout).not.toContain("queue:")
  })

  it("a worker refuses a database migrated by a newer ml-agents (exit 2), naming both schema versions", async () => {
    await sums(ws, "SUMS", 3)
    run(ws.dbFile, "insert into effect_sql_migrations (migration_id, name) values (999, 'from_a_newer_version')")
    const refused = await ws.cli(["worker", "--until-idle"], LEASE)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("the database's schema is v999, newer than this ml-agents knows")
    expect(refused.stderr).toContain("upgrade ml-agents on this machine")
  })

  it("experiment run --queue, then two workers: every cell of the grid completes, one row per question per cell", async () => {
    await sums(ws, "SUMS", 150)
    const create = await ws.cli(["experiment", "create", "--agents", "none,cot", "--models", `${M1},${M2}`, "--benchmarks", "SUMS"])
    expect(create.code, create.stderr).toBe(0)
    const id = /Run with: ml-agents experiment run (exp_[a-z0-9]+)/.exec(create.stdout)![1]!
    const queued = await ws.cli(["experiment", "run", id, "--queue"])
    expect(queued.code, queued.stderr).toBe(0)
    expect(queued.stdout).toContain("Queued 600 questions of 4 cells")
    const during = await ws.cli(["experiment", "show", id])
    expect(during.stdout).toMatch(/queue:\s+600 waiting, 0 claimed/)
    const done = await Promise.all([0, 1].map(() => ws.cli(["worker", "--until-idle", "--concurrency", "6"], LEASE)))
    for (const d of done) expect(d.code, d.stderr).toBe(0)
    const cells = rows(
      ws.dbFile,
      "select e.id, e.status, (select count(*) from evaluation_question_results r where r.evaluation_id = e.id) as n from evaluations e"
    )
    expect(cells).toHaveLength(4)
    for (const cell of cells) {
      expect(cell.status).toBe("completed")
      expect(Number(cell.n)).toBe(150)
    }
    const show = await ws.cli(["experiment", "show", id])
    expect(show.stdout).toContain("600 of 600 questions over 4 cells")
    expect(show.stdout).not.toContain("queue:")
  }, 300_000)
})
