/**
 * Scripting: `--quiet` prints only what a script needs next (the id, the names), and every command
 * that creates or reports something takes `--json` and prints one JSON document on stdout.
 */
import { ensureTools } from "@ml-agents/sandbox/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Workspace, workspace } from "./support.js"

describe("scripting", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1 })
  })
  afterAll(async () => {
    await ws.close()
  })

  it("--quiet prints only the id (create), the name (import), the ids (list), nothing (run)", async () => {
    const imported = await ws.cli(["benchmark", "import", "SAMPLE_MC", "--quiet"])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toBe("SAMPLE_MC\n")
    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC", "--quiet"])
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toMatch(/^eval_[a-z0-9]+\n$/)
    const id = created.stdout.trim()
    const run = await ws.cli(["evaluate", "run", id, "--quiet"])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe("")
    expect((await ws.cli(["evaluate", "list", "--quiet"])).stdout).toBe(`${id}\n`)
    expect((await ws.cli(["benchmark", "list", "-q"])).stdout).toBe("SAMPLE_MC\n")
    expect((await ws.cli(["agents", "list", "--quiet"])).stdout.split("\n")).toEqual(expect.arrayContaining(["none", "cot", "tot"]))
    const experiment = await ws.cli([
      "experiment", "create", "--agents", "none,cot", "--models", "openai/gpt-4o-mini", "--benchmarks", "SAMPLE_MC", "--sample", "3", "--quiet"
    ])
    expect(experiment.code, experiment.stderr).toBe(0)
    expect(experiment.stdout).toMatch(/^exp_[a-z0-9]+\n$/)
    const expId = experiment.stdout.trim()
    const expRun = await ws.cli(["experiment", "run", expId, "--quiet"])
    expect(expRun.code, expRun.stderr).toBe(0)
    expect(expRun.stdout).toBe("")
    expect((await ws.cli(["experiment", "list", "--quiet"])).stdout).toBe(`${expId}\n`)
  })

  it("a code benchmark's import says it is checking the references, but not to a script (--quiet, --json)", async () => {
    await ensureTools()
    const quiet = await ws.cli(["benchmark", "import", "SAMPLE_CODE", "--quiet"])
    expect(quiet.code, quiet.stderr).toBe(0)
    expect(quiet.stdout).toBe("SAMPLE_CODE\n")
    const json = await ws.cli(["benchmark", "import", "SAMPLE_CODE", "--name", "CODE_TOO", "--json"])
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout).benchmark.name).toBe("CODE_TOO")
    const text = await ws.cli(["benchmark", "import", "SAMPLE_CODE", "--name", "CODE_THREE"])
    expect(text.stdout).toContain("checking 10 questions with the 'code' grader")
  }, 120_000)

  it("--json on every command that creates or reports something", async () => {
    const json = async (args: Array<string>) => {
      const result = await ws.cli(args)
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
      return JSON.parse(result.stdout)
    }
    expect((await json(["benchmark", "import", "SAMPLE_MATH", "--json"])).benchmark.name).toBe("SAMPLE_MATH")
    const created = await json(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH", "--json"])
    const id = created.evaluation.id
    expect(id).toMatch(/^eval_/)
    expect(created.run).toBe(`ml-agents evaluate run ${id}`)
    const run = await json(["evaluate", "run", id, "--json"])
    expect(run.evaluation.status).toBe("completed")
    expect(run.results.processed).toBe(run.questions)
    expect((await json(["evaluate", "rescore", id, "--json"])).evaluationId).toBe(id)
    expect((await json(["evaluate", "list", "--json"])).map((e: any) => e.evaluation.id)).toContain(id)
    expect((await json(["evaluate", "show", id, "--json"])).evaluation.id).toBe(id)
    expect((await json(["benchmark", "list", "--json"])).benchmarks.map((b: any) => b.name)).toContain("SAMPLE_MATH")
    expect((await json(["benchmark", "show", "SAMPLE_MATH", "--json"])).benchmark.name).toBe("SAMPLE_MATH")
    expect((await json(["agents", "list", "--json"])).map((a: any) => a.id)).toContain("tot")
    const experiment = await json([
      "experiment", "create", "--agents", "none,cot", "--models", "openai/gpt-4o-mini", "--benchmarks", "SAMPLE_MATH", "--sample", "2", "--json"
    ])
    const expId = experiment.experiment.id
    expect(expId).toMatch(/^exp_/)
    expect(experiment.run).toBe(`ml-agents experiment run ${expId}`)
    expect(experiment.cells.map((c: any) => c.agent)).toEqual(["none", "cot"])
    expect(experiment.cells.every((c: any) => /^eval_/.test(c.evaluationId) && c.questions === 2)).toBe(true)
    const expRun = await json(["experiment", "run", expId, "--json"])
    expect(expRun.status).toBe("completed")
    expect(expRun.cellsRun.map((c: any) => [c.evaluation.id, c.results.processed])).toEqual(
      experiment.cells.map((c: any) => [c.evaluationId, 2])
    )
    expect((await json(["experiment", "run", expId, "--json"])).alreadyCompleted).toBe(2)
    expect((await json(["experiment", "list", "--json"])).map((e: any) => e.id)).toContain(expId)
    expect((await json(["experiment", "show", expId, "--json"])).experiment.id).toBe(expId)
    const health = await json(["health", "--json"])
    expect(health.healthy).toBe(true)
    expect(health.checks.map((c: any) => c.name)).toContain("database")
  })
})
