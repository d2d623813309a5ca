/**
 * Help and usage errors of the built CLI: every option described (no "A user-defined piece of
 * text."), the full command in the usage line, repeated options not shown as required, no
 * padding to 200 columns, the global options once and @effect/cli's built-ins not repeated, no
 * ANSI escapes off a terminal or with NO_COLOR; every usage error in one form (✗ the flag and
 * the value, what is allowed, → the fix) with exit code 2; `--wizard` without a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Workspace, workspace } from "./support.js"

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/

describe("help", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace()
    await ws.cli(["benchmark", "import", "SAMPLE_MC"])
  })
  afterAll(async () => {
    await ws.close()
  })

  const pages = [
    [], ["benchmark"], ["benchmark", "import"], ["benchmark", "list"], ["benchmark", "show"], ["evaluate"], ["evaluate", "create"],
    ["evaluate", "run"], ["evaluate", "list"], ["evaluate", "show"], ["evaluate", "rescore"], ["evaluate", "export"],
    ["evaluate", "compare"], ["report"], ["agents", "list"], ["health"]
  ]

  it("every page: options described, full usage line, no padding, no built-ins repeated, no ANSI when piped", async () => {
    for (const words of pages) {
      // Piped (the test's stdout is a pipe) and with colours not forbidden: still no escapes.
      const { code, stdout } = await ws.cli([...words, "--help"], { NO_COLOR: "" })
      const page = words.join(" ") || "(root)"
      expect(code, page).toBe(0)
      expect(stdout, page).not.toMatch(ANSI)
      expect(stdout, page).not.toContain("A user-defined piece of text")
      expect(stdout, page).not.toContain("This setting is optional")
      expect(stdout, page).not.toMatch(/^\$ /m)
      expect(stdout, page).not.toContain("--log-level")
      for (const line of stdout.split("\n")) expect(line.length, `${page}: ${line}`).toBeLessThanOrEqual(100)
      expect(stdout, page).toContain(`ml-agents ${words.join(" ")}`.trim())
      // The global options once on the page.
      const withoutExamples = stdout.replace(/\s+/g, " ").replace(/e\.g\. (?:ml-agents |source <\(ml-agents )?\S+ \S+/g, "")
      for (const global of ["--config", "--env", "--verbose", "--quiet", "--completions", "--wizard", "--version"]) {
        expect(withoutExamples.split(global).length - 1, `${page} ${global}`).toBe(1)
      }
      // Every option of the command has a description.
      expect(stdout, page).not.toMatch(/^ {2}--[a-z-]+(?: \S+)? +—/m)
    }
  })

  it("evaluate create: the usage line, --param optional and repeatable, defaults and choices shown", async () => {
    const stdout = (await ws.cli(["evaluate", "create", "--help"])).stdout.replace(/\s+/g, " ")
    expect(stdout).toMatch(/Usage: ml-agents evaluate create --agent <agent> --model <model> --benchmark/)
    expect(stdout).toContain("[--param key=value ...]")
    expect(stdout).toMatch(/--param key=value an agent parameter[^[]*\(repeatable\)/)
    expect(stdout).toContain("multiple_choice, number, label, math, text, code, or a plugin's (ml-agents graders list)")
    expect(stdout).toContain("e.g. --temp 0.7")
    const list = await ws.cli(["evaluate", "list", "--help"])
    expect(list.stdout.replace(/\s+/g, " ")).toContain("(default: 20)")
    const root = await ws.cli(["--help"])
    expect(root.stdout).toMatch(/^ {2}--config <file> +read configuration/m)
    expect(root.stdout).toMatch(/^ {2}-q, --quiet +print only what a script needs/m)
  })

  it("--version and -v print the version, anywhere", async () => {
    const version = (await ws.cli(["--version"])).stdout.trim()
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    expect((await ws.cli(["evaluate", "list", "-v"])).stdout.trim()).toBe(version)
  })

  it("--wizard without a terminal exits 2 at once with a clear error", async () => {
    const result = await ws.cli(["--wizard"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^✗ --wizard .*terminal/)
    expect(result.stderr).toContain("→")
  })
})

describe("usage errors", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace()
    await ws.cli(["benchmark", "import", "SAMPLE_MC"])
  })
  afterAll(async () => {
    await ws.close()
  })

  const create = ["evaluate", "create", "--agent", "tot", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"]
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, ReadonlyArray<string | RegExp>]> = [
    [[...create, "--temp", "hot"], ["--temp 'hot' is not a number", "→ e.g. --temp 0.7"]],
    [[...create, "--temp", "5"], ["--temp 5 is out of range", "between 0 and 2", "→ e.g. --temp"]],
    [[...create, "--param", "tree_depth=deep"], ["--param tree_depth=deep", "agent 'tot'", "→ e.g. --param tree_depth=3"]],
    [[...create, "--param", "tree_dept=2"], ["no parameter 'tree_dept'", "did you mean --param tree_depth"]],
    [["evaluate", "list", "--status", "done"], ["--status 'done'", "pending, running, completed, failed, interrupted", "→"]],
    [["evaluate", "frobnicate"], ["ml-agents evaluate has no command 'frobnicate'", "create, run, list", "→ see: ml-agents evaluate --help"]],
    [["evaluate", "r"], ["has no command 'r'", "did you mean: ml-agents evaluate run"]],
    [["--foo", "health"], ["unknown option --foo for ml-agents", "→"]],
    [["health", "--foo"], ["unknown option --foo for ml-agents health", "→"]],
    [["evaluate", "run"], ["needs <evaluation_id>", "→ list evaluation ids with: ml-agents evaluate list"]],
    [["evaluate", "create", "--agent", "none"], ["needs --model", "→ e.g. --model openai/gpt-4o-mini"]],
    [["evaluate", "export", "x", "--format", "xml"], ["--format 'xml'", "csv, json, jsonl"]],
    [["evaluate", "run", "x", "--concurrency", "0"], ["--concurrency 0 is out of range", "1 to 1024"]],
    [["experiment", "run", "x", "--concurrency", "0"], ["--concurrency 0 is out of range", "1 to 1024"]],
    [["worker", "--concurrency", "2000"], ["--concurrency 2000 is out of range", "1 to 1024"]],
    [["--completions", "tcsh"], ["--completions 'tcsh'", "bash, zsh, fish"]]
  ]

  it.each(cases)("%s: ✗ the flag and the value, what is allowed, → the fix, exit 2", async (args, expected) => {
    const result = await ws.cli(args as Array<string>)
    expect(result.code, result.stderr).toBe(2)
    const lines = result.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("⚠"))
    // One line of problem, one of fix: no schema tree, no help page.
    expect(lines, result.stderr).toHaveLength(2)
    expect(lines[0]).toMatch(/^✗ /)
    expect(lines[1]).toMatch(/^ {2}→ /)
    for (const part of expected) expect(result.stderr).toMatch(part)
    expect(result.stdout).toBe("")
  })
})
