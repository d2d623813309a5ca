/**
 * Output into pipes: the built CLI's standard output into a slow reader, into one that closes
 * early (`| head`), and a 50 MB export, through real shell pipelines. Every byte must arrive, in
 * order (back-pressure, not loss), and a closed pipe must end the command quietly.
 */
import Database from "better-sqlite3"
import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cliBin, createdId, storage, type Workspace, workspace } from "./support.js"

interface Piped {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `ml-agents <args> | <reader>` in sh; the result is the reader's output, the CLI's stderr and its status. */
const pipeline = (ws: Workspace, args: ReadonlyArray<string>, reader: string) =>
  new Promise<Piped>((resolve) => {
    const quoted = args.map((a) => `'${a}'`).join(" ")
    // The CLI's own status (not the reader's), as `set -o pipefail` would see it.
    const script = `"${process.execPath}" "${cliBin}" ${quoted} 2>cli.err | ${reader}; s=("\${PIPESTATUS[@]}"); cat cli.err >&2; echo "status=\${s[0]}" >&2`
    const child = spawn("bash", ["-c", script], { cwd: ws.dir, env: ws.env, stdio: ["ignore", "pipe", "pipe"] })
    const out: Array<Buffer> = []
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => out.push(c))
    child.stderr.on("data", (c) => (stderr += c))
    child.on("close", () => {
      const status = /status=(\d+)/.exec(stderr)?.[1]
      resolve({ code: status === undefined ? null : Number(status), stdout: Buffer.concat(out).toString("utf8"), stderr: stderr.replace(/status=\d+\n?/, "") })
    })
  })

// The large export is written into the SQLite file directly; the output path under test is the
// same whatever the storage, so on PostgreSQL (test:postgres) this file is skipped.
describe.skipIf(storage === "postgres")("output into pipes", () => {
  let ws: Workspace
  let id: string
  let big: string
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1 })
    await ws.cli(["benchmark", "import", "SAMPLE_MC"])
    id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])).stdout)
    expect((await ws.cli(["evaluate", "run", id, "--concurrency", "4"])).code).toBe(0)
    // A second evaluation whose export is about 50 MB: 500 rows of 100 kB questions, copied in SQL
    // from the real rows (a run of that size is the bench script's business, not a test's).
    big = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])).stdout)
    const db = new Database(ws.dbFile)
    try {
      const columns = (db.prepare("select name from pragma_table_info('evaluation_question_results')").all() as Array<{ name: string }>).map((c) => c.name)
      const copy = db.prepare(
        `insert into evaluation_question_results (${columns.join(", ")}) select ${
          columns.map((c) =>
            c === "evaluation_id" ? "@big" : c === "question_id" ? "question_id || '-' || @n" : c === "ordinal" ? "ordinal + @n * 100" : c === "question_text" ? "@text || @n" : c
          ).join(", ")
        } from evaluation_question_results where evaluation_id = @id`
      )
      const text = "x".repeat(100_000)
      db.transaction(() => {
        for (let n = 0; n < 25; n++) copy.run({ big, id, n, text })
      })()
    } finally {
      db.close()
    }
  }, 120_000)
  afterAll(async () => {
    await ws.close()
  })

  it("a slow reader gets every line of a JSON Lines export, and the CLI exits 0", async () => {
    const direct = await ws.cli(["evaluate", "export", big, "--format", "jsonl"])
    expect(direct.code).toBe(0)
    const slow = await pipeline(ws, ["evaluate", "export", big, "--format", "jsonl"], "(sleep 1; cat)")
    expect(slow.stderr).toBe("")
    expect(slow.code).toBe(0)
    expect(slow.stdout.length).toBe(direct.stdout.length)
    const lines = slow.stdout.trimEnd().split("\n")
    expect(lines).toHaveLength(500)
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
  }, 120_000)

  it("a 50 MB export through gzip arrives whole", async () => {
    const piped = await pipeline(ws, ["evaluate", "export", big, "--format", "json"], "gzip -c | gzip -dc | wc -c")
    expect(piped.stderr).toBe("")
    expect(piped.code).toBe(0)
    expect(Number(piped.stdout.trim())).toBeGreaterThan(50_000_000)
    const json = await pipeline(ws, ["evaluate", "export", big, "--format", "json"], `python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'`)
    expect(json.stderr).toBe("")
    expect(json.stdout.trim()).toBe("500")
  }, 120_000)

  it("a reader that closes early (| head) stops the CLI quietly with the shell's status for a closed pipe", async () => {
    for (const args of [["evaluate", "export", big, "--format", "jsonl"], ["evaluate", "show", id, "--limit", "20"], ["evaluate", "list", "--json"]]) {
      const piped = await pipeline(ws, args, "head -c 10 >/dev/null")
      // No stack trace, no EPIPE message: the status says what happened (128 + SIGPIPE).
      expect(piped.stderr, args.join(" ")).toBe("")
      expect([0, 141], args.join(" ")).toContain(piped.code)
    }
    const head = await pipeline(ws, ["evaluate", "export", big, "--format", "jsonl"], "head -1 | wc -l")
    expect(head.stderr).toBe("")
    expect(head.code).toBe(141)
    expect(head.stdout.trim()).toBe("1")
  }, 120_000)
})
