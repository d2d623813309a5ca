/**
 * `ml-agents db copy`: a SQLite database with benchmarks, evaluations, results, cached responses
 * and an experiment goes to PostgreSQL and back to a new SQLite file with every row unchanged;
 * a second copy changes nothing; counts are verified; mistakes are clear errors.
 */
import { TestDatabase } from "@ml-agents/storage-postgres/testing"
import Database from "better-sqlite3"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, run, type Workspace, workspace } from "./support.js"

const serverAvailable = await TestDatabase.available("db copy tests")

/** Tables and their primary keys, as the schema has them. */
const tables: ReadonlyArray<readonly [string, string]> = [
  ["benchmarks", "id"],
  ["questions", "benchmark_id, id"],
  ["evaluations", "id"],
  ["evaluation_question_results", "evaluation_id, question_id"],
  ["response_cache", "key"],
  ["experiments", "id"],
  ["experiment_cells", "experiment_id, position"],
  ["experiment_samples", "experiment_id, benchmark_id, position"],
  ["work_items", "evaluation_id, question_id"]
]

/** Every row of every table of a SQLite file, in key order. */
const dump = (file: string) => {
  const db = new Database(file, { readonly: true })
  try {
    return Object.fromEntries(tables.map(([table, key]) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all()]))
  } finally {
    db.close()
  }
}

describe.skipIf(!serverAvailable)("db copy", () => {
  let ws: Workspace
  let database: TestDatabase.TestDatabase
  beforeAll(async () => {
    ws = await workspace()
    database = await TestDatabase.create("mla_dbcopy")
  })
  afterAll(async () => {
    await ws.close()
    await database.drop()
  })

  it("SQLite → PostgreSQL → SQLite round-trips every row unchanged, idempotently, with counts verified", async () => {
    const source = path.join(ws.dir, "source.db")
    const back = path.join(ws.dir, "back.db")
    const env = { DATABASE_URL: `sqlite:///${source}` }
    expect((await ws.cli(["benchmark", "import", "SAMPLE_MC"], env)).code).toBe(0)
    expect((await ws.cli(["benchmark", "import", "SAMPLE_MATH"], env)).code).toBe(0)
    const a = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"], env)).stdout)
    const b = createdId((await ws.cli(["evaluate", "create", "--agent", "cot", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH"], env)).stdout)
    ws.sim.configure({ faults: [{ fault: { type: "malformed" }, times: 2 }] })
    expect((await ws.cli(["evaluate", "run", a, "--concurrency", "4", "--cache"], env)).code).toBe(0)
    ws.sim.configure({ faults: [] })
    expect((await ws.cli(["evaluate", "run", b, "--concurrency", "4"], env)).code).toBe(0)
    // One result with an agent's sample grades (JSON, escapes and all), as an agent that samples leaves it.
    run(source, `UPDATE evaluation_question_results SET sample_grades = ? WHERE evaluation_id = ? AND ordinal = 0`,
      JSON.stringify([{ outcome: "correct", rawOutput: "Answer: B" }, { outcome: "incorrect", rawOutput: "So \"C\"\nAnswer: C ü" }]), a)
    // An experiment with one cell, written as the experiments repository writes it.
    run(source, `INSERT INTO experiments (id, name, grid, baseline, budget_usd, created_at) VALUES ('exp_copy0001', 'copy', '{"agents":[{"label":"none","agentType":"none","agentParameters":{},"modelParameters":{}}],"models":["openai/gpt-4o-mini"],"benchmarks":["SAMPLE_MC"],"repeats":1,"sample":{"size":5,"seed":1}}', 'none', 1.5, '2025-01-01T00:00:00.000Z')`)
    run(source, `INSERT INTO experiment_cells VALUES ('exp_copy0001', 0, ?, 'none', 'openai/gpt-4o-mini', 'SAMPLE_MC', 1)`, a)
    run(source, `INSERT INTO experiment_samples SELECT 'exp_copy0001', benchmark_id, 'SAMPLE_MC', ordinal, id FROM questions WHERE ordinal < 5 AND benchmark_id = (SELECT benchmark_id FROM evaluations WHERE id = ?)`, a)
    // A queued evaluation, one of its questions claimed by a worker.
    const c = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MC"], env)).stdout)
    run(source, `INSERT INTO work_items (evaluation_id, question_id, ordinal, enqueued_at) SELECT ?, id, ordinal, '2025-01-01T00:00:00.000Z' FROM questions WHERE benchmark_id = (SELECT benchmark_id FROM evaluations WHERE id = ?)`, c, c)
    run(source, `UPDATE work_items SET claimed_by = 'host:1:ab', lease_expires_at = '2025-01-01T00:00:30.000Z', attempts = 1 WHERE ordinal = 0`)
    const original = dump(source)
    for (const [table] of tables) expect(original[table]!.length, table).toBeGreaterThan(0)
    expect(original.evaluation_question_results!.filter((r: any) => r.sample_grades !== null)).toHaveLength(1)

    const there = await ws.cli(["db", "copy", `sqlite:///${source}`, database.url])
    expect(there.code, there.stderr).toBe(0)
    expect(there.stdout).toContain("every table's count verified")
    expect(there.stdout).toMatch(new RegExp(`✓ evaluation_question_results\\s+${original.evaluation_question_results!.length} in the source,\\s+${original.evaluation_question_results!.length} in the target`))

    // The copy is a working database: the CLI reads it as it read the source.
    const shownHere = await ws.cli(["evaluate", "show", a, "--limit", "0"], env)
    const shownThere = await ws.cli(["evaluate", "show", a, "--limit", "0"], { DATABASE_URL: database.url })
    expect(shownThere.code, shownThere.stderr).toBe(0)
    expect(shownThere.stdout).toBe(shownHere.stdout)

    // Again: nothing changes.
    const before = await TestDatabase.query(database.url, "SELECT * FROM evaluation_question_results ORDER BY evaluation_id, question_id")
    const again = await ws.cli(["db", "copy", source, database.url])
    expect(again.code, again.stderr).toBe(0)
    expect(await TestDatabase.query(database.url, "SELECT * FROM evaluation_question_results ORDER BY evaluation_id, question_id")).toEqual(before)
    expect(again.stdout).toContain("every table's count verified")
    expect(again.stdout).not.toContain("more were there before")

    const home = await ws.cli(["db", "copy", database.url, `sqlite:///${back}`])
    expect(home.code, home.stderr).toBe(0)
    const returned = dump(back)
    for (const [table] of tables) expect(returned[table], table).toEqual(original[table])
  })

  it("the same database twice, or a server that is not there, is a clear error", async () => {
    const same = await ws.cli(["db", "copy", "sqlite:///x.db", "sqlite:///x.db"])
    expect(same.code).toBe(2)
    expect(same.stderr).toContain("the same database")
    const port = await TestDatabase.closedPort()
    const down = await ws.cli(["db", "copy", `sqlite:///${path.join(ws.dir, "source.db")}`, `postgresql://u:hunter2@127.0.0.1:${port}/x`])
    expect(down.code).toBe(2)
    expect(down.stderr).toContain("connection was refused")
    expect(down.stdout + down.stderr).not.toContain("hunter2")
  })
})
