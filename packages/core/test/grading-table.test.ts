/**
 * The hand-labelled table (grading-table.json, also read by `pnpm bench grading`): replies a
 * careful human graded under docs/GRADING.md. Every row must agree, and a false accept (graded
 * correct where the human was not satisfied) is counted apart: raising agreement by accepting
 * wrong answers is a regression.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { BuiltInKind } from "../src/AnswerKind.js"
import type { Outcome } from "../src/Grader.js"
import * as Grading from "../src/Grading.js"

interface Row {
  readonly kind: BuiltInKind
  readonly class: string
  readonly expected: string
  readonly question: string | null
  readonly reply: string
  readonly human: Outcome
}

const rows: ReadonlyArray<Row> = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "grading-table.json"), "utf8")
)
const graded = (row: Row) => Grading.grade(row.kind, row.expected, row.reply, row.question === null ? {} : { question: row.question })

describe("the hand-labelled grading table", () => {
  it("covers every built-in kind in both directions", () => {
    for (const kind of ["multiple_choice", "number", "label", "math", "text"] as const) {
      assert.isAtLeast(rows.filter((r) => r.kind === kind && r.human === "correct").length, 10, kind)
      assert.isAtLeast(rows.filter((r) => r.kind === kind && r.human !== "correct").length, 10, kind)
    }
  })

  it("has no false accept", () => {
    const accepted = rows.filter((r) => r.human !== "correct" && graded(r).outcome === "correct")
    assert.deepStrictEqual(accepted.map((r) => `${r.kind}/${r.class}: ${r.expected} vs ${JSON.stringify(r.reply)}`), [])
  })

  for (const row of rows) {
    it(`${row.kind}/${row.class}: ${JSON.stringify(row.expected)} vs ${JSON.stringify(row.reply)} → ${row.human}`, () => {
      assert.strictEqual(graded(row).outcome, row.human)
    })
  }
})
