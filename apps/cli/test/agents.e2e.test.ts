/**
 * The built-in reasoning agents through the built CLI and the simulator over HTTP: runs complete
 * on a sample benchmark and the stored traces hold the reasoning (cot) and the tree (tot).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, rows, type Workspace, workspace } from "./support.js"

const results = (dbFile: string, id: string) =>
  rows(dbFile, "select * from evaluation_question_results where evaluation_id = ? order by ordinal", id)

describe("reasoning agents end to end", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 0.8 })
    expect((await ws.cli(["benchmark", "import", "SAMPLE_LOGIC"])).code).toBe(0)
  })
  afterAll(async () => {
    await ws.close()
  })

  const run = async (agent: string, model: string, extra: Array<string> = []) => {
    const created = await ws.cli(["evaluate", "create", "--agent", agent, "--model", model, "--benchmark", "SAMPLE_LOGIC", ...extra])
    expect(created.code, created.stderr).toBe(0)
    const id = createdId(created.stdout)
    ws.sim.reset()
    const ran = await ws.cli(["evaluate", "run", id, "--concurrency", "4"])
    expect(ran.code, ran.stderr).toBe(0)
    return { id, rows: results(ws.dbFile, id), stdout: ran.stdout }
  }

  it("cot, structured (the model supports response_format): every question answered with its reasoning kept", async () => {
    const { rows } = await run("cot", "openai/gpt-4o-mini")
    expect(rows).toHaveLength(15)
    for (const row of rows) {
      const trace = JSON.parse(row.reasoning_trace)
      expect(trace.kind).toBe("cot")
      expect(trace.mode).toBe("structured")
      expect(trace.reasoning.length).toBeGreaterThan(10)
      expect(["True", "False", "Uncertain"]).toContain(row.extracted_answer)
      expect(row.llm_calls).toBe(1)
    }
    expect(rows.filter((r) => r.is_correct === 1).length).toBeGreaterThan(5)
  })

  it("cot, text mode (no structured output): reasoning and final answer separated", async () => {
    const { rows } = await run("cot", "meta-llama/llama-3.1-8b-instruct")
    expect(rows).toHaveLength(15)
    for (const row of rows) {
      const trace = JSON.parse(row.reasoning_trace)
      expect(trace.mode).toBe("text")
      expect(trace.reasoning).not.toContain("Answer:")
      expect(row.raw_output).toMatch(/Answer: (True|False|Uncertain)\s*$/)
      expect(trace.answer).toBe(row.extracted_answer)
    }
  })

  it("tot: a real search of several calls per question, within max_evaluations, with the tree stored and drawn", async () => {
    const { id, rows } = await run("tot", "openai/gpt-4o-mini", ["--param", "max_evaluations=15", "--param", "branches_per_step=3"])
    expect(rows).toHaveLength(15)
    expect(ws.sim.stats().requests.chat).toBe(rows.reduce((n, r) => n + r.llm_calls, 0))
    for (const row of rows) {
      expect(row.llm_calls).toBeGreaterThan(1)
      expect(row.llm_calls).toBeLessThanOrEqual(15)
      const trace = JSON.parse(row.reasoning_trace)
      expect(trace.kind).toBe("tot")
      expect(trace.parameters.max_evaluations).toBe(15)
      expect(trace.calls.total).toBe(row.llm_calls)
      expect(trace.nodes.length).toBeGreaterThan(3)
      expect(trace.bestPath[0]).toBe(0)
      expect(trace.nodes.some((n: any) => n.status === "final")).toBe(true)
    }
    const shown = await ws.cli(["evaluate", "show", id, "--question", rows[0]!.question_id])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain("Search tree")
    expect(shown.stdout).toMatch(/★ \[final/)
    expect(shown.stdout).toContain("calls:")
    const missing = await ws.cli(["evaluate", "show", id, "--question", "nope"])
    expect(missing.code).toBe(3)
  })

  it("tot parameters are validated against its schema at create time", async () => {
    const base = ["evaluate", "create", "--agent", "tot", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_LOGIC"]
    const bad = await ws.cli([...base, "--param", "evaluation_method=poll"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("evaluation_method")
    const tight = await ws.cli([...base, "--param", "max_evaluations=3"])
    expect(tight.code).toBe(2)
    expect(tight.stderr).toContain("max_evaluations")
  })

  it("create shows an upper bound of the cost from the model's list prices and the agent's most calls", async () => {
    const models = (await (await fetch(`${ws.sim.url}/models`)).json()) as { data: Array<any> }
    const mini = models.data.find((m: any) => m.id === "openai/gpt-4o-mini")
    const questions = rows(ws.dbFile, "select q.text from questions q join benchmarks b on b.id = q.benchmark_id where b.name = 'SAMPLE_LOGIC'")
    const promptTokens = questions.reduce((n, q) => n + Math.ceil(q.text.length / 4) + 100, 0)
    const bound = (calls: number, maxTokens: number) =>
      calls * (promptTokens * Number(mini.pricing.prompt) + questions.length * maxTokens * Number(mini.pricing.completion))
    const usd = (x: number) => (x < 0.01 ? `$${x.toFixed(6)}` : `$${x.toFixed(4)}`)
    const base = ["evaluate", "create", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_LOGIC"]
    const cot = await ws.cli([...base, "--agent", "cot"])
    expect(cot.stdout).toContain(`at most ${usd(bound(1, 1000))} (15 questions × up to 1 call, each using all 1,000 max_tokens`)
    const tot = await ws.cli([...base, "--agent", "tot", "--param", "max_evaluations=12"])
    expect(tot.stdout).toContain(`at most ${usd(bound(12, 1500))} (15 questions × up to 12 calls`)
  })

  it("cot refuses too few max tokens at create time", async () => {
    const created = await ws.cli(["evaluate", "create", "--agent", "cot", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_LOGIC", "--max-tokens", "100"])
    expect(created.code).toBe(2)
    expect(created.stderr).toContain("at least 256")
  })
})
