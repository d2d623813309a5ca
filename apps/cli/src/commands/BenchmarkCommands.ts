/**
 * `ml-agents benchmark import | list | show`.
 */
import { Args, Command, Options } from "@effect/cli"
import { AnswerKind, Benchmark, BenchmarkCsv, BenchmarkRepository, GraderRegistry, Ids } from "@ml-agents/core"
import { Clock, Effect, Option, Schema } from "effect"
import * as fs from "node:fs"
import { CodeGrader } from "@ml-agents/grader-code"
import { AppContext } from "../AppContext.js"
import * as CodeSandbox from "../CodeSandbox.js"
import * as BenchmarkFiles from "../BenchmarkFiles.js"
import { ExitCode, UserError } from "../Errors.js"
import * as DataLocation from "../DataLocation.js"
import * as Output from "../Output.js"
import * as Scripting from "../Scripting.js"
import * as Ui from "../Ui.js"

const findBenchmark = (name: string) =>
  Effect.gen(function*() {
    const repo = yield* BenchmarkRepository.BenchmarkRepository
    const found = yield* repo.findByName(name)
    if (Option.isSome(found)) return found.value
    const all = yield* repo.list
    const ci = all.find((b) => b.name.toLowerCase() === name.toLowerCase())
    if (ci !== undefined) return ci
    return yield* new UserError({
      code: ExitCode.notFound,
      text: `no benchmark named '${name}'`,
      hint: all.length === 0
        ? "import one first, e.g. `ml-agents benchmark import SAMPLE_MC`"
        : `imported: ${all.map((b) => b.name).join(", ")}`
    })
  })

const importCommand = Command.make(
  "import",
  {
    source: Args.text({ name: "csv" }).pipe(
      Args.withDescription("a CSV file with INPUT and OUTPUT columns, or a known name (GPQA, FOLIO, SAMPLE_MC, …)")
    ),
    name: Options.text("name").pipe(Options.optional, Options.withDescription("short name to import it under (default: from the file name), e.g. --name MY_BENCH")),
    description: Options.text("description").pipe(Options.optional, Options.withDescription("a one-line description")),
    answerKind: Options.text("answer-kind").pipe(
      Options.optional,
      Options.withDescription(`how answers are graded: ${[...AnswerKind.builtIn, CodeGrader.KIND].join(", ")}, or a plugin's (ml-agents graders list) (default: detected from the expected answers, or code from a TESTS column), e.g. --answer-kind number`)
    ),
    skipReferenceCheck: Options.boolean("skip-reference-check").pipe(
      Options.withDescription("import even if reference solutions fail their tests (code benchmarks; not recommended)")
    ),
    unsafeNoSandbox: CodeSandbox.unsafeOption,
    json: Scripting.json
  },
  ({ answerKind, description, json, name, skipReferenceCheck, source, unsafeNoSandbox }) =>
    Effect.gen(function*() {
      const { config, flags } = yield* AppContext
      const resolved = yield* Effect.try({
        try: () => BenchmarkFiles.resolve(source, config.benchmarkDirs),
        catch: (e) => e as BenchmarkFiles.BenchmarkFileNotFound
      })
      const benchmarkName = Option.getOrElse(name, () => resolved.name)
      yield* Schema.decodeUnknown(Benchmark.BenchmarkName)(benchmarkName).pipe(
        Effect.mapError(() =>
          new UserError({
            code: ExitCode.config,
            text: `'${benchmarkName}' is not a valid benchmark name`,
            hint: "use 1-64 letters, digits, '_', '-' or '.', e.g. --name MY_BENCH"
          })
        )
      )
      const bytes = yield* Effect.try({
        try: () => fs.readFileSync(resolved.file),
        catch: (e) =>
          new UserError({ code: ExitCode.general, text: `cannot read ${resolved.file}: ${(e as Error).message}` })
      })
      const parsed = yield* BenchmarkCsv.parse(bytes, resolved.file)
      const graders = yield* GraderRegistry.GraderRegistry
      const kind = Option.getOrElse(answerKind, () =>
        graders.detect({ columns: parsed.columns, expectedAnswers: parsed.questions.map((q) => q.expectedAnswer) })
      )
      const grader = yield* graders.get(kind)
      if (unsafeNoSandbox && kind === CodeGrader.KIND && !skipReferenceCheck) yield* CodeSandbox.useUnsafe
      if (grader.checkBenchmark !== undefined && skipReferenceCheck) {
        yield* Ui.warn(
          `--skip-reference-check: the benchmark is NOT checked by the '${kind}' grader (reference solutions against their tests); ` +
            "a question whose reference fails its own tests will count every answer wrong"
        )
      } else if (grader.checkBenchmark !== undefined) {
        // Checking may take a while (a code benchmark runs every reference solution): say what is
        // going on, unless stdout is for a script (--json, --quiet).
        if (!json && !flags.quiet) {
          yield* Ui.print(Ui.style.dim(`  checking ${Ui.int(parsed.questions.length)} questions with the '${kind}' grader…`))
        }
        yield* grader.checkBenchmark(parsed.questions)
      }
      const metadataColumns = parsed.columns.filter((c) => !/^(input|output|id)$/i.test(c.trim()))
      const benchmark = new Benchmark.PreprocessedBenchmark({
        id: yield* Ids.make("bench"),
        name: benchmarkName,
        description: Option.getOrElse(description, () => ""),
        questionCount: parsed.questions.length,
        formatVersion: Benchmark.FORMAT_VERSION,
        metadata: {
          sourceFile: resolved.file,
          columns: parsed.columns,
          answerKind: kind,
          ...(grader.checkBenchmark !== undefined && skipReferenceCheck ? { referenceCheck: "skipped" } : {})
        },
        createdAt: new Date(yield* Clock.currentTimeMillis)
      })
      const repo = yield* BenchmarkRepository.BenchmarkRepository
      yield* repo.create(benchmark, parsed.questions)
      yield* Scripting.emit(json, {
        json: () => ({ benchmark }),
        quiet: () => [benchmarkName],
        text: Effect.gen(function*() {
          yield* Ui.success(
            `Imported ${Ui.int(parsed.questions.length)} questions as ${Ui.style.bold(benchmarkName)}` +
              (metadataColumns.length > 0 ? ` (metadata: ${metadataColumns.join(", ")})` : "")
          )
          yield* Ui.print(
            Ui.style.dim(`  graded as ${kind}${Option.isSome(answerKind) ? "" : ` (detected from ${kind === "code" ? "the TESTS column" : "the expected answers"}; override with --answer-kind)`}`)
          )
          yield* Ui.print(
            Ui.style.dim(`  Next: ml-agents evaluate create --agent none --model openai/gpt-4o-mini --benchmark ${benchmarkName}`)
          )
        })
      })
    })
).pipe(Command.withDescription("Import a benchmark CSV (INPUT, OUTPUT, extra columns become metadata); all or nothing"))

