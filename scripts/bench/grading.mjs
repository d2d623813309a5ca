#!/usr/bin/env node
// `pnpm bench grading`: the built-in graders against a table of model replies labelled by hand
// under docs/GRADING.md (packages/core/test/grading-table.json): agreement with the human
// outcome (correct / incorrect / no answer) and false accepts (graded correct where the human
// said otherwise), per kind and overall, then per class. `--show` lists every disagreement.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const core = path.join(root, "packages/core/dist/index.js")
if (!fs.existsSync(core)) {
  console.error("packages/core/dist is missing: run pnpm build first")
  process.exit(1)
}
const { Grading } = await import(core)
const rows = JSON.parse(fs.readFileSync(path.join(root, "packages/core/test/grading-table.json"), "utf8"))

const stats = new Map()
const bump = (key, row, grade) => {
  const s = stats.get(key) ?? { n: 0, agree: 0, falseAccepts: 0 }
  s.n++
  if (grade.outcome === row.human) s.agree++
  if (grade.outcome === "correct" && row.human !== "correct") s.falseAccepts++
  stats.set(key, s)
}
const disagreements = []
for (const row of rows) {
  const grade = Grading.grade(row.kind, row.expected, row.reply, row.question === null ? {} : { question: row.question })
  bump(row.kind, row, grade)
  bump(`${row.kind} / ${row.class}`, row, grade)
  bump("overall", row, grade)
  if (grade.outcome !== row.human) disagreements.push({ row, grade })
}

const pct = (a, n) => `${((100 * a) / n).toFixed(1)}%`
const table = (keys) => {
  const lines = [["", "rows", "agree", "agreement", "false accepts"]]
  for (const k of keys) {
    const s = stats.get(k)
    lines.push([k, s.n, s.agree, pct(s.agree, s.n), s.falseAccepts])
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((r) => String(r[i]).length)))
  return lines.map((r, ri) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ") +
    (ri === 0 ? "\n" + widths.map((w) => "-".repeat(w)).join("  ") : "")
  ).join("\n")
}
const kinds = [...new Set(rows.map((r) => r.kind))]
console.log(`grading: ${rows.length} hand-labelled replies, graders ${Grading.VERSION}\n`)
console.log(table([...kinds, "overall"]))
console.log("\nby class\n")
console.log(table([...stats.keys()].filter((k) => k.includes(" / ")).sort()))
if (process.argv.includes("--show")) {
  for (const { grade, row } of disagreements) {
    console.log(`\n${row.kind}/${row.class}: expected ${JSON.stringify(row.expected)} human ${row.human}, graded ${grade.outcome} (${JSON.stringify(grade.extracted)})\n  ${JSON.stringify(row.reply)}`)
  }
} else if (disagreements.length > 0) {
  console.log(`\n${disagreements.length} disagreement(s); list them with: node scripts/bench/grading.mjs --show`)
}
