/**
 * The same unusable reply is recorded the same way whatever the agent: with the simulator
 * refusing every request ("I'm sorry, but I can't help with that.") or returning empty content
 * stopped by its content filter, `none`, `cot`, `tot` and the example plugin all store the
 * question as failed with core's category and words, never the refusal as an answer.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, rows, type Workspace, workspace } from "./support.js"

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/agent-self-consistency")
const PLUGIN = "ml-agents-agent-self-consistency"

const agents: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["none", []],
  ["cot", []],
  ["tot", ["--param", "max_evaluations=6", "--param", "branches_per_step=2"]],
  ["self-consistency", ["--param", "samples=2"]]
]

describe("refusals and unusable replies, recognised once in core", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1 })
    fs.mkdirSync(path.join(ws.dir, "node_modules"), { recursive: true })
    fs.symlinkSync(example, path.join(ws.dir, "node_modules", PLUGIN), "dir")
    const csv = path.join(ws.dir, "three.csv")
    fs.writeFileSync(csv, "INPUT,OUTPUT\nWhat is 2 + 2?,4\nWhat is 3 + 4?,7\nWhat is 5 + 6?,11\n")
    const imported = await ws.cli(["benchmark", "import", csv, "--name", "THREE"])
    expect(imported.code, imported.stderr).toBe(0)
  })
  afterAll(async () => {
    await ws.close()
  })

  const runAll = async (fault: "refusal" | "content_filter") => {
    ws.sim.configure({ faults: [{ fault: { type: fault } }] })
    const stored: Record<string, Array<Record<string, any>>> = {}
    for (const [agent, extra] of agents) {
      const created = await ws.cli(
        ["evaluate", "create", "--agent", agent, "--model", "openai/gpt-4o-mini", "--benchmark", "THREE", ...extra],
        { ML_AGENTS_PLUGINS: PLUGIN }
      )
      expect(created.code, created.stderr).toBe(0)
      const id = createdId(created.stdout)
      const ran = await ws.cli(["evaluate", "run", id], { ML_AGENTS_PLUGINS: PLUGIN })
      expect(ran.code, ran.stderr).toBe(0)
      stored[agent] = rows(ws.dbFile, "select * from evaluation_question_results where evaluation_id = ? order by ordinal", id)
    }
    ws.sim.configure({ faults: [] })
    return stored
  }

  const failures = (rs: Array<Record<string, any>>) =>
    rs.map((r) => ({ answer: r.extracted_answer, outcome: r.outcome, category: r.error_category, error: JSON.parse(r.error_json) }))

  it("a refusal is failed: model_refusal for every agent, identically, and never stored as an answer", async () => {
    const stored = await runAll("refusal")
    const none = failures(stored.none!)
    expect(none).toHaveLength(3)
    for (const f of none) {
      expect(f.answer).toBeNull()
      expect(f.category).toBe("model_refusal")
      expect(f.error.description).toBe("the model refused to answer the question")
      expect(f.error.technicalDetails).toContain("I'm sorry, but I can't help with that.")
    }
    for (const [agent] of agents) expect(failures(stored[agent]!), agent).toEqual(none)
  })

  it("an empty reply stopped by the content filter is content_guardrail for every agent, identically", async () => {
    const stored = await runAll("content_filter")
    const none = failures(stored.none!)
    for (const f of none) expect(f.category).toBe("content_guardrail")
    for (const [agent] of agents) expect(failures(stored[agent]!), agent).toEqual(none)
  })
})
