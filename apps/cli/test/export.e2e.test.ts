/**
 * `evaluate export`: every question's row as RFC 4180 CSV, JSON or JSON Lines, to stdout or a
 * file, read back with the project's strict CSV parser.
 */
import { Csv } from "@ml-agents/core"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, rows, type Workspace, workspace } from "./support.js"

describe("evaluate export", () => {
  let ws: Workspace
  let id: string
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1 })
    await ws.cli(["benchmark", "import", "SAMPLE_MC"])
    id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"])).stdout)
    ws.sim.configure({ faults: [{ fault: { type: "malformed" }, match: "SI unit of electrical resistance" }] })
    expect((await ws.cli(["evaluate", "run", id])).code).toBe(0)
  })
  afterAll(async () => {
    await ws.close()
  })

  it("CSV: a header and one record per question, multi-line questions and quotes intact", async () => {
    const result = await ws.cli(["evaluate", "export", id, "--format", "csv"])
    expect(result.code, result.stderr).toBe(0)
    const parsed = Csv.parse(result.stdout)
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
    const header = parsed.right.header.fields
    expect(header.slice(0, 6)).toEqual(["evaluation_id", "question_id", "question", "expected_answer", "extracted_answer", "is_correct"])
    expect(parsed.right.rows).toHaveLength(20)
    const byId = new Map(parsed.right.rows.map((r) => [r.fields[1], Object.fromEntries(header.map((h, i) => [h, r.fields[i]]))]))
    const stored = rows(ws.dbFile, "select question_id, question_text, error_category from evaluation_question_results where evaluation_id = ?", id)
    for (const row of stored) expect(byId.get(row.question_id)!.question).toBe(row.question_text)
    const failed = stored.find((r) => r.error_category !== null)!
    expect(byId.get(failed.question_id)!.error_category).toBe("parsing_error")
    expect(byId.get(failed.question_id)!.is_correct).toBe("false")
    expect([...byId.values()].filter((r) => r.is_correct === "true")).toHaveLength(19)
  })

  it("JSON and JSON Lines carry the trace too; -o writes a file", async () => {
    const json = JSON.parse((await ws.cli(["evaluate", "export", id, "--format", "json"])).stdout)
    expect(json).toHaveLength(20)
    expect(json[0].reasoning_trace.kind).toBe("none")
    const lines = (await ws.cli(["evaluate", "export", id, "--format", "jsonl"])).stdout.trim().split("\n")
    expect(lines.map((l) => JSON.parse(l).question_id)).toEqual(json.map((r: any) => r.question_id))
    const file = path.join(ws.dir, "out.csv")
    const written = await ws.cli(["evaluate", "export", id, "-o", file])
    expect(written.code).toBe(0)
    expect(written.stdout).toContain("Exported 20 rows")
    expect(fs.readFileSync(file, "utf8").split("\r\n").filter((l) => l.startsWith(id))).toHaveLength(20)
    expect((await ws.cli(["evaluate", "export", "eval_nothere1"])).code).toBe(3)
  })
})
