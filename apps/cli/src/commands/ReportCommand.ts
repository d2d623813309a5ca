/**
 * `ml-agents report <id> [<id> ...] [-o report.html] [--json] [--seed N] [--by column] [--title T]`:
 * one self-contained HTML file with the summary tables, accuracy with Wilson intervals, cost
 * against accuracy, accuracy by category and the paired comparison with the first evaluation,
 * for a paper's appendix. The figures come from the same computations as `evaluate show` and
 * `evaluate compare`; results are read a page at a time, in the one pass the comparison makes.
 *
 * Output: without `-o` the page goes to `./report.html`. `--json` prints the report's data model
 * to stdout instead, and writes the page as well only when `-o` is given (its ✓ line then goes
 * to stderr, so stdout stays one JSON document).
 */
import { Args, Command, Options } from "@effect/cli"
import {
  BenchmarkRepository,
  type Evaluation,
  EvaluationOrchestrator,
  Graders,
  ResultRepository
} from "@ml-agents/core"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ExitCode, UserError } from "../Errors.js"
import * as Output from "../Output.js"
import * as Html from "../report/Html.js"
import * as Report from "../report/Report.js"
import * as Ui from "../Ui.js"
import { VERSION } from "../Version.js"
import * as CompareCommand from "./CompareCommand.js"

/** Where the page goes without `-o`. */
export const DEFAULT_OUTPUT = "report.html"

/** The question metadata column the accuracy is broken down by, unless `--by` names another. */
const DEFAULT_COLUMN = "category"

/** A benchmark's metadata columns and question count. */
const benchmarkFacts = (benchmarkId: string) =>
  BenchmarkRepository.BenchmarkRepository.pipe(
    Effect.flatMap((repo) => repo.findById(benchmarkId)),
    Effect.map(Option.match({
      onNone: () => ({ columns: [] as ReadonlyArray<string>, questionCount: 0 }),
      onSome: (b) => ({ columns: (b.metadata.columns as ReadonlyArray<string> | undefined) ?? [], questionCount: b.questionCount })
    }))
  )

/** The column of each evaluation's benchmark that matches `wanted` (case-insensitively), if any. */
const matchColumn = (columns: ReadonlyArray<string>, wanted: string) =>
  columns.find((c) => c.toLowerCase() === wanted.toLowerCase())

/** Accuracy per value of the breakdown column, or null when no benchmark has that column. */
const breakdown = (
  evaluations: ReadonlyArray<{ readonly evaluation: Evaluation.Evaluation; readonly columns: ReadonlyArray<string> }>,
  by: Option.Option<string>
) =>
  Effect.gen(function*() {
    const wanted = Option.getOrElse(by, () => DEFAULT_COLUMN)
    const matched = evaluations.map(({ columns, evaluation }) => ({ evaluation, column: matchColumn(columns, wanted) }))
    const first = matched.find((m) => m.column !== undefined)
    if (first === undefined) {
      if (Option.isNone(by)) return null
      const all = [...new Set(evaluations.flatMap((e) => e.columns))]
      return yield* new UserError({
        code: ExitCode.notFound,
        text: `no benchmark of these evaluations has a column '${wanted}'`,
        hint: `their columns: ${all.join(", ") || "none"}`
      })
    }
    const results = yield* ResultRepository.ResultRepository
    const perEvaluation = yield* Effect.forEach(matched, ({ column, evaluation }) =>
      column === undefined
        ? Effect.succeed({ evaluationId: evaluation.id, groups: [] })
        : Effect.map(results.breakdown(evaluation.id, column), (groups) => ({ evaluationId: evaluation.id, groups })))
    return { column: first.column!, groups: Report.pivot(perEvaluation, CompareCommand.CONFIDENCE) }
  })

