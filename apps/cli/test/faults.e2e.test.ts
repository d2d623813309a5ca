/**
 * Faults, budgets and the response cache through the built CLI and the simulator over HTTP:
 * retried 429s, 5xx and timeouts end in correct answers with the retries stored; exhausted
 * credits stop the run keeping what finished; a cached re-run makes no model call.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createdId, type Workspace, workspace, rows } from "./support.js"


describe("faults and the response cache", () => {
  let ws: Workspace
  beforeEach(async () => {
    ws = await workspace({ accuracy: 1 })
    expect((await ws.cli(["benchmark", "import", "SAMPLE_QA"])).code).toBe(0)
  })
  afterEach(async () => {
    await ws.close()
  })
  const create = async (model = "openai/gpt-4o-mini") =>
    createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", model, "--benchmark", "SAMPLE_QA"])).stdout)

  it("429s, 5xx and timeouts on first attempts are retried: every question completes correctly and the retries are stored", async () => {
    const id = await create()
    ws.sim.configure({
      faults: [
        { fault: { type: "status", status: 429, retryAfterSeconds: 1 }, times: 3 },
        { fault: { type: "status", status: 502 }, times: 2 },
        { fault: { type: "timeout" }, times: 2 }
      ]
    })
    const run = await ws.cli(["evaluate", "run", id, "--concurrency", "4"], { OPENROUTER_MAX_RETRIES: "3", OPENROUTER_TIMEOUT: "2" })
    expect(run.code, run.stderr).toBe(0)
    const stored = rows(ws.dbFile, "select * from evaluation_question_results where evaluation_id = ?", id)
    expect(stored).toHaveLength(15)
    expect(stored.every((r) => r.is_correct === 1 && r.error_json === null)).toBe(true)
    expect(stored.reduce((n, r) => n + r.retries, 0)).toBe(7)
    expect(ws.sim.stats().faultsInjected).toBe(7)
    expect(run.stdout).toContain("7 retried attempts")
  })

  it("running out of credits stops the run: failed with credit_limit_exceeded, finished results kept, resumable", async () => {
    const id = await create()
    // Each reply costs about $0.00001 on this model: the limit is hit after a few questions.
    ws.sim.configure({ creditLimitUsd: 0.00005 })
    const run = await ws.cli(["evaluate", "run", id])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("Out of credits")
    expect(run.stderr).toContain(`ml-agents evaluate run ${id}`)
    const [evaluation] = rows(ws.dbFile, "select status, failure_reason from evaluations where id = ?", id)
    expect(evaluation!.status).toBe("failed")
    expect(JSON.parse(evaluation!.failure_reason).category).toBe("credit_limit_exceeded")
    const kept = rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ?", id)[0]!.n
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(15)

    ws.sim.configure({ creditLimitUsd: undefined })
    const resumed = await ws.cli(["evaluate", "run", id])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ?", id)[0]!.n).toBe(15)
  })

  it("--max-cost stops the run cleanly at the budget: interrupted, results kept, resumable", async () => {
    const id = await create()
    // About $0.00001 per reply on this model: the budget is reached after a few questions.
    const run = await ws.cli(["evaluate", "run", id, "--max-cost", "0.00003"])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("Stopped at the budget")
    expect(run.stderr).toContain("--max-cost")
    expect(rows(ws.dbFile, "select status from evaluations where id = ?", id)[0]!.status).toBe("interrupted")
    const kept = rows(ws.dbFile, "select count(*) n, sum(cost_usd) c from evaluation_question_results where evaluation_id = ?", id)[0]!
    expect(kept.n).toBeGreaterThan(0)
    expect(kept.n).toBeLessThan(15)
    expect(kept.c).toBeGreaterThanOrEqual(0.00003)
    const resumed = await ws.cli(["evaluate", "run", id])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ?", id)[0]!.n).toBe(15)
  })

  it("with --cache, re-running the same configuration makes no model calls and costs nothing; without it, it asks again", async () => {
    const first = await create()
    expect((await ws.cli(["evaluate", "run", first, "--cache"])).code).toBe(0)
    const asked = ws.sim.stats().requests.chat
    expect(asked).toBe(15)

    const second = await create()
    const run = await ws.cli(["evaluate", "run", second, "--cache"])
    expect(run.code, run.stderr).toBe(0)
    expect(ws.sim.stats().requests.chat).toBe(asked)
    expect(run.stdout).toContain("15 answered from the cache, free")
    const a = rows(ws.dbFile, "select question_id, raw_output, is_correct from evaluation_question_results where evaluation_id = ? order by ordinal", first)
    const b = rows(ws.dbFile, "select question_id, raw_output, is_correct, cached_calls, cost_usd from evaluation_question_results where evaluation_id = ? order by ordinal", second)
    expect(b.map(({ cached_calls: _c, cost_usd: _u, ...r }) => r)).toEqual(a)
    expect(b.every((r) => r.cached_calls === 1 && r.cost_usd === 0)).toBe(true)

    const third = await create()
    expect((await ws.cli(["evaluate", "run", third])).code).toBe(0)
    expect(ws.sim.stats().requests.chat).toBe(asked + 15)
  })
})
