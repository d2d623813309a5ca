/**
 * Grading through the CLI: the answer kind is detected (or set) at import and recorded; every
 * result stores its outcome, grader and version; `evaluate rescore` re-grades stored answers
 * without model calls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createdId, rows, run, type Workspace, workspace } from "./support.js"

describe("grading", () => {
  let ws: Workspace
  beforeAll(async () => {
    ws = await workspace({ accuracy: 1 })
  })
  afterAll(async () => {
    await ws.close()
  })

  it("detects the answer kind at import, or takes --answer-kind, and records it", async () => {
    const mc = await ws.cli(["benchmark", "import", "SAMPLE_MC"])
    expect(mc.stdout).toContain("graded as multiple_choice (detected")
    const math = await ws.cli(["benchmark", "import", "SAMPLE_MATH"])
    expect(math.stdout).toContain("graded as number")
    const logic = await ws.cli(["benchmark", "import", "SAMPLE_LOGIC", "--answer-kind", "text"])
    expect(logic.stdout).toContain("graded as text")
    expect(logic.stdout).not.toContain("detected")
    const stored = rows(ws.dbFile, "select name, json_extract(metadata, '$.answerKind') kind from benchmarks order by name")
    expect(stored).toEqual([
      { name: "SAMPLE_LOGIC", kind: "text" },
      { name: "SAMPLE_MATH", kind: "number" },
      { name: "SAMPLE_MC", kind: "multiple_choice" }
    ])
    const bad = await ws.cli(["benchmark", "import", "SAMPLE_QA", "--answer-kind", "essay"])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("unknown answer kind 'essay'")
    expect(bad.stderr).toContain("graders list")
  })

  it("graders list shows every built-in kind with its version, description and origin", async () => {
    const listed = await ws.cli(["graders", "list"])
    expect(listed.code, listed.stderr).toBe(0)
    for (const kind of ["multiple_choice", "number", "label", "math", "text"]) {
      expect(listed.stdout).toMatch(new RegExp(`^${kind}\\s+graders-2\\s+\\(built-in\\)`, "m"))
    }
    expect(listed.stdout).toContain("Unknown / cannot be determined = Uncertain")
  })

  it("stores outcome, grader and version per result; rescore re-grades without model calls", async () => {
    const id = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH"])).stdout)
    expect((await ws.cli(["evaluate", "run", id])).code).toBe(0)
    const graded = rows(ws.dbFile, "select outcome, grader, grader_version, is_correct from evaluation_question_results where evaluation_id = ?", id)
    expect(graded).toHaveLength(20)
    expect(graded.every((r) => r.outcome === "correct" && r.grader === "number" && r.grader_version === "graders-2" && r.is_correct === 1)).toBe(true)

    // Accuracy by the benchmark's category column, counted independently from the database.
    const shown = await ws.cli(["evaluate", "show", id, "--limit", "0"])
    const categories = rows(ws.dbFile, `select json_extract(q.metadata, '$.category') c, count(*) n from questions q
      join benchmarks b on b.id = q.benchmark_id where b.name = 'SAMPLE_MATH' group by c order by c`)
    expect(categories.length).toBeGreaterThan(1)
    for (const { c, n } of categories) expect(shown.stdout).toMatch(new RegExp(`^${c}\\s+${n}\\s+100\\.0%`, "m"))
    const none = await ws.cli(["evaluate", "show", id, "--by", "difficulty"])
    expect(none.code).toBe(3)
    expect(none.stderr).toContain("category")

    // The previous graders (graders-1) got three of them wrong, and accepted a hedge the policy now rejects.
    run(ws.dbFile, `update evaluation_question_results set is_correct = 0, outcome = 'incorrect', grader_version = 'graders-1'
      where evaluation_id = ? and question_id in (select question_id from evaluation_question_results where evaluation_id = ? order by question_id limit 3)`, id, id)
    const hedged = rows(ws.dbFile, `select question_id, expected_answer from evaluation_question_results where evaluation_id = ? order by question_id desc limit 1`, id)[0] as any
    run(ws.dbFile, `update evaluation_question_results set raw_output = ?, extracted_answer = ?, grader_version = 'graders-1'
      where evaluation_id = ? and question_id = ?`, `Answer: ${hedged.expected_answer} or 999`, `${hedged.expected_answer} or 999`, id, hedged.question_id)
    ws.sim.reset()
    const rescored = await ws.cli(["evaluate", "rescore", id])
    expect(rescored.code, rescored.stderr).toBe(0)
    expect(rescored.stdout).toContain("4 grades changed")
    expect(rescored.stdout).toContain("grader version graders-2")
    expect(rescored.stdout).toMatch(/before:\s+85\.0%/)
    expect(rescored.stdout).toMatch(/after:\s+95\.0%/)
    expect(ws.sim.stats().requests.chat).toBe(0)
    // Every row now carries the current version; the hedge is wrong under it.
    expect(rows(ws.dbFile, "select count(*) n from evaluation_question_results where evaluation_id = ? and grader_version = 'graders-2'", id)[0]!.n).toBe(20)
    expect(rows(ws.dbFile, "select outcome from evaluation_question_results where evaluation_id = ? and question_id = ?", id, hedged.question_id))
      .toEqual([{ outcome: "incorrect" }])
    // Back to all correct for the figures below.
    run(ws.dbFile, `update evaluation_question_results set raw_output = ?, extracted_answer = ? where evaluation_id = ? and question_id = ?`,
      `Answer: ${hedged.expected_answer}`, hedged.expected_answer, id, hedged.question_id)
    expect((await ws.cli(["evaluate", "rescore", id])).stdout).toContain("1 grade changed")
    // --json carries the same figures, for scripts.
    const doc = JSON.parse((await ws.cli(["evaluate", "show", id, "--json", "--limit", "5"])).stdout)
    expect(doc.results.correct).toBe(20)
    const spent = rows(ws.dbFile, "select sum(cost_usd) c from evaluation_question_results where evaluation_id = ?", id)[0]!.c as number
    expect(spent).toBeGreaterThan(0)
    expect(doc.costPerCorrectUsd).toBeCloseTo(spent / 20, 12)
    expect(shown.stdout).toContain(" per correct answer")
    expect(doc.evaluation.id).toBe(id)
    expect(doc.rows).toHaveLength(5)
    expect(doc.breakdown.column).toBe("category")
    expect(doc.breakdown.groups.reduce((n: number, g: any) => n + g.processed, 0)).toBe(20)
    const listed = JSON.parse((await ws.cli(["evaluate", "list", "--json"])).stdout)
    expect(listed.map((e: any) => e.evaluation.id)).toContain(id)
    // Every model call is kept with the provider that served it and its generation id.
    const calls = rows(ws.dbFile, "select question_id, call_number, provider, generation_id, prompt_tokens, cost_usd, attempts from model_calls where evaluation_id = ?", id)
    expect(calls).toHaveLength(20)
    expect(new Set(calls.map((c) => c.provider))).toEqual(new Set(["SimProvider"]))
    expect(new Set(calls.map((c) => c.generation_id)).size).toBe(20)
    expect(calls.every((c) => /^gen-/.test(String(c.generation_id)) && (c.prompt_tokens as number) > 0 && (c.cost_usd as number) > 0 && c.attempts === 1)).toBe(true)
    expect((await ws.cli(["evaluate", "show", id, "--limit", "0"])).stdout).toMatch(/served by:\s+SimProvider 20 calls/)
    const csv = (await ws.cli(["evaluate", "export", id, "--format", "csv"])).stdout.split("\r\n")
    const header = csv[0]!.split(",")
    const first = csv[1]!.split(",")
    expect(first[header.indexOf("providers")]).toBe("SimProvider")
    expect(calls.map((c) => c.generation_id)).toContain(first[header.indexOf("generation_ids")])
    expect(first[header.indexOf("grader_version")]).toBe("graders-2")
    // The SQL view for direct querying agrees.
    expect(rows(ws.dbFile, "select processed, correct, errors, accuracy, questions, agent_type from evaluation_summary where evaluation_id = ?", id))
      .toEqual([{ processed: 20, correct: 20, errors: 0, accuracy: 1, questions: 20, agent_type: "none" }])
  })

  it("an evaluation can be graded as another answer kind than its benchmark's, at create or by rescore", async () => {
    // SAMPLE_MATH's numbers graded as text (the unit tests show where the two disagree: "1.0" and "1").
    const created = await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH", "--answer-kind", "text"])
    expect(created.stdout).toMatch(/graded as:\s+text \(instead of the benchmark's\)/)
    const id = createdId(created.stdout)
    expect((await ws.cli(["evaluate", "run", id])).code).toBe(0)
    expect(rows(ws.dbFile, "select answer_kind from evaluations where id = ?", id)).toEqual([{ answer_kind: "text" }])
    const graders = (evaluationId: string) =>
      rows(ws.dbFile, "select grader, count(*) n from evaluation_question_results where evaluation_id = ? group by grader", evaluationId)
    expect(graders(id)).toEqual([{ grader: "text", n: 20 }])
    expect((await ws.cli(["evaluate", "show", id, "--limit", "0"])).stdout).toMatch(/graded as:\s+text \(set for this evaluation/)
    // Comparing it with one graded as the benchmark says warns that the grading differs.
    const plain = createdId((await ws.cli(["evaluate", "create", "--agent", "none", "--model", "openai/gpt-4o-mini", "--benchmark", "SAMPLE_MATH"])).stdout)
    expect((await ws.cli(["evaluate", "run", plain])).code).toBe(0)
    const compared = JSON.parse((await ws.cli(["evaluate", "compare", plain, id, "--json"])).stdout)
    expect(compared.comparisons[0].warnings.join("\n")).toMatch(/graded as text but the baseline .* as its benchmark's kind/)

    ws.sim.reset()
    const back = await ws.cli(["evaluate", "rescore", id, "--answer-kind", "benchmark"])
    expect(back.code, back.stderr).toBe(0)
    expect(back.stdout).toContain("as number")
    expect(ws.sim.stats().requests.chat).toBe(0)
    expect(graders(id)).toEqual([{ grader: "number", n: 20 }])
    expect(rows(ws.dbFile, "select answer_kind from evaluations where id = ?", id)).toEqual([{ answer_kind: null }])
    expect((await ws.cli(["evaluate", "show", id, "--limit", "0"])).stdout).toMatch(/graded as:\s+number \(the benchmark's\)/)
    expect((await ws.cli(["evaluate", "rescore", id, "--answer-kind", "essay"])).code).toBe(2)
  })
})