/** Builds the report's data model from the stored evaluations. */
export const gather = (
  evaluations: ReadonlyArray<Evaluation.Evaluation>,
  options: { readonly seed: number; readonly by: Option.Option<string>; readonly title: Option.Option<string>; readonly now: Date }
) =>
  Effect.gen(function*() {
    const results = yield* ResultRepository.ResultRepository
    const facts = Report.rowFacts()
    const compared = yield* CompareCommand.compare(evaluations, { seed: options.seed, skipUnpaired: true, observe: facts.observe })
    const withBenchmarks = yield* Effect.forEach(evaluations, (evaluation) =>
      Effect.map(benchmarkFacts(evaluation.benchmarkId), (b) => ({ evaluation, ...b })))
    const entries = yield* Effect.forEach(withBenchmarks, ({ evaluation, questionCount }, i) =>
      Effect.map(results.summarize(evaluation.id), (summary) =>
        Report.entry({
          index: i + 1,
          evaluation,
          results: summary,
          totalQuestions: questionCount,
          facts: facts.of(evaluation.id),
          confidence: CompareCommand.CONFIDENCE
        })))
    const benchmarks = [...new Set(evaluations.map((e) => e.benchmarkName))]
    const report: Report.Report = {
      title: Option.getOrElse(options.title, () => `Evaluation report: ${benchmarks.join(", ")}`),
      generatedAt: options.now.toISOString(),
      version: VERSION,
      graders: { current: Graders.VERSION, used: [...new Set(entries.flatMap((e) => e.graderVersions))].sort() },
      confidence: CompareCommand.CONFIDENCE,
      bootstrap: { iterations: CompareCommand.ITERATIONS, confidence: CompareCommand.CONFIDENCE, seed: options.seed },
      evaluations: entries,
      breakdown: yield* breakdown(withBenchmarks, options.by),
      comparison: evaluations.length < 2 ? null : {
        baseline: compared.baseline,
        pValueAdjustment: compared.adjusted ? "holm" : "none",
        verdictRule: CompareCommand.VERDICT_RULE,
        comparisons: compared.comparisons,
        unpaired: compared.unpaired
      }
    }
    return report
  })

/** "48.2 kB". */
const size = (bytes: number) =>
  bytes < 1000 ? `${bytes} B` : bytes < 1_000_000 ? `${(bytes / 1000).toFixed(1)} kB` : `${(bytes / 1_000_000).toFixed(1)} MB`

/** Writes the page whole or not at all (a temporary file renamed over the target). */
const writePage = (target: string, page: string) =>
  Effect.try({
    try: () => {
      const file = fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, DEFAULT_OUTPUT) : target
      const replaced = fs.existsSync(file)
      const temporary = `${file}.${process.pid}.tmp`
      try {
        fs.writeFileSync(temporary, page)
        fs.renameSync(temporary, file)
      } catch (error) {
        fs.rmSync(temporary, { force: true })
        throw error
      }
      return { file, replaced, bytes: Buffer.byteLength(page) }
    },
    catch: (e) =>
      new UserError({
        code: ExitCode.general,
        text: `cannot write the report to ${target}: ${(e as Error).message}`,
        hint: "give a writable path with -o, e.g. -o report.html"
      })
  })

/** The ids once each, in order, and the ones given more than once. */
const distinct = (ids: ReadonlyArray<string>) => {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const id of ids) (seen.has(id) ? repeated : seen).add(id)
  return { ids: [...seen], repeated: [...repeated] }
}

/** `ml-agents report`. */
export const command = Command.make(
  "report",
  {
    ids: Args.text({ name: "evaluation_id" }).pipe(
      Args.atLeast(1),
      Args.withDescription("one or more evaluation ids; the first is the baseline of the paired comparison")
    ),
    output: Options.text("output").pipe(
      Options.withAlias("o"),
      Options.optional,
      Options.withDescription(`HTML file to write (default ./${DEFAULT_OUTPUT}; a directory gets ${DEFAULT_OUTPUT} inside it)`)
    ),
    json: Options.boolean("json").pipe(
      Options.withDescription("print the report's figures as one JSON document instead (the HTML is written too only with -o)")
    ),
    seed: Options.integer("seed").pipe(
      Options.withDefault(CompareCommand.DEFAULT_SEED),
      Options.withDescription("seed of the bootstrap resampling, as in evaluate compare")
    ),
    by: Options.text("by").pipe(
      Options.optional,
      Options.withDescription(`break accuracy down by this question metadata column (default: ${DEFAULT_COLUMN}, when the benchmarks have one)`)
    ),
    title: Options.text("title").pipe(Options.optional, Options.withDescription("the report's title"))
  },
  ({ by, ids, json, output, seed, title }) =>
    Effect.gen(function*() {
      const given = distinct(ids)
      if (given.repeated.length > 0) yield* Ui.warn(`listed more than once, reported once: ${given.repeated.join(", ")}`)
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const evaluations = yield* Effect.forEach(given.ids, (id) => orchestrator.get(id))
      const report = yield* gather(evaluations, { seed, by, title, now: new Date() })
      if (json) yield* Output.json(report)
      if (json && Option.isNone(output)) return
      const target = path.resolve(Option.getOrElse(output, () => DEFAULT_OUTPUT))
      const written = yield* writePage(target, Html.render(report))
      const line = `Wrote the report on ${evaluations.length} evaluation${evaluations.length === 1 ? "" : "s"} to ` +
        `${written.file} (${size(written.bytes)}${written.replaced ? ", replacing the previous file" : ""})`
      yield* json ? Ui.successErr(line) : Ui.success(line)
    })
).pipe(Command.withDescription(
  "Write a self-contained HTML report of evaluations: summary tables, accuracy with 95% CIs, cost against accuracy, " +
    "accuracy by category and a paired comparison with the first"
))
