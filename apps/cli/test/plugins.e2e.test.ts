/**
 * Third-party agent plugins, end to end: the example package (examples/agent-self-consistency),
 * built, installed into a project's node_modules, named in ML_AGENTS_PLUGINS, listed and run by
 * the built CLI against the simulator.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, rows, type Workspace, workspace } from "./support.js"

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/agent-self-consistency")
const PLUGIN = "ml-agents-agent-self-consistency"
const GRADER = "ml-agents-grader-reversed"
const here = path.dirname(fileURLToPath(import.meta.url))

describe("agent plugins", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1 })
    // Installed as a package manager links a local package: <project>/node_modules/<name>.
    fs.mkdirSync(path.join(ws.dir, "node_modules"), { recursive: true })
    fs.symlinkSync(example, path.join(ws.dir, "node_modules", PLUGIN), "dir")
    // A package that loads but exports no agent.
    const broken = path.join(ws.dir, "node_modules", "not-an-agent")
    fs.mkdirSync(broken)
    fs.writeFileSync(path.join(broken, "package.json"), JSON.stringify({ name: "not-an-agent", type: "module", main: "index.js" }))
    fs.writeFileSync(path.join(broken, "index.js"), "export const hello = 1\n")
    // A package that adds an answer kind and its grader (and no agent), built on the CLI's own `effect`.
    fs.symlinkSync(fs.realpathSync(path.join(here, "../node_modules/effect")), path.join(ws.dir, "node_modules", "effect"), "dir")
    const graderPkg = path.join(ws.dir, "node_modules", GRADER)
    fs.mkdirSync(graderPkg)
    fs.writeFileSync(path.join(graderPkg, "package.json"), JSON.stringify({ name: GRADER, type: "module", main: "index.js" }))
    fs.writeFileSync(path.join(graderPkg, "index.js"), [
      `import { Effect } from "effect"`,
      `export const grader = {`,
      `  kind: "reversed", version: "reversed-1", description: "The expected answer spelled backwards.",`,
      `  detect: ({ columns }) => columns.includes("HINT"),`,
      `  grade: ({ answer, rawOutput, question }) => Effect.succeed({`,
      `    outcome: (answer ?? "") === [...question.expectedAnswer].reverse().join("") ? "correct" : "incorrect",`,
      `    extracted: answer, grader: "reversed", version: "reversed-1",`,
      `    details: { hint: question.metadata.HINT, replyLength: (rawOutput ?? "").length }`,
      `  })`,
      `}`
    ].join("\n"))
  })
  afterAll(async () => {
    await ws.close()
  })

  it("lists built-in agents and the plugin with its parameters and defaults", async () => {
    const result = await ws.cli(["agents", "list"], { ML_AGENTS_PLUGINS: PLUGIN })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/none\s+\(built-in\)/)
    expect(result.stdout).toMatch(new RegExp(`self-consistency\\s+\\(${PLUGIN}\\)`))
    expect(result.stdout).toContain("samples=5")
    expect(result.stdout).toContain("temperature=0.7")
  })

  it("runs an evaluation with the plugin, --param validated against its schema", async () => {
    const env = { ML_AGENTS_PLUGINS: PLUGIN }
    expect((await ws.cli(["benchmark", "import", "SAMPLE_MATH"], env)).code).toBe(0)
    const base = ["evaluate", "create", "--agent", "self-consistency", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH"]

    const badValue = await ws.cli([...base, "--param", "samples=lots"], env)
    expect(badValue.code).toBe(2)
    expect(badValue.stderr).toContain("samples")
    const unknown = await ws.cli([...base, "--param", "depth=2"], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("'depth'")
    const cold = await ws.cli([...base, "--temp", "0"], env)
    expect(cold.code).toBe(2)
    expect(cold.stderr).toContain("temperature 0")

    const created = await ws.cli([...base, "--param", "samples=3"], env)
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toContain(`{"samples":3}`)
    const id = createdId(created.stdout)
    ws.sim.reset()
    const run = await ws.cli(["evaluate", "run", id, "--concurrency", "4"], env)
    expect(run.code, run.stderr).toBe(0)
    expect(ws.sim.stats().requests.chat).toBe(20 * 3)
    const stored = rows(ws.dbFile, "select * from evaluation_question_results where evaluation_id = ?", id)
    expect(stored).toHaveLength(20)
    expect(stored.every((r) => r.llm_calls === 3)).toBe(true)
    const trace = JSON.parse(stored[0]!.reasoning_trace)
    expect(trace.kind).toBe("self-consistency")
    expect(trace.samples).toHaveLength(3)
    // Its three replies are stored as samples, each graded on its own (all right at accuracy 1).
    const samples = JSON.parse(stored[0]!.sample_grades)
    expect(samples.map((s: any) => s.outcome)).toEqual(["correct", "correct", "correct"])
    expect(samples.every((s: any) => s.rawOutput.includes("Answer:"))).toBe(true)
    expect(stored.filter((r) => r.is_correct === 1).length).toBe(20)
  })

  it("a plugin that is missing or exports no agent is a clear configuration error naming the package", async () => {
    const missing = await ws.cli(["agents", "list"], { ML_AGENTS_PLUGINS: "ml-agents-agent-nowhere" })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("plugin 'ml-agents-agent-nowhere': not installed")
    const empty = await ws.cli(["agents", "list"], { ML_AGENTS_PLUGINS: `${PLUGIN},not-an-agent` })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain("plugin 'not-an-agent': exports no agent")
  })

  it("a grader plugin adds an answer kind: listed, detected at import, grading runs and rescore, details stored", async () => {
    const env = { ML_AGENTS_PLUGINS: `${PLUGIN},${GRADER}` }
    const listed = await ws.cli(["graders", "list"], env)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`reversed\\s+reversed-1\\s+\\(${GRADER}\\)`))
    expect(listed.stdout).toMatch(/number\s+graders-2\s+\(built-in\)/)
    const csv = path.join(ws.dir, "reversed.csv")
    fs.writeFileSync(csv, "INPUT,OUTPUT,HINT\nSpell abc backwards,cba,three letters\nSpell xy backwards,yx,two letters\n")
    const imported = await ws.cli(["benchmark", "import", csv, "--name", "REV"], env)
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toContain("graded as reversed (detected")
    const id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "REV"], env)).stdout)
    const ran = await ws.cli(["evaluate", "run", id], env)
    expect(ran.code, ran.stderr).toBe(0)
    const stored = rows(ws.dbFile, "select grader, grader_version, grade_details from evaluation_question_results where evaluation_id = ? order by ordinal", id)
    expect(stored.map((r) => [r.grader, r.grader_version, JSON.parse(r.grade_details).hint])).toEqual([
      ["reversed", "reversed-1", "three letters"],
      ["reversed", "reversed-1", "two letters"]
    ])
    expect((await ws.cli(["evaluate", "rescore", id], env)).code).toBe(0)
    // Without the plugin the kind is unknown: a clear configuration error, nothing changed.
    const without = await ws.cli(["evaluate", "rescore", id])
    expect(without.code).toBe(2)
    expect(without.stderr).toContain("unknown answer kind 'reversed'")
    expect(without.stderr).toContain("ML_AGENTS_PLUGINS")
  })
})
