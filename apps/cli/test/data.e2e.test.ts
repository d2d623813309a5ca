/**
 * Where the data is: the per-user default database (the same from any working directory, no
 * stray ml_agents.db), which database and configuration files are in use (health, an empty list,
 * --verbose), a DATABASE_URL under a missing directory refused, a read-only database readable,
 * and `.env.production` read over `.env` for ML_AGENTS_ENV=production / --env production.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cliBin, createdId, type CliResult, type Workspace, workspace } from "./support.js"

describe("where the data is", () => {
  let ws: Workspace
  let env: Record<string, string>
  beforeAll(async () => {
    ws = await workspace()
    const { DATABASE_URL: _unset, ...rest } = ws.env
    env = { ...rest, XDG_DATA_HOME: path.join(ws.dir, "data") }
  })
  afterAll(async () => {
    await ws.close()
  })

  const run = (args: ReadonlyArray<string>, options: { cwd?: string; env?: Record<string, string>; uid?: number } = {}) =>
    new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [cliBin, ...args], {
        cwd: options.cwd ?? ws.dir,
        env: options.env ?? env,
        stdio: ["ignore", "pipe", "pipe"],
        ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {})
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (c) => (stdout += c))
      child.stderr.on("data", (c) => (stderr += c))
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    })

  it("without DATABASE_URL, one per-user database whatever the working directory, and it says which", async () => {
    const a = fs.mkdtempSync(path.join(ws.dir, "a-"))
    const b = fs.mkdtempSync(path.join(ws.dir, "b-"))
    const file = path.join(ws.dir, "data", "ml-agents", "ml_agents.db")
    const empty = await run(["evaluate", "list"], { cwd: a })
    expect(empty.code, empty.stderr).toBe(0)
    expect(empty.stdout).toContain(`No evaluations yet in ${file} (the per-user default`)
    expect((await run(["benchmark", "import", "SAMPLE_MC"], { cwd: a })).code).toBe(0)
    const list = await run(["benchmark", "list", "--quiet"], { cwd: b })
    expect(list.stdout).toBe("SAMPLE_MC\n")
    expect(fs.existsSync(path.join(a, "ml_agents.db"))).toBe(false)
    expect(fs.existsSync(path.join(b, "ml_agents.db"))).toBe(false)
    const health = await run(["health"], { cwd: b })
    expect(health.stdout).toMatch(new RegExp(`database +${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(the per-user default`))
    const verbose = await run(["benchmark", "list", "--verbose"], { cwd: b })
    expect(verbose.stderr).toContain(`database: ${file}`)
    expect(verbose.stderr).toContain("configuration: no configuration file")
  })

  it("a DATABASE_URL whose directory does not exist is an error, and nothing is created", async () => {
    const missing = path.join(ws.dir, "nowhere", "deeper")
    const result = await run(["evaluate", "list"], { env: { ...env, DATABASE_URL: `sqlite:///${missing}/x.db` } })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`DATABASE_URL: the directory ${missing} does not exist`)
    expect(result.stderr).toContain("set in the environment")
    expect(fs.existsSync(path.join(ws.dir, "nowhere"))).toBe(false)
  })

  it("a read-only database can be listed, shown and exported; writing to it fails clearly", async () => {
    const dir = fs.mkdtempSync(path.join(ws.dir, "ro-"))
    const file = path.join(dir, "lab.db")
    const own = { ...env, DATABASE_URL: `sqlite:///${file}` }
    await run(["benchmark", "import", "SAMPLE_MC"], { env: own })
    const id = createdId((await run(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"], { env: own })).stdout)
    expect((await run(["evaluate", "run", id], { env: own })).code).toBe(0)
    // Read-only for the CLI: as root (whom permissions do not stop) it runs as nobody instead. The
    // directory stays writable, as for a user who made their own file read-only: SQLite keeps a
    // WAL database's shared-memory file beside it even to read it.
    const asRoot = process.getuid?.() === 0
    fs.chmodSync(dir, asRoot ? 0o777 : 0o755)
    fs.chmodSync(file, 0o444)
    fs.chmodSync(ws.dir, 0o755)
    const options = { env: { ...own, HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache") }, ...(asRoot ? { uid: 65534 } : {}) }
    const before = fs.readFileSync(file)
    for (const args of [["evaluate", "list"], ["benchmark", "list"], ["evaluate", "show", id], ["evaluate", "export", id, "--format", "jsonl"]]) {
      const result = await run(args, options)
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
    }
    expect((await run(["evaluate", "list", "--quiet"], options)).stdout).toBe(`${id}\n`)
    const write = await run(["benchmark", "import", "SAMPLE_MATH"], options)
    expect(write.code).not.toBe(0)
    expect(write.stderr).toMatch(/^✗ .*readonly database/)
    expect(write.stderr).toContain("→ the database is read-only for you")
    expect(fs.readFileSync(file).equals(before)).toBe(true)
  })

  it("ML_AGENTS_ENV=production (or --env production) reads .env.production over .env; health says which files", async () => {
    const dir = fs.mkdtempSync(path.join(ws.dir, "envs-"))
    fs.writeFileSync(path.join(dir, ".env"), `DATABASE_URL=sqlite:///dev.db\n`)
    fs.writeFileSync(path.join(dir, ".env.production"), `# the lab's\nDATABASE_URL=sqlite:///prod.db\n`)
    const plain = await run(["health"], { cwd: dir })
    expect(plain.stdout).toContain(`read ${path.join(dir, ".env")}`)
    expect(plain.stdout).toContain(`${path.join(dir, "dev.db")} (DATABASE_URL, set in ${path.join(dir, ".env")}:1)`)
    const ways: ReadonlyArray<{ args: Array<string>; extra: Record<string, string> }> = [
      { args: ["--env", "production"], extra: {} },
      { args: [], extra: { ML_AGENTS_ENV: "production" } }
    ]
    for (const how of ways) {
      const production = await run(["health", ...how.args], { cwd: dir, env: { ...env, ...how.extra } })
      expect(production.stdout).toContain(`read ${path.join(dir, ".env")}, ${path.join(dir, ".env.production")}; environment 'production'`)
      expect(production.stdout).toContain(`${path.join(dir, "prod.db")} (DATABASE_URL, set in ${path.join(dir, ".env.production")}:2)`)
    }
    // A real variable wins over both files.
    const real = await run(["health", "--env", "production"], { cwd: dir, env: { ...env, DATABASE_URL: "sqlite:///real.db" } })
    expect(real.stdout).toContain(`${path.join(dir, "real.db")} (DATABASE_URL, set in the environment)`)
  })
})
