/**
 * The live progress bar on a real terminal (a pseudo-terminal from util-linux `script`): log lines
 * and warnings printed during a run appear on lines of their own above the bar, never written
 * over it or glued to it.
 */
import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cliBin, createdId, type Workspace, workspace } from "./support.js"

/** Runs the CLI on a pseudo-terminal; its output as the terminal received it. */
const onTerminal = (ws: Workspace, args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<string>((resolve) => {
    const command = [process.execPath, cliBin, ...args].map((a) => `'${a}'`).join(" ")
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: ws.dir, env: { ...ws.env, ...env, COLUMNS: "200" }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (c) => (out += c))
    child.on("close", () => resolve(out))
  })

/** What a terminal shows of each line: the text after the last carriage return, escapes removed. */
const shown = (raw: string) =>
  raw.split(/\r?\n/).map((line) => line.split("\r").pop()!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ""))

describe("the progress bar owns its line", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1, latencyMs: 60 })
    await ws.cli(["benchmark", "import", "SAMPLE_MC"])
  })
  afterAll(async () => {
    await ws.close()
  })

  it("a failed question's warning is printed above the bar, on its own line", async () => {
    const id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])).stdout)
    ws.sim.configure({ faults: [{ fault: { type: "malformed" }, match: "SI unit of electrical resistance" }] })
    const raw = await onTerminal(ws, ["evaluate", "run", id], { LOG_LEVEL: "WARNING", DEBUG_MODE: "true" })
    const lines = shown(raw)
    const warning = lines.filter((l) => l.includes("question failed"))
    expect(warning, raw).toHaveLength(1)
    // The warning's line starts with the log line itself, not with a piece of the bar.
    expect(warning[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN/)
    expect(warning[0]).not.toMatch(/[█░]/)
    // And the bar is drawn again after it: the run ends with the full bar.
    expect(lines.some((l) => /█{24} 100%/.test(l))).toBe(true)
  })
})