const listCommand = Command.make(
  "list",
  {
    available: Options.boolean("available").pipe(
      Options.withDescription("also list the benchmark files that can be imported by name")
    ),
    json: Scripting.json
  },
  ({ available, json }) =>
    Effect.gen(function*() {
      const { config, flags } = yield* AppContext
      const benchmarks = yield* (yield* BenchmarkRepository.BenchmarkRepository).list
      const files = available ? BenchmarkFiles.available(config.benchmarkDirs) : []
      if (json || flags.quiet) {
        return yield* Scripting.emit(json, {
          json: () => ({ benchmarks, ...(available ? { available: files } : {}) }),
          quiet: () => [...benchmarks.map((b) => b.name), ...files.map((f) => f.name).filter((n) => !benchmarks.some((b) => b.name === n))],
          text: Effect.void
        })
      }
      if (benchmarks.length === 0) {
        yield* Ui.print(`No benchmarks imported yet in ${DataLocation.databaseText(config)}.\nImport one with: ml-agents benchmark import SAMPLE_MC`)
      } else {
        yield* Ui.print(Ui.table(benchmarks, [
          { header: "NAME", value: (b) => b.name, color: Ui.style.bold },
          { header: "QUESTIONS", value: (b) => Ui.int(b.questionCount), align: "right" },
          { header: "IMPORTED", value: (b) => Ui.timestamp(b.createdAt) },
          { header: "DESCRIPTION", value: (b) => b.description || "—", max: 50 }
        ]))
      }
      if (available) {
        const imported = new Set(benchmarks.map((b) => b.name))
        yield* Ui.print("")
        yield* Ui.print(Ui.style.bold("Importable by name:"))
        yield* Ui.print(Ui.table(files, [
          { header: "NAME", value: (f) => f.name },
          { header: "FILE", value: (f) => f.file, max: 80 },
          { header: "", value: (f) => (imported.has(f.name) ? "imported" : "") }
        ]))
      }
    })
).pipe(Command.withDescription("List imported benchmarks, most recent first"))

const showCommand = Command.make(
  "show",
  {
    name: Args.text({ name: "name" }).pipe(Args.withDescription("the benchmark's name (ml-agents benchmark list), e.g. SAMPLE_MC")),
    limit: Options.integer("limit").pipe(Options.withDefault(5), Options.withDescription("questions to show (0: none)")),
    json: Scripting.json
  },
  ({ json, limit, name }) =>
    Effect.gen(function*() {
      const benchmark = yield* findBenchmark(name)
      const questions = yield* (yield* BenchmarkRepository.BenchmarkRepository).questions(benchmark.id)
      if (json) return yield* Output.json({ benchmark, questions: limit > 0 ? questions.slice(0, limit) : [] })
      const columns = (benchmark.metadata.columns as ReadonlyArray<string> | undefined) ?? []
      yield* Ui.print(Ui.style.bold(benchmark.name) + (benchmark.description ? ` — ${benchmark.description}` : ""))
      yield* Ui.print(Ui.fields([
        ["questions", Ui.int(benchmark.questionCount)],
        ["columns", columns.join(", ") || "—"],
        ["source", String(benchmark.metadata.sourceFile ?? "—")],
        ["imported", Ui.timestamp(benchmark.createdAt)],
        ["format", `v${benchmark.formatVersion}`],
        ["answer kind", String(benchmark.metadata.answerKind ?? "detected when run")]
      ]))
      if (limit > 0 && questions.length > 0) {
        yield* Ui.print("")
        yield* Ui.print(Ui.table(questions.slice(0, limit), [
          { header: "ID", value: (q) => q.id },
          { header: "QUESTION", value: (q) => q.text, max: 70 },
          { header: "EXPECTED", value: (q) => q.expectedAnswer, max: 20 }
        ]))
        if (questions.length > limit) yield* Ui.print(Ui.style.dim(`  … ${questions.length - limit} more (--limit N)`))
      }
    })
).pipe(Command.withDescription("Show a benchmark and its first questions"))

/** `ml-agents benchmark`. */
export const command = Command.make("benchmark").pipe(
  Command.withDescription("Import and inspect benchmarks"),
  Command.withSubcommands([importCommand, listCommand, showCommand])
)

export { findBenchmark }
