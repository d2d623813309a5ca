/**
 * The built-in reasoning agents through the built CLI and the simulator over HTTP: runs complete
 * on a sample benchmark and the stored traces hold the reasoning (cot) and the tree (tot).
 */
import Database from "better-sqlite3"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, type Workspace, workspace } from "./support.js"

const results = (dbFile: string, id: string) => {
  const db = new Database(dbFile, { readonly: true })
  try {
    return db.prepare("select * from evaluation_question_results where evaluation_id = ? order by ordinal").all(id) as Array<any>
  } finally {
    db.close()
  }
}

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

  it("cot refuses too few max tokens at create time", async () => {
    const created = await ws.cli(["evaluate", "create", "--agent", "cot", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_LOGIC", "--max-tokens", "100"])
    expect(created.code).toBe(2)
    expect(created.stderr).toContain("at least 256")
  })
})
