/**
 * The executable's V8 code cache (src/bin.ts), end to end on the built CLI: written after a
 * command works, used by the next run of that command with the same output, never trusted when
 * it is garbage, kept out of failed commands, off under NODE_DISABLE_COMPILE_CACHE, and
 * transparent to agent plugins, which are loaded with import() from cached code.
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest"
import { cliBin } from "./support.js"

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/agent-self-consistency")

describe("code cache", () => {
  let dir: string
  let cacheDir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ml-agents-codecache-"))
    cacheDir = path.join(dir, "cache", "ml-agents", "code-cache")
  })
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, [cliBin, ...args], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        XDG_CACHE_HOME: path.join(dir, "cache"),
        NO_COLOR: "1",
        NODE_DEBUG: "ml-agents-code-cache",
        DATABASE_URL: `sqlite:///${path.join(dir, "t.db")}`,
        ...env
      }
    })
    const said = (what: string) => result.stderr.split("\n").some((line) => line.includes(`: ${what}`))
    return { ...result, said }
  }
  const files = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : [])

  it("is written by the first run of a command and used by the next, with the same output", () => {
    const first = run(["--help"])
    expect(first.status, first.stderr).toBe(0)
    expect(first.said("no cache at")).toBe(true)
    expect(first.said("cache written")).toBe(true)
    expect(files()).toHaveLength(1)
    expect(files()[0]).toMatch(new RegExp(`^${process.version}-${process.platform}-${process.arch}-[0-9a-f]{8}-[0-9a-f]{16}-help\\.bin$`))

    const second = run(["--help"])
    expect(second.status, second.stderr).toBe(0)
    expect(second.said("cache used")).toBe(true)
    expect(second.said("cache written")).toBe(false)
    expect(second.stdout).toBe(first.stdout)

    // Another command has its own file; its help shares the help's.
    expect(run(["benchmark", "list", "--help"]).said("cache used")).toBe(true)
    expect(run(["benchmark", "list"]).status).toBe(0)
    expect(files()).toHaveLength(2)
    expect(files().some((f) => f.endsWith("-benchmark-list.bin"))).toBe(true)
  })

  it("rejects a garbage file, still runs, and replaces it", () => {
    expect(run(["--version"]).status).toBe(0)
    const [file] = files()
    const full = path.join(cacheDir, file!)
    const good = fs.statSync(full).size
    fs.writeFileSync(full, Buffer.alloc(good, 7))
    const after = run(["--version"])
    expect(after.status, after.stderr).toBe(0)
    expect(after.stdout).toContain("0.1.0")
    expect(after.said("cache rejected")).toBe(true)
    expect(after.said("cache written")).toBe(true)
    expect(fs.readFileSync(full).equals(Buffer.alloc(good, 7))).toBe(false)
    expect(run(["--version"]).said("cache used")).toBe(true)
  })

  it("replaces the files of other builds of the same Node when it writes, and keeps other Nodes'", () => {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 })
    const location = createHash("sha1").update(path.join(path.dirname(cliBin), "cli.cjs")).digest("hex").slice(0, 8)
    const runtime = `${process.version}-${process.platform}-${process.arch}-${location}-`
    fs.writeFileSync(path.join(cacheDir, `${runtime}0000000000000000-help.bin`), "old build")
    fs.writeFileSync(path.join(cacheDir, `v99.0.0-linux-x64-${location}-0000000000000000-help.bin`), "another Node")
    fs.writeFileSync(path.join(cacheDir, `${process.version}-${process.platform}-${process.arch}-ffffffff-0000000000000000-help.bin`), "another checkout")
    expect(run(["--help"]).status).toBe(0)
    expect(files()).toHaveLength(3)
    expect(files().some((f) => f.startsWith(`${runtime}0000`))).toBe(false)
    expect(files()).toContain(`v99.0.0-linux-x64-${location}-0000000000000000-help.bin`)
    expect(files()).toContain(`${process.version}-${process.platform}-${process.arch}-ffffffff-0000000000000000-help.bin`)
  })

  it("is kept per location: a copy of the same build elsewhere neither uses nor replaces this one's", () => {
    // Inside the package, so that the copy resolves its native dependency (better-sqlite3) too.
    const copy = fs.mkdtempSync(path.join(path.dirname(cliBin), "..", ".copy-"))
    onTestFinished(() => fs.rmSync(copy, { recursive: true, force: true }))
    fs.cpSync(path.dirname(cliBin), copy, { recursive: true })
    expect(run(["--help"]).status).toBe(0)
    const mine = files()
    expect(mine).toHaveLength(1)
    const other = spawnSync(process.execPath, [path.join(copy, "bin.js"), "--help"], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir, XDG_CACHE_HOME: path.join(dir, "cache"), NODE_DEBUG: "ml-agents-code-cache" }
    })
    expect(other.status, other.stderr).toBe(0)
    // Its own cache file, not this checkout's bytecode (which carries this checkout's file names).
    expect(other.stderr).toContain("no cache at")
    expect(files()).toHaveLength(2)
    expect(files()).toEqual(expect.arrayContaining(mine))
    expect(run(["--help"]).said("cache used")).toBe(true)
  })

  it("is not used from a directory or file that others can write to", () => {
    expect(run(["--help"]).status).toBe(0)
    expect(run(["--help"]).said("cache used")).toBe(true)
    fs.chmodSync(cacheDir, 0o777)
    const shared = run(["--help"])
    expect(shared.status).toBe(0)
    expect(shared.said("not used")).toBe(true)
    expect(shared.said("cache used")).toBe(false)
    fs.chmodSync(cacheDir, 0o700)
    fs.chmodSync(path.join(cacheDir, files()[0]!), 0o666)
    expect(run(["--help"]).said("not used")).toBe(true)
  })

  it("is not written for a command that failed, nor when NODE_DISABLE_COMPILE_CACHE is set", () => {
    const failed = run(["evaluate", "show", "eval_nothere"])
    expect(failed.status).not.toBe(0)
    expect(files()).toEqual([])
    const off = run(["--help"], { NODE_DISABLE_COMPILE_CACHE: "1" })
    expect(off.status).toBe(0)
    expect(off.said("cache written")).toBe(false)
    expect(files()).toEqual([])
  })

  it("loads agent plugins with import() from cached code", () => {
    fs.mkdirSync(path.join(dir, "node_modules"))
    fs.symlinkSync(example, path.join(dir, "node_modules", "ml-agents-agent-self-consistency"), "dir")
    const env = { ML_AGENTS_PLUGINS: "ml-agents-agent-self-consistency" }
    const first = run(["agents", "list"], env)
    expect(first.status, first.stderr).toBe(0)
    const second = run(["agents", "list"], env)
    expect(second.said("cache used")).toBe(true)
    expect(second.status, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/self-consistency\s+\(ml-agents-agent-self-consistency\)/)
  })
})
