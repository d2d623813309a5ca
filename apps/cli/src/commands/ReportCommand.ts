/**
 * `ml-agents report <id> [<id> ...] [-o report.html] [--json] [--seed N] [--by column] [--title T]`, or
 * `ml-agents report <experiment-id>` for an experiment (see report/ExperimentHtml.ts):
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
import { Comparison, type Evaluation, EvaluationOrchestrator, Report } from "@ml-agents/core"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ExitCode, UserError } from "../Errors.js"
import * as Output from "../Output.js"
import * as ExperimentHtml from "../report/ExperimentHtml.js"
import * as Html from "../report/Html.js"
import * as Ui from "../Ui.js"
import { VERSION } from "../Version.js"
import * as ExperimentCommands from "./ExperimentCommands.js"

/** Where the page goes without `-o`. */
export const DEFAULT_OUTPUT = "report.html"

/** The report's figures (core's `Report.gather`), a missing breakdown column said in the CLI's words. */
export const gather = (
  evaluations: ReadonlyArray<Evaluation.Evaluation>,
  options: { readonly seed: number; readonly by: Option.Option<string>; readonly title: Option.Option<string> }
) =>
  Report.gather(evaluations, {
    seed: options.seed,
    by: Option.getOrUndefined(options.by),
    title: Option.getOrUndefined(options.title),
    now: new Date(),
    version: VERSION
  }).pipe(
    Effect.catchTag("ColumnNotFound", (e) =>
      new UserError({ code: ExitCode.notFound, text: e.message, hint: `their columns: ${e.available.join(", ") || "none"}` }))
  )

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
      Args.withDescription("one or more evaluation ids, the first being the baseline of the paired comparison; or one experiment id (exp_…) for the experiment's report")
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
      Options.withDefault(Comparison.DEFAULT_SEED),
      Options.withDescription("seed of the bootstrap resampling, as in evaluate compare")
    ),
    by: Options.text("by").pipe(
      Options.optional,
      Options.withDescription(`break accuracy down by this question metadata column (default: ${Report.DEFAULT_COLUMN}, when the benchmarks have one)`)
    ),
    title: Options.text("title").pipe(Options.optional, Options.withDescription("the report's title"))
  },
  ({ by, ids, json, output, seed, title }) =>
    Effect.gen(function*() {
      if (ids.length === 1 && ids[0]!.startsWith("exp_")) {
        // An experiment's report: its answer drawn (see report/ExperimentHtml.ts).
        const analysis = yield* ExperimentCommands.analysis(ids[0]!, seed)
        if (json) yield* Output.json(analysis)
        if (json && Option.isNone(output)) return
        const target = path.resolve(Option.getOrElse(output, () => DEFAULT_OUTPUT))
        const page = ExperimentHtml.render(analysis, { version: VERSION, generatedAt: new Date().toISOString(), title: Option.getOrUndefined(title) })
        const written = yield* writePage(target, page)
        const line = `Wrote the report on experiment ${analysis.experiment.id} (${analysis.cells.length} cells) to ` +
          `${written.file} (${size(written.bytes)}${written.replaced ? ", replacing the previous file" : ""})`
        yield* json ? Ui.successErr(line) : Ui.success(line)
        return
      }
      const given = distinct(ids)
      if (given.repeated.length > 0) yield* Ui.warn(`listed more than once, reported once: ${given.repeated.join(", ")}`)
      const orchestrator = yield* EvaluationOrchestrator.EvaluationOrchestrator
      const evaluations = yield* Effect.forEach(given.ids, (id) => orchestrator.get(id))
      const report = yield* gather(evaluations, { seed, by, title })
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
