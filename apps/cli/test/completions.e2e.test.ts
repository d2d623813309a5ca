/**
 * Shell completion, in the real shells: bash (the script sourced, TAB simulated with COMP_WORDS
 * and COMP_CWORD), zsh (the script sourced, the completion system's compadd/_describe recorded)
 * and fish (its own `complete -C`). Every command at every depth, options, choices as separate
 * words, and evaluation ids and benchmark names from the database. zsh and fish are installed
 * by the set-up when missing (debian.ts).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureExecutables } from "./debian.js"
import { cliBin, createdId, type Workspace, workspace, storage } from "./support.js"

describe("shell completion", () => {
  let ws: Workspace
  let id: string
  let env: Record<string, string>
  const scripts: Record<string, string> = {}
  beforeAll(async () => {
    await ensureExecutables({ "/usr/bin/zsh": "zsh", "/usr/bin/fish": "fish" })
    ws = await workspace()
    await ws.cli(["benchmark", "import", "SAMPLE_MC"])
    id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])).stdout)
    // `ml-agents` on PATH, as an installed CLI is.
    const bin = path.join(ws.dir, "bin")
    fs.mkdirSync(bin)
    fs.writeFileSync(path.join(bin, "ml-agents"), `#!/bin/sh\nexec "${process.execPath}" "${cliBin}" "$@"\n`, { mode: 0o755 })
    env = { ...ws.env, PATH: `${bin}:${ws.env.PATH}` }
    for (const shell of ["bash", "zsh", "fish"]) {
      const result = await ws.cli(["--completions", shell])
      expect(result.code, result.stderr).toBe(0)
      scripts[shell] = path.join(ws.dir, `completion.${shell}`)
      fs.writeFileSync(scripts[shell]!, result.stdout)
    }
  }, 600_000)
  afterAll(async () => {
    await ws?.close()
  })

  const sh = (shell: string, script: string) => {
    const result = spawnSync(shell, shell === "fish" ? ["--no-config", "-c", script] : shell === "zsh" ? ["-f", "-c", script] : ["--norc", "-c", script], {
      cwd: ws.dir,
      env,
      encoding: "utf8"
    })
    expect(result.status, result.stderr).toBe(0)
    return result.stdout.split("\n").filter((l) => l !== "").sort()
  }

  const quote = (w: string) => `'${w}'`

  /** bash: the script sourced, TAB on the last word simulated. */
  const bash = (...words: Array<string>) =>
    sh("bash", `source ${scripts.bash}; COMP_WORDS=(ml-agents ${words.map(quote).join(" ")}); COMP_CWORD=${words.length}; _ml_agents_complete; printf '%s\\n' "\${COMPREPLY[@]}"`)

  /** zsh: the script sourced; what it hands to the completion system (_describe, _files) printed. */
  const zsh = (...words: Array<string>) =>
    sh(
      "zsh",
      `compdef() { : }; _describe() { local name=\${@[-1]}; local v; for v in "\${(@P)name}"; do print -r -- "\${\${v%%:*}//\\\\\\\\/}"; done }; _files() { print -r -- FILES }; ` +
        `source ${scripts.zsh}; words=(ml-agents ${words.map(quote).join(" ")}); CURRENT=${words.length + 1}; _ml_agents`
    )

  /** fish: its own completion of a command line. */
  const fish = (...words: Array<string>) =>
    sh("fish", `source ${scripts.fish}; complete -C ${quote(["ml-agents", ...words].join(" "))}`).map((l) => l.split("\t")[0]!)

  it.each([["bash", bash], ["zsh", zsh], ["fish", fish]] as const)("%s: commands at every depth, options, choices, ids and names", (_shell, complete) => {
    expect(complete("")).toEqual(["agents", "benchmark", "db", "evaluate", "experiment", "graders", "health", "report", "worker"])
    expect(complete("experiment", "")).toEqual(["create", "list", "run", "show"])
    expect(complete("evaluate", "r")).toEqual(["rescore", "run"])
    expect(complete("benchmark", "")).toEqual(["import", "list", "show"])
    expect(complete("evaluate", "run", "--c")).toEqual(expect.arrayContaining(["--cache", "--concurrency", "--config"]))
    expect(complete("evaluate", "create", "--agent", "cot", "--")).toEqual(expect.arrayContaining(["--model", "--benchmark", "--temp", "--param", "--answer-kind", "--json", "--quiet"]))
    expect(complete("evaluate", "list", "--status", "")).toEqual(["completed", "failed", "interrupted", "pending", "running"])
    expect(complete("evaluate", "export", id, "--format", "j")).toEqual(["json", "jsonl"])
    // Ids and names are read from a SQLite database only (read-only, never created); on
    // PostgreSQL a TAB completes commands, options and choices but asks the server nothing.
    const fromData = storage === "sqlite"
    expect(complete("evaluate", "show", "eval_")).toEqual(fromData ? [id] : [])
    expect(complete("evaluate", "create", "--benchmark", "S")).toEqual(fromData ? ["SAMPLE_MC"] : [])
    expect(complete("benchmark", "show", "")).toEqual(fromData ? ["SAMPLE_MC"] : [])
    expect(complete("--completions", "")).toEqual(["bash", "fish", "zsh"])
  })

  it("the hidden __complete command creates no database where there is none", async () => {
    const empty = fs.mkdtempSync(path.join(ws.dir, "empty-"))
    const result = await ws.cli(["__complete", "evaluate", "show", ""], { DATABASE_URL: `sqlite:///${path.join(empty, "none.db")}` })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("")
    expect(fs.existsSync(path.join(empty, "none.db"))).toBe(false)
  })
})
