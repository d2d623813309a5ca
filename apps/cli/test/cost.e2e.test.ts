/**
 * A provider that reports no cost (an OpenAI-compatible server without OpenRouter's usage
 * accounting): every figure says the cost is unknown, none says $0, and tokens are still counted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Workspace, workspace } from "./support.js"

describe("cost not reported by the provider", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1, models: [{ id: "local/llama-3-8b", contextLength: 8192, reportsCost: false }] })
    expect((await ws.cli(["benchmark", "import", "SAMPLE_MC", "--quiet"])).code).toBe(0)
  })
  afterAll(async () => {
    await ws.close()
  })

  it("evaluate show, list and --json say unknown, not $0", async () => {
    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "local/llama-3-8b", "--benchmark", "SAMPLE_MC", "--quiet"])
    expect(created.code, created.stderr).toBe(0)
    const id = created.stdout.trim()
    const run = await ws.cli(["evaluate", "run", id])
    expect(run.code, run.stderr).toBe(0)
    const show = await ws.cli(["evaluate", "show", id])
    expect(show.code, show.stderr).toBe(0)
    const costLine = show.stdout.split("\n").find((l) => /^\s*cost:/.test(l))
    expect(costLine).toMatch(/cost:\s+not reported by the provider over 20 model calls/)
    expect(costLine).not.toContain("$")
    const json = JSON.parse((await ws.cli(["evaluate", "show", id, "--json"])).stdout)
    expect(json.results.costReported).toBe(0)
    expect(json.results.usage.totalTokens).toBeGreaterThan(0)
    expect(json.costPerCorrectUsd).toBeNull()
    const list = await ws.cli(["evaluate", "list"])
    const row = list.stdout.split("\n").find((l) => l.startsWith(id))
    expect(row).toBeDefined()
    expect(row).not.toContain("$")
    expect(row).toContain("—")
  })

  it("experiment show and --json leave the cost missing, never $0", async () => {
    const created = await ws.cli([
      "experiment", "create", "--agents", "none,cot", "--models", "local/llama-3-8b", "--benchmarks", "SAMPLE_MC", "--sample", "4", "--quiet"
    ])
    expect(created.code, created.stderr).toBe(0)
    const id = created.stdout.trim()
    const run = await ws.cli(["experiment", "run", id])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain("2 cells run, no cost reported by the provider")
    const show = await ws.cli(["experiment", "show", id])
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).not.toMatch(/\$0\b/)
    expect(show.stdout.split("\n").find((l) => /^\s*cost:/.test(l))).toMatch(/not reported/)
    const json = JSON.parse((await ws.cli(["experiment", "show", id, "--json"])).stdout)
    expect(json.totals.costUsd).toBeNull()
  })
})
